"""What a rollout is asked to do, and what it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hubimage.bump import BumpResult
from hubimage.values import BumpScope, HubConfigPath, RolloutMode, RolloutStatus


@dataclass(frozen=True)
class RolloutRequest:
    config: HubConfigPath  # a local path (file mode) or a path in the repository
    hubs: tuple[str, ...]
    image: str  # name:tag
    mode: RolloutMode = "file"
    path: str | None = None
    dry_run: bool = False
    allow_shared: bool = False
    update_references: bool = False
    repository: str | None = None
    branch: str | None = None
    token: str | None = field(default=None, repr=False)
    api_url: str | None = None
    pr_body: str = ""
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    team_reviewers: tuple[str, ...] = ()
    draft: bool = False
    scope: BumpScope = "source"  # "hub": an override in the named hubs' own values files only
    chart: str | None = None
    create: bool = False  # create `path` where it is missing
    digest: str | None = None  # sha256:...: pin it with the tag

    def edit_options(self) -> dict[str, Any]:
        return {
            "hubs": self.hubs,
            "image": self.image,
            "path": self.path,
            "allow_shared": self.allow_shared,
            "update_references": self.update_references,
            "scope": self.scope,
            "chart": self.chart,
            "create": self.create,
            "digest": self.digest,
        }


@dataclass(frozen=True)
class RolloutResult:
    result: RolloutStatus
    diff: str
    bump: BumpResult
    commit_sha: str | None = None
    pr_number: int | None = None
    pr_url: str | None = None
    dry_run: bool = False  # `result` is what the run would have had

    def as_dict(self) -> dict[str, Any]:
        return {
            "bump-result": self.result,
            "dry_run": self.dry_run,
            "diff": self.diff,
            "files": [edit.file for edit in self.bump.edits if edit.changed],
            "changes": [
                {
                    "hub": c.hub,
                    "file": e.file,
                    "path": c.path,
                    "line": c.line,
                    "old": c.old,
                    "new": c.new,
                }
                for e in self.bump.edits
                for c in e.changes
            ],
            "other-references": [
                {
                    "file": e.file,
                    "path": r.path,
                    "line": r.line,
                    "value": r.value,
                    "updated": r.updated,
                }
                for e in self.bump.edits
                for r in e.other_references
            ],
            "skipped-files": [
                {"file": s.file, "reason": s.reason} for s in self.bump.skipped_files
            ],
            "commit": self.commit_sha,
            "pr-number": self.pr_number,
            "pr-url": self.pr_url,
        }
