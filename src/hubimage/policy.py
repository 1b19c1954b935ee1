"""What one `hubimage run` may do, decided once from its inputs and the triggering event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hubimage.inputs import EventName, RunInputs, event_name
from hubimage.reference import ImageReference


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

    def why_not_pushed(self, inputs: RunInputs) -> str:
        if inputs.dry_run:
            return "dry run"
        if inputs.image is None:
            return "no image name given"
        if self.event == "pull_request" and inputs.push == "auto":
            return "pull request: build and check only"
        return "push: false"


def image_name(inputs: RunInputs) -> ImageReference:
    """The name to build under: the input, or a local name when there is none."""
    return inputs.image or ImageReference(registry=None, repository="hubimage/local")
