"""A pull request's try-out (`pr-comment`): its one comment and its tag's clean-up.

On a `pull_request` event from a branch of this repository, the run pushes the checked image
as `pr-<N>` and keeps one comment on the pull request: the image with its digest, each named
hub's checks, and a way to start the image on that hub (`hubimage.tryout`). A failed check
updates the same comment, saying what failed and that no tag was pushed. When the pull
request closes, the run builds nothing and deletes `pr-<N>` where the registry allows it. A
fork's pull request gets neither: its code is not the repository's, so nothing it built
leaves the runner (the policy), and the log says so.
"""

from __future__ import annotations

from hubimage.errors import ConfigError, GitHubError, UsageError
from hubimage.gha import workflow_run_url
from hubimage.phases.context import RunContext
from hubimage.policy import PullRequest
from hubimage.reference import ImageReference
from hubimage.registry.cleanup import delete_tag
from hubimage.rollout.github import DEFAULT_API_URL, GitHubRepo
from hubimage.tryout import TryOut, render_comment, upsert_comment, ways_to_try


def announce(context: RunContext) -> None:
    """Say at the start what pr-comment will do in this run, and why not where it will not."""
    pull, inputs = context.policy.pull_request, context.inputs
    if not inputs.pr_comment:
        return
    if pull is None:
        context.reporter.info(f"pr-comment: a {context.policy.event} event; no comment")
    elif not pull.same_repository and pull.closed:
        context.reporter.info(f"pr-comment: {pull.why}, now closed: nothing was pushed for it")
    elif not pull.same_repository:
        context.reporter.info(
            f"pr-comment: {pull.why}: its image is built and checked, but not pushed, and the "
            "pull request gets no comment (a fork's code never reaches the registry)"
        )
    elif pull.closed:
        context.reporter.info(f"pr-comment: pull request #{pull.number} closed: {pull.tag} goes")
    else:
        context.reporter.info(f"pr-comment: {pull.why}; its image is pushed as {pull.tag}")


def comment(context: RunContext, digest: str | None) -> None:
    """Create or update the pull request's comment: `digest` of the pushed pr-<N>, or None
    when a check failed and no tag was pushed."""
    pull = context.policy.try_out
    if pull is None:
        return
    with context.reporter.group(f"Comment on pull request #{pull.number}"):
        image = context.name.with_tag(pull.tag)
        ways = _ways(context, image.with_digest(digest)) if digest else {}
        body = render_comment(
            f"{context.name.name}:{pull.tag}",
            digest,
            [(hub, ways.get(hub)) for hub in context.inputs.hubs],
            context.outcome.checks,
            digest is None,
            workflow_run_url(context.environ),
        )
        result = upsert_comment(_this_repository(context), pull.number, body)
        context.outcome.pr_comment = result
        context.reporter.info(f"pull request #{pull.number}: comment {result}")


def comment_failure(context: RunContext) -> None:
    """The failed checks on the comment; a comment that cannot be written is a warning here,
    so that the checks' failure stays the error the run ends with."""
    try:
        comment(context, None)
    except (GitHubError, UsageError) as error:
        context.reporter.annotate("warning", error.message, title="pr-comment")


def clean_up(context: RunContext, pull: PullRequest) -> None:
    """The closed pull request's pr-<N> tag, deleted where nothing else goes with it (a
    fork's pull request had none pushed)."""
    if not pull.same_repository:
        return
    inputs, outcome = context.inputs, context.outcome
    outcome.tag = pull.tag
    with context.reporter.group(f"Delete {context.name.name}:{pull.tag}"):
        services = context.services
        result = delete_tag(
            context.name,
            pull.tag,
            services.login,
            services.registry,
            github_token=inputs.github_token,
            quay_token=inputs.quay_api_token,
            environ=context.environ,
        )
        context.reporter.info(result.why)
        outcome.notes.append(result.why)
        if not result.gone:
            by_hand = f" {result.by_hand}" if result.by_hand else ""
            context.reporter.annotate("warning", f"{result.why}.{by_hand}", title="pr-comment")


def _ways(context: RunContext, image: ImageReference) -> dict[str, TryOut]:
    """Each named hub's way to start `image`, read from the hub config as the checks read
    it; none (and a warning) when that cannot be read: the comment still has the checks."""
    inputs = context.inputs
    if inputs.hub_config is None or not inputs.hubs:
        return {}
    try:
        read, root = context.services.config_reader()
        return ways_to_try(
            inputs.hub_config.text, read, inputs.hubs, image, root=root, chart=inputs.chart
        )
    except (ConfigError, GitHubError, UsageError) as error:
        why = f"how to try the image on {', '.join(inputs.hubs)} is not known: {error.message}"
        context.reporter.annotate("warning", why, title="pr-comment")
        return {}


def _this_repository(context: RunContext) -> GitHubRepo:
    """The repository the pull request is in (this workflow's), with the run's token."""
    environ, token = context.environ, context.inputs.github_token
    repository = environ.get("GITHUB_REPOSITORY")
    if not repository or not token:
        raise UsageError(
            "pr-comment needs GITHUB_REPOSITORY and a token (input 'github-token') with "
            "pull-requests: write"
        )
    base_url = environ.get("GITHUB_API_URL") or DEFAULT_API_URL
    return GitHubRepo.connect(repository, token, base_url=base_url)
