"""`hubimage run`: the whole road from an image repository to a hub pointed at the new image.

The phases, in the order a run takes them, read top to bottom in `_run`: tag → plan the bump
→ already published? → build → check → record → compare packages → push → bump → comment on
the pull request (pr-comment; a closed pull request's run only deletes its pr-<N> tag). The order
is the safety argument: no manifest and no tag is pushed before every check passed (only the
layers go ahead, as bare blobs, while the checks run: phases/uploading.py), and no hub config
names an image before the registry served its digest. With `check: false` build and push are one
buildx call (imagebuild/backends.py says why that keeps both promises). Outputs are
collected in one `RunOutcome` and written once at the end, also when a phase failed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hubimage.errors import ChecksFailedError
from hubimage.gha import Reporter
from hubimage.inputs import RunInputs
from hubimage.outcome import RunOutcome
from hubimage.phases import bumping, reporting, tagging
from hubimage.phases.context import RunContext
from hubimage.phases.tagging import Published

if TYPE_CHECKING:  # (start-up: a no-op run, its tag published, loads no build, check or push)
    from hubimage.phases.building import Built


def run_pipeline(
    inputs: RunInputs, reporter: Reporter, environ: Mapping[str, str] = os.environ
) -> RunOutcome:
    """Run every phase; raise on failure after recording what is known in the outcome."""
    context = RunContext.start(inputs, reporter, environ)
    for note in inputs.deprecated:
        reporter.annotate("warning", note, title="inputs")
    try:
        _run(context)
    finally:
        reporting.report(context)
    return context.outcome


def _run(context: RunContext) -> None:
    policy = context.policy
    if context.inputs.pr_comment:
        from hubimage.phases import trying  # (start-up: GitHub's client, only for pr-comment)

        trying.announce(context)
        if policy.pull_request is not None and policy.pull_request.closed:
            trying.clean_up(context, policy.pull_request)  # its pr-<N> goes; nothing is built
            return
    # A pull request's pr-<N> follows its branch: each push builds (from the cache) anew.
    looks = policy.push and not context.inputs.force and policy.try_out is None
    if not looks:  # it builds: the backend is found beside the tag and the plan
        context.services.probe_backend()
    tag = tagging.resolve_tag(context)
    bumping.plan(context, tag)
    # A scheduled run rebuilds a published tag to pick up upstream package changes.
    scheduled = policy.event == "schedule" and policy.skip_unchanged
    published = tagging.find_published(context, tag) if looks else None
    if published is None or scheduled:
        # Only now: begun before the lookup, the probe's docker buildx calls cost a run that
        # finds its tag published 0.1 s on 2 cores, more than the head start saves a build.
        context.services.probe_backend()
    if published is not None and not scheduled:
        from hubimage.phases import checking, publishing  # (start-up: see above)

        tagging.record_reused(context, published)
        checking.trust_or_check(context, published)
        publishing.judge_published(context, published.digest)
        bumping.bump(context, tag, published.digest)
        return
    if published is not None:
        tag = tagging.rebuild_tag(context, published)
    _build_check_publish(context, tag, published)


def _build_check_publish(context: RunContext, tag: str, published: Published | None) -> None:
    from hubimage.phases import building, checking, publishing, uploading  # (start-up)

    policy = context.policy
    if building.pushes_in_build(context, tag):  # check: false: one buildx --push
        served = publishing.build_and_push(context, context.tags(tag))
        bumping.bump(context, tag, served.digest)
        _comment(context, served.digest)
        return
    built = building.build(context, tag)
    upload = uploading.start(context, built.image)  # layers only: no manifest, no tag
    try:
        if context.inputs.check and checking.check(context, built.image).failed:
            upload.abandon(context)
            _comment(context, None)
            raise ChecksFailedError(
                "the image failed its checks; no tag or manifest was pushed",
                hint="see the checks table above for what to change",
            )
        checking.record(context, built.image, built.inventory)
        if policy.skip_unchanged and _unchanged(context, built, published):
            return
        upload.finish(context)
        _publish(context, tag, built)
    finally:
        upload.abandon(context)  # a phase failed before the push
        built.settle()  # the inventory's container is removed before the run ends


def _unchanged(context: RunContext, built: Built, published: Published | None) -> bool:
    """A rebuild with the same packages as the hub's image publishes nothing."""
    from hubimage.phases import checking  # (start-up)

    comparison = checking.compare_packages(context, built.inventory, published)
    context.outcome.package_markdown = comparison.markdown
    if not comparison.unchanged:
        return False
    if published is not None:
        tagging.keep_published(context, published)
    context.outcome.bump_result = "unchanged"
    return True


def _publish(context: RunContext, tag: str, built: Built) -> None:
    """Push the checked image and bump the hubs, as far as this run may."""
    from hubimage.phases import publishing  # (start-up)

    policy = context.policy
    if policy.push:
        served = publishing.push(context, built.image, context.tags(tag))
        bumping.bump(context, tag, served.digest)
        _comment(context, served.digest)
    else:
        context.outcome.notes.append(f"not pushed ({policy.why_not_pushed(context.inputs)})")
    if policy.plan_bump_only:
        bumping.show(context, tag)


def _comment(context: RunContext, digest: str | None) -> None:
    """pr-comment: the pull request's comment, after the push (`digest`) or a failed check
    (None; then a comment GitHub refuses is a warning, the checks' failure the error)."""
    if context.policy.try_out is None:
        return
    from hubimage.phases import trying  # (start-up: as in _run)

    if digest is None:
        trying.comment_failure(context)
    else:
        trying.comment(context, digest)
