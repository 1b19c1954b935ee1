"""`hubimage run`: the whole road from an image repository to a hub pointed at the new image.

Phases, each a named log group: tag → existing? → build → check → compare → push → bump.
The order is the safety argument: nothing is pushed before every check passed, and no hub
config names an image before the registry served its digest. Outputs are collected in one
`RunOutcome` and written once at the end, also when a phase failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hubimage.errors import ChecksFailedError
from hubimage.gha import Reporter
from hubimage.inputs import EventName, RunInputs, event_name
from hubimage.reference import ImageReference

BumpResult = Literal["created", "updated", "unchanged", "skipped"]


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
    bump_result: BumpResult = "skipped"
    pr_number: int | None = None
    pr_url: str = ""
    notes: list[str] = field(default_factory=list)
    package_changes: dict[str, Any] | None = None
    size_bytes: int | None = None

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
        }

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.outputs())
        data["checks"] = self.checks
        data["notes"] = self.notes
        data["package-changes"] = self.package_changes
        data["reused-existing"] = self.reused_existing
        return data


@dataclass(frozen=True)
class RunPolicy:
    """What this run may do, decided once from the inputs and the triggering event."""

    event: EventName
    push: bool
    skip_unchanged: bool
    bump: bool

    @classmethod
    def decide(cls, inputs: RunInputs, environ: Mapping[str, str]) -> RunPolicy:
        event = event_name(environ)
        # Pull requests may come from forks: no secrets, and nothing leaves the runner.
        push = {"auto": event != "pull_request", "true": True, "false": False}[inputs.push]
        push = push and inputs.image is not None and not inputs.dry_run
        skip = {"auto": event == "schedule", "true": True, "false": False}[inputs.skip_unchanged]
        bump = push and inputs.bump_mode != "none" and bool(inputs.hubs)
        return cls(event=event, push=push, skip_unchanged=skip, bump=bump)


def run_pipeline(
    inputs: RunInputs, reporter: Reporter, environ: Mapping[str, str] = os.environ
) -> RunOutcome:
    """Run every phase; raise on failure after recording what is known in the outcome."""
    from hubimage.phases import Phases

    policy = RunPolicy.decide(inputs, environ)
    outcome = RunOutcome()
    phases = Phases(inputs, policy, reporter, outcome, environ)
    try:
        phases.resolve_tag()
        phases.preflight_bump()
        if policy.push and not inputs.force and phases.find_existing():
            phases.bump()
            return outcome
        phases.build()
        if inputs.check:
            report = phases.check()
            if report.failed:
                raise ChecksFailedError(
                    "the image failed its checks; nothing was pushed",
                    hint="see the checks table above for what to change",
                )
        phases.record()
        if policy.skip_unchanged and phases.packages_unchanged():
            outcome.bump_result = "unchanged"
            return outcome
        if policy.push:
            phases.push()
            if policy.bump:
                phases.bump()
        else:
            outcome.notes.append(f"not pushed ({_why_not_pushed(inputs, policy)})")
        return outcome
    finally:
        phases.report()


def _why_not_pushed(inputs: RunInputs, policy: RunPolicy) -> str:
    if inputs.dry_run:
        return "dry run"
    if inputs.image is None:
        return "no image name given"
    if policy.event == "pull_request" and inputs.push == "auto":
        return "pull request: build and check only"
    return "push: false"


def image_name(inputs: RunInputs) -> ImageReference:
    """The name to build under: the input, or a local name when there is none."""
    return inputs.image or ImageReference(registry=None, repository="hubimage/local")
