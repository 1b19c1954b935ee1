"""The record of one `hubimage run`: what it produced, however far it got.

Phases write it, the job summary and the action's outputs read it. It sits below both, so
neither imports the other's layer (see the import-linter contracts in pyproject.toml).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hubimage.values import RolloutStatus


@dataclass
class RunOutcome:
    """What a run produced; becomes the action's outputs and the job summary."""

    image: str = ""
    tag: str = ""
    local_image: str = ""
    digest: str = ""
    image_ref: str = ""
    pushed: bool = False
    reused_existing: bool = False
    checks: dict[str, Any] = field(default_factory=dict)
    bump_result: RolloutStatus = "skipped"
    pr_number: int | None = None
    pr_url: str = ""
    pr_comment: str = ""  # created, updated or unchanged: the pull request's try-out comment
    notes: list[str] = field(default_factory=list)
    package_changes: dict[str, Any] | None = None
    size_bytes: int | None = None
    bump_diff: str = ""  # the dry run's planned change to the hub config
    package_markdown: str | None = None  # the table of package changes (scheduled rebuilds)

    def outputs(self) -> dict[str, str]:
        return {
            "image": self.image,
            "tag": self.tag,
            "digest": self.digest,
            "image-ref": self.image_ref,
            "pushed": "true" if self.pushed else "false",
            "checks": json.dumps(self.checks, sort_keys=True, separators=(",", ":")),
            "bump-result": self.bump_result,
            "pr-number": str(self.pr_number or ""),
            "pr-url": self.pr_url,
            "pr-comment": self.pr_comment,
        }

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.outputs())
        data["checks"] = self.checks
        data["notes"] = self.notes
        data["package-changes"] = self.package_changes
        data["reused-existing"] = self.reused_existing
        data["bump-diff"] = self.bump_diff
        return data
