"""The push: an image reaches the registry, and counts only once the registry serves its digest
for every tag (then the pushed-size budget is judged on the manifest it serves)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hubimage.check.pushed import verify_pushed_size
from hubimage.engine import dumps_label
from hubimage.phases import building
from hubimage.phases.context import RunContext
from hubimage.phases.stage_requests import build_request
from hubimage.policy import CHECKS_LABEL, checks_record, expected_checks

if TYPE_CHECKING:  # (start-up: the push loads the engine's SDK; a no-op run judges no push)
    from hubimage.registry import PushResult


def push(context: RunContext, image: str, tags: tuple[str, ...]) -> PushResult:
    """Push the checked local `image` as `tags`; then write the build cache."""
    from hubimage.registry import push_image  # (start-up: see above)

    name, services = context.name, context.services
    with context.reporter.group(f"Push {name.qualified_name}"):
        served = push_image(
            services.engine,
            image,
            name,
            tags,
            services.login,
            check_public=context.inputs.require_public,
            client=services.registry,
        )
        _record_served(context, served)
        _judge_pushed_size(context, served.digest)
    if context.inputs.image is not None:
        building.export_cache(context, tags[0])  # only now: the registry served the digest
    return served


def build_and_push(context: RunContext, tags: tuple[str, ...]) -> PushResult:
    """`check: false`: build and push in one buildx call; outputs only from the digest the
    registry serves for every tag."""
    from hubimage.registry import verify_served  # (start-up: see above)

    name, reporter = context.name, context.reporter
    # checked: false, under no spawn profile and for no hub (deriving the hubs' profiles only
    # to name them here took 0.1 s of the build's start)
    record = checks_record(context.outcome.checks, expected_checks([], None, []))
    request = build_request(context.inputs, tags[0])
    request = replace(request, labels={CHECKS_LABEL: dumps_label(record)})
    with reporter.group(f"Build and push {name.qualified_name} (no checks)"):
        names = [f"{name.qualified_name}:{tag}" for tag in tags]
        result = building.build_and_push(context, request, names)
        served = verify_served(
            name,
            tags,
            result.digest,
            context.services.login,
            check_public=context.inputs.require_public,
            pusher="buildx",
            client=context.services.registry,
        )
        _record_served(context, served)
        # the same line as an engine build's (the bench reads the builder's time from it)
        reporter.info(
            f"built {result.image} with {result.builder} on buildx in {result.seconds:.1f}s"
        )
        reporter.info(f"the registry serves {served.image_ref} as {', '.join(tags)}")
        plan = building.build_session(context).plan
        if plan.after_push_exports:
            reporter.info(f"build cache written: {plan.after_push_exports[0]}")
        _judge_pushed_size(context, served.digest)
    return served


def judge_published(context: RunContext, digest: str) -> None:
    """A re-run that finds its tag published judges again what gates a bump: the pushed
    size against `max-compressed-size` (the checks' record is judged by checking.py), so an
    image over its budget is never bumped, however many times the job runs."""
    if context.inputs.max_compressed_size is None:
        return  # nothing to judge: no manifest read on a no-op run
    with context.reporter.group("Judge the published image again"):
        context.reporter.info(
            "the tag is already published: its compressed size is judged again before any bump"
        )
        _judge_pushed_size(context, digest)


def _record_served(context: RunContext, served: PushResult) -> None:
    """The outcome of a push whose digest the registry served for every tag."""
    for warning in served.warnings:
        context.reporter.annotate("warning", warning, title="registry")
    outcome = context.outcome
    outcome.digest, outcome.image_ref, outcome.pushed = served.digest, served.image_ref, True


def _judge_pushed_size(context: RunContext, digest: str) -> None:
    """The pushed-size check, on the manifest the registry serves; raises when it fails."""
    verify_pushed_size(
        context.name,
        digest,
        context.services.login,
        context.inputs.max_compressed_size,
        context.outcome.checks,
        context.reporter,
        client=context.services.registry,
    )
