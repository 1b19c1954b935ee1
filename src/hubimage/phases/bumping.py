"""The bump: planned before anything is pushed, made only after the registry served the
digest, or shown as a diff on a dry run."""

from __future__ import annotations

from hubimage.phases.context import RunContext
from hubimage.phases.stage_requests import rollout_request
from hubimage.rollout import preview, roll_out
from hubimage.summary import pull_request_body


def plan(context: RunContext, tag: str) -> None:
    """Plan the bump now, so a wrong hub name or config fails before anything is pushed."""
    if not (context.policy.bump or context.policy.plan_bump_only):
        return
    with context.reporter.group("Plan the bump"):
        request = rollout_request(context.inputs, context.environ, tag)
        planned = preview(request, context.services.config_repository)
        for edit in planned.edits:
            for change in edit.changes:
                line = f"{edit.file}: {change.hub}: {change.old} -> {change.new}"
                context.reporter.info(line)


def bump(context: RunContext, tag: str, digest: str) -> None:
    """Point the named hubs at `tag` (pinned to `digest` when asked), by file, commit or PR."""
    if not context.policy.bump:
        return
    outcome = context.outcome
    body = pull_request_body(outcome, outcome.package_markdown, context.environ)
    request = rollout_request(context.inputs, context.environ, tag, digest, body)
    with context.reporter.group(f"Bump {', '.join(context.inputs.hubs)}"):
        result = roll_out(request, context.reporter, context.services.config_repository)
        outcome.bump_result = result.result
        outcome.pr_number = result.pr_number
        outcome.pr_url = result.pr_url or ""


def show(context: RunContext, tag: str) -> None:
    """Dry run: the bump this run would make, as a diff; nothing is written anywhere."""
    hubs = ", ".join(context.inputs.hubs)
    request = rollout_request(context.inputs, context.environ, tag)  # dry_run is set
    with context.reporter.group(f"Bump {hubs} (dry run: nothing written)"):
        result = roll_out(request, context.reporter, context.services.config_repository)
        context.outcome.bump_diff = result.diff
        context.reporter.info(result.diff.rstrip("\n") or "no change to the hub config")
        context.outcome.notes.append(
            "dry run: the bump was planned and its diff is in the log; nothing was written"
        )
