"""Roll a new image out to hubs: edit their config, then deliver the edit.

`file` mode edits the local file in place (atomically, only when it changed). `commit` and
`pr` modes read the config through the GitHub API, plan the same edit, and deliver it with
`rollout.deliver` (one commit, or one pull request per file's hubs); the edit is re-applied to
a fresh copy of the file whenever somebody else changed it meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable

from hubimage.bump import BumpResult, ConfigEdit, bump_config_file, edit_config_tree
from hubimage.bump.current import current_hub_image
from hubimage.bump.files import read_config_text
from hubimage.errors import BadInputError, GitHubError
from hubimage.gha import Reporter
from hubimage.reference import ImageReference
from hubimage.rollout.repository import ConfigRepository
from hubimage.rollout.request import RolloutRequest, RolloutResult
from hubimage.values import RolloutStatus


def preview(request: RolloutRequest, source: ConfigRepository | None = None) -> BumpResult:
    """Plan the edit without writing anything: bad configs fail before anything is pushed."""
    if request.mode == "file":
        return bump_config_file(request.config.local, dry_run=True, **request.edit_options())
    read = (source or ConfigRepository(request)).planning_reader()
    return edit_config_tree(request.config.text, read, **request.edit_options())


def roll_out(
    request: RolloutRequest, reporter: Reporter, source: ConfigRepository | None = None
) -> RolloutResult:
    if request.mode == "file":
        return _roll_out_file(request, reporter)
    return _roll_out_github(request, reporter, source or ConfigRepository(request))


def _roll_out_file(request: RolloutRequest, reporter: Reporter) -> RolloutResult:
    bump = bump_config_file(request.config.local, dry_run=request.dry_run, **request.edit_options())
    _report_bump(bump, reporter)
    if not bump.changed:
        return RolloutResult("unchanged", "", bump, dry_run=request.dry_run)
    return RolloutResult("updated", bump.unified_diff(), bump, dry_run=request.dry_run)


def _report_bump(bump: BumpResult, reporter: Reporter) -> None:
    for edit in bump.edits:
        for change in edit.changes:
            old = change.old if change.old is not None else "(none)"
            reporter.info(f"{edit.file}:{change.line}: {change.hub}: {old} -> {change.new}")
        for reference in edit.other_references:
            state = "updated" if reference.updated else "not changed (--update-references)"
            reporter.annotate(
                "notice",
                f"{edit.file}:{reference.line}: {reference.path} also names this image "
                f"({reference.value}); {state}",
                title="other reference",
            )
    for skipped in bump.skipped_files:
        reporter.annotate("warning", f"{skipped.file}: {skipped.reason}", title="bump")
    if not bump.changed:
        reporter.info("the config already names this image: nothing to change")


def _roll_out_github(
    request: RolloutRequest, reporter: Reporter, source: ConfigRepository
) -> RolloutResult:
    from hubimage.rollout.deliver import PullRequestSpec, deliver_change  # (start-up: PyGithub)

    repo, base = source.repo, source.base
    read = source.fresh_reader()
    bump = edit_config_tree(request.config.text, read, **request.edit_options())  # bad input first
    _report_bump(bump, reporter)
    if not bump.changed or request.dry_run:
        # A dry run says what the run would do: a new pull request, or a new commit.
        would: RolloutStatus = "created" if request.mode == "pr" else "updated"
        name: RolloutStatus = would if bump.changed else "unchanged"
        return RolloutResult(name, bump.unified_diff(), bump, dry_run=request.dry_run)
    tag = ImageReference.parse(request.image).tag or ""
    results = []
    for edit in (e for e in bump.edits if e.changed):
        hubs = sorted({hub.strip() for c in edit.changes for hub in c.hub.split(",")})
        body = _pull_request_body(edit, request.pr_body)
        spec = PullRequestSpec.for_hubs(
            hubs,
            tag,
            body,
            labels=request.labels,
            reviewers=request.reviewers,
            team_reviewers=request.team_reviewers,
            draft=request.draft,
        )
        results.append(
            deliver_change(
                repo=repo,
                path=edit.file,
                edit=_reapply(request, read, edit.file),
                mode=request.mode,  # type: ignore[arg-type]
                message=spec.title,
                branch=base,
                pr=spec if request.mode == "pr" else None,
            )
        )
    first = results[0]
    outcomes = {r.result for r in results}
    overall: RolloutStatus = next(
        (name for name in ("created", "updated") if name in outcomes), "unchanged"
    )
    if first.pr_url:
        reporter.info(f"pull request: {first.pr_url} ({overall})")
    return RolloutResult(
        overall, bump.unified_diff(), bump, first.commit_sha, first.pr_number, first.pr_url
    )


def _reapply(
    request: RolloutRequest, read: Callable[[str], str | None], file: str
) -> Callable[[str], ConfigEdit]:
    """The edit of `file`, planned again from a fresh copy of its text (after a conflict)."""

    def edit(text: str) -> ConfigEdit:
        fresh = edit_config_tree(
            request.config.text,
            lambda path: text if path == file else read(path),
            **request.edit_options(),
        )
        return next(e for e in fresh.edits if e.file == file)

    return edit


def _pull_request_body(edit: ConfigEdit, run_body: str) -> str:
    rows = ["| hub | file | old | new |", "|---|---|---|---|"]
    for change in edit.changes:
        where = f"`{edit.file}:{change.line}`"
        rows.append(f"| {change.hub} | {where} | `{change.old or '(none)'}` | `{change.new}` |")
    return "\n".join(rows) + ("\n\n" + run_body if run_body else "")


def current_image(
    request: RolloutRequest, hub: str, source: ConfigRepository | None = None
) -> ImageReference | None:
    """The image `hub` runs now, read where the bump will write (local file or GitHub).

    None when the config names no image, or cannot be read: the caller then treats the new
    image as a change (never as "unchanged").
    """

    try:
        if not request.config.in_repository:
            read: Callable[[str], str | None] = read_config_text
        else:
            read = (source or ConfigRepository(request)).planning_reader()
        text = current_hub_image(request.config.text, hub, request.path, read=read)
        return ImageReference.parse(text) if text else None
    except (BadInputError, GitHubError):
        # No token on a pull request from a fork, a config not there yet: no comparison.
        return None


__all__ = [
    "ConfigRepository",
    "RolloutRequest",
    "RolloutResult",
    "current_image",
    "preview",
    "roll_out",
]
