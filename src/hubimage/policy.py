"""What one `hubimage run` may do, decided once from its inputs and the triggering event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hubimage.inputs import EventName, RunInputs, event_name, trusted_event
from hubimage.reference import ImageReference


@dataclass(frozen=True)
class RunPolicy:
    """What this run may do, decided once from the inputs and the triggering event."""

    event: EventName
    push: bool
    skip_unchanged: bool
    bump: bool
    plan_bump_only: bool  # dry run: plan the bump this run would make and show its diff

    @classmethod
    def decide(cls, inputs: RunInputs, environ: Mapping[str, str]) -> RunPolicy:
        event = event_name(environ)
        # An allow-list: pull requests, merge queues, workflow_run and unknown events may run
        # code from outside the repository, so nothing they build leaves the runner.
        would_push = {"auto": trusted_event(event), "true": True, "false": False}[inputs.push]
        would_push = would_push and inputs.image is not None
        push = would_push and not inputs.dry_run
        skip = {"auto": event == "schedule", "true": True, "false": False}[inputs.skip_unchanged]
        wants_bump = inputs.bump_mode != "none" and bool(inputs.hubs)
        return cls(
            event=event,
            push=push,
            skip_unchanged=skip,
            bump=push and wants_bump,
            plan_bump_only=would_push and inputs.dry_run and wants_bump,
        )

    def why_not_pushed(self, inputs: RunInputs) -> str:
        if inputs.dry_run:
            return "dry run"
        if inputs.image is None:
            return "no image name given"
        if self.event == "pull_request" and inputs.push == "auto":
            return "pull request: build and check only"
        if inputs.push == "auto" and not trusted_event(self.event):
            return (
                f"event {self.event}: push: auto pushes only on push, workflow_dispatch, "
                "schedule, release and repository_dispatch; build and check only"
            )
        return "push: false"


def image_name(inputs: RunInputs) -> ImageReference:
    """The name to build under: the input, or a local name when there is none."""
    return inputs.image or ImageReference(registry=None, repository="hubimage/local")
