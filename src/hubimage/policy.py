"""What one `hubimage run` may do and trust, decided from its inputs, its event and labels."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hubimage.inputs import EventName, RunInputs, event_name, trusted_event
from hubimage.reference import ImageReference
from hubimage.values import HubVersion


@dataclass(frozen=True)
class PullRequest:
    """The pull request a `pull_request` event is about, as `pr-comment` needs it."""

    number: int
    action: str  # opened, synchronize, reopened, closed ... (the event's `action`)
    same_repository: bool  # its branch is in this repository: never true for a fork
    why: str  # one sentence for the log: where its branch comes from

    @property
    def tag(self) -> str:
        return f"pr-{self.number}"

    @property
    def closed(self) -> bool:
        return self.action == "closed"


@dataclass(frozen=True)
class RunPolicy:
    """What this run may do, decided once from the inputs and the triggering event."""

    event: EventName
    push: bool
    skip_unchanged: bool
    bump: bool
    plan_bump_only: bool  # dry run: plan the bump this run would make and show its diff
    fresh_build: bool  # build without cached steps, base images pulled anew
    # pr-comment: the pull request this run pushes pr-<N> for and comments on, or whose
    # pr-<N> it deletes (closed); a fork's is kept only to say why nothing happens.
    pull_request: PullRequest | None = None

    @classmethod
    def decide(
        cls, inputs: RunInputs, environ: Mapping[str, str], pull_request: PullRequest | None = None
    ) -> RunPolicy:
        event = event_name(environ)
        tries_out = pull_request is not None and pull_request.same_repository
        # An allow-list: pull requests, merge queues, workflow_run and unknown events may run
        # code from outside the repository, so nothing they build leaves the runner; a branch
        # of this repository's own pull request may push its pr-<N> tag (pr-comment).
        would_push = {"auto": trusted_event(event), "true": True, "false": False}[inputs.push]
        fork = pull_request is not None and not pull_request.same_repository
        would_push = (would_push or tries_out) and not fork and inputs.image is not None
        push = would_push and not inputs.dry_run
        skip = {"auto": event == "schedule", "true": True, "false": False}[inputs.skip_unchanged]
        # Only events whose code is the repository's own point a hub at what they built.
        wants_bump = inputs.bump_mode != "none" and bool(inputs.hubs) and trusted_event(event)
        fresh = {"auto": event == "schedule" and skip, "true": True, "false": False}
        return cls(
            event=event,
            push=push,
            skip_unchanged=skip and not tries_out,
            bump=push and wants_bump,
            plan_bump_only=would_push and inputs.dry_run and wants_bump,
            fresh_build=fresh[inputs.fresh_rebuild],
            pull_request=pull_request,
        )

    @property
    def try_out(self) -> PullRequest | None:
        """The open pull request of this repository whose image this run pushes as pr-<N>."""
        pull = self.pull_request
        if pull is None or not pull.same_repository or pull.closed:
            return None
        return pull

    def why_not_pushed(self, inputs: RunInputs) -> str:
        if inputs.dry_run:
            return "dry run"
        if self.pull_request is not None and not self.pull_request.same_repository:
            return f"pr-comment: {self.pull_request.why}"
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


CHECKS_LABEL = "io.hubimage.checks"


def expected_checks(
    spawns: Sequence[str], hub_version: HubVersion | None, checks: Sequence[str]
) -> dict[str, Any]:
    """What a record must say for this run to trust it: which checks ran, under which spawn
    profiles (their fingerprints: the uid, groups, command, mounts, limits, timeouts ...),
    for which hub."""
    return {
        "spawns": sorted(set(spawns)),
        "hub_major": hub_version.major if hub_version else None,
        "checks": sorted(checks),
    }


def checks_record(checks: Mapping[str, Any], expected: Mapping[str, Any]) -> dict[str, Any]:
    results = checks.get("results") or []
    return {
        "checked": bool(results),
        "passed": bool(results) and not checks.get("failed"),
        **expected,
        "checks": sorted(str(r.get("name")) for r in results),
        "results": {str(r.get("name")): str(r.get("status")) for r in results},
    }


def checks_record_mismatch(labels: Mapping[str, str], expected: Mapping[str, Any]) -> str | None:
    """None when the image's checks label says it passed exactly this run's checks; else why not.

    The label is a cache, not a signature: anyone who can push the tag can write it. It only
    saves re-running checks whose record matches this run's uid, gid, hub major and check set.
    """
    try:
        record = json.loads(labels.get(CHECKS_LABEL, "{}"))
    except ValueError:
        return "its checks label is not JSON"
    if not isinstance(record, dict) or not record:
        return "it has no checks label"
    if record.get("passed") is not True:
        return "its checks label does not say they passed"
    differ = [key for key, value in expected.items() if record.get(key) != value]
    if differ:
        return "its checks label was written for other " + ", ".join(differ)
    return None
