"""Deliver an edited hub config to GitHub: a direct commit, or one pull request per hub set.

The edit itself arrives as a pure function from file text to a `TextEdit`; it is re-run on a
freshly read file whenever the file changed under us, so a delivery never overwrites a change it
has not seen and never carries a stale base.

Pull-request mode, and why it works the way it does:
- The branch is `hubimage/<hub>`; for several hubs the sorted names joined with `+`
  (`hubimage/prod+staging`), so the same set of hubs always reuses the same branch and PR.
- The branch always holds exactly one commit on top of the current base: each run rebuilds it
  from the base's file, so the PR never conflicts. The commit is made (with the contents API,
  so GitHub signs it) on a short-lived `hubimage-staging/...` branch and the PR branch is then
  moved to it in one step. Moving the PR branch to the base commit first would, for a moment,
  give GitHub a PR without changes, which it may close or mark merged.
- Draft state is set on creation only: the REST API cannot change it later.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from hubimage.errors import ConflictError, GitHubError, UsageError
from hubimage.rollout.github import GitHubRepo, PullRequestInfo, StaleFileError

DEFAULT_CONFLICT_RETRIES = 5
BRANCH_PREFIX = "hubimage/"
STAGING_PREFIX = "hubimage-staging/"
_HUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class TextEdit(Protocol):
    @property
    def new_text(self) -> str: ...

    @property
    def changed(self) -> bool: ...


EditFunction = Callable[[str], TextEdit]  # re-run on a freshly fetched file text after a conflict


@dataclass(frozen=True)
class PullRequestSpec:
    """What the pull request should say; `branch` is its head branch (see `for_hubs`)."""

    branch: str
    title: str
    body: str
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    team_reviewers: tuple[str, ...] = ()
    draft: bool = False

    @classmethod
    def for_hubs(
        cls,
        hubs: Sequence[str],
        tag: str,
        body: str,
        *,
        labels: Sequence[str] = (),
        reviewers: Sequence[str] = (),
        team_reviewers: Sequence[str] = (),
        draft: bool = False,
    ) -> PullRequestSpec:
        return cls(
            branch=pr_branch_for(hubs),
            title=pr_title_for(hubs, tag),
            body=body,
            labels=tuple(labels),
            reviewers=tuple(reviewers),
            team_reviewers=tuple(team_reviewers),
            draft=draft,
        )


@dataclass(frozen=True)
class DeliveryResult:
    """`commit_sha` is the commit carrying the change (the PR head in pr mode); None when
    nothing needed committing because the target already had the change."""

    result: Literal["created", "updated", "unchanged"]
    commit_sha: str | None
    pr_number: int | None
    pr_url: str | None
    branch: str


def pr_branch_for(hubs: Sequence[str]) -> str:
    """`hubimage/<hub>`, or `hubimage/<a>+<b>` for several hubs (sorted, so order is irrelevant)."""
    names = sorted(set(hubs))
    if not names:
        raise UsageError("a pull request needs at least one hub name")
    for name in names:
        if not _HUB_NAME.fullmatch(name) or name.endswith((".lock", ".")) or ".." in name:
            raise UsageError(
                f"hub name {name!r} cannot be part of a git branch name",
                hint="use letters, digits, '.', '_' and '-'",
            )
    return BRANCH_PREFIX + "+".join(names)


def pr_title_for(hubs: Sequence[str], tag: str) -> str:
    names = sorted(set(hubs))
    if len(names) == 1:
        return f"Bump {names[0]} image to {tag}"
    return f"Bump {', '.join(names)} images to {tag}"


def deliver_change(
    *,
    repo: GitHubRepo,
    path: str,
    edit: EditFunction,
    mode: Literal["commit", "pr"],
    message: str,
    branch: str | None = None,
    pr: PullRequestSpec | None = None,
    conflict_retries: int = DEFAULT_CONFLICT_RETRIES,
) -> DeliveryResult:
    """Apply `edit` to `path` in `repo`.

    commit mode: a commit on `branch` (default: the repository's default branch).
    pr mode: `branch` is the PR's base (default: the default branch); `pr` says the rest.
    """
    target = branch or repo.default_branch
    attempts = conflict_retries + 1
    if mode == "commit":
        return _deliver_commit(repo, path, edit, message, target, attempts)
    if pr is None:
        raise UsageError("pull-request mode needs a pull request description")
    return _deliver_pull(repo, path, edit, message, target, pr, attempts)


def _conflict(repo: GitHubRepo, path: str, branch: str, attempts: int) -> ConflictError:
    return ConflictError(
        f"{path} on {branch} in {repo.full_name} changed while we wrote it, {attempts} times "
        "in a row; gave up without overwriting anyone's change",
        hint="run again; if this keeps happening, something rewrites this file continuously",
    )


def _deliver_commit(
    repo: GitHubRepo, path: str, edit: EditFunction, message: str, branch: str, attempts: int
) -> DeliveryResult:
    for _ in range(attempts):
        current = repo.read_file(path, branch)
        change = edit(current.text)
        if not change.changed or change.new_text == current.text:
            return DeliveryResult("unchanged", None, None, None, branch)
        try:
            sha = repo.write_file(
                path, change.new_text, replaces=current.blob_sha, branch=branch, message=message
            )
        except StaleFileError:
            continue  # someone else committed to the file: re-read and re-apply our edit
        return DeliveryResult("created", sha, None, None, branch)
    raise _conflict(repo, path, branch, attempts)


def _deliver_pull(
    repo: GitHubRepo,
    path: str,
    edit: EditFunction,
    message: str,
    base: str,
    spec: PullRequestSpec,
    attempts: int,
) -> DeliveryResult:
    for _ in range(attempts):
        base_sha = repo.branch_head(base)
        if base_sha is None:
            raise UsageError(
                f"base branch {base!r} not found in {repo.full_name}",
                hint="check the branch input (empty means the repository's default branch)",
            )
        # Read at the sha, not the branch name: the file and the parent stay consistent.
        current = repo.read_file(path, base_sha, ref_name=base)
        change = edit(current.text)
        existing = repo.find_open_pull(spec.branch, base)
        if not change.changed or change.new_text == current.text:
            number, url = (existing.number, existing.url) if existing else (None, None)
            return DeliveryResult("unchanged", None, number, url, spec.branch)
        head_sha = repo.branch_head(spec.branch)
        if head_sha is not None and _is_rebased_change(repo, head_sha, base_sha, path, change):
            return _publish(repo, spec, base, head_sha, existing, new_commit=False)
        try:
            commit = _commit_on_staging(
                repo, path, change.new_text, current.blob_sha, base_sha, message
            )
        except StaleFileError:
            continue
        created = head_sha is None and repo.create_branch(spec.branch, commit)
        if not created:  # ours from an earlier run (or a run racing us): replace it in one step
            repo.force_branch(spec.branch, commit)
        return _publish(repo, spec, base, commit, existing, new_commit=True)
    raise _conflict(repo, path, spec.branch, attempts)


def _is_rebased_change(
    repo: GitHubRepo, head_sha: str, base_sha: str, path: str, change: TextEdit
) -> bool:
    """Does the PR branch already hold exactly this change, directly on the current base?"""
    if repo.commit_parents(head_sha) != [base_sha]:
        return False
    return repo.read_file(path, head_sha).text == change.new_text


def _commit_on_staging(
    repo: GitHubRepo, path: str, text: str, blob_sha: str, base_sha: str, message: str
) -> str:
    """A commit of `text` whose parent is `base_sha`, made on a throw-away branch."""
    staging = f"{STAGING_PREFIX}{uuid.uuid4().hex[:12]}"
    if not repo.create_branch(staging, base_sha):
        raise GitHubError(f"staging branch {staging} unexpectedly exists in {repo.full_name}")
    try:
        return repo.write_file(path, text, replaces=blob_sha, branch=staging, message=message)
    finally:
        repo.delete_branch(staging)


def _publish(
    repo: GitHubRepo,
    spec: PullRequestSpec,
    base: str,
    commit: str,
    existing: PullRequestInfo | None,
    *,
    new_commit: bool,
) -> DeliveryResult:
    """Create the PR, or bring the open one's title, body, labels and reviewers up to date."""
    if existing is None:
        pull = repo.create_pull(
            title=spec.title, body=spec.body, base=base, head=spec.branch, draft=spec.draft
        )
        _add_labels_and_reviewers(repo, spec, pull, with_reviewers=True)
        made: Literal["created", "updated"] = "updated" if pull.found_existing else "created"
        return DeliveryResult(made, commit, pull.number, pull.url, spec.branch)
    touched = new_commit
    # The body describes the commit (its checks, its run): a rerun that commits nothing new
    # (the image was already published, so its checks did not run again) keeps the body.
    if new_commit and (existing.title, existing.body) != (spec.title, spec.body):
        repo.update_pull(existing, title=spec.title, body=spec.body)
    # Reviews are asked for again only when the content changed: re-asking someone who
    # already reviewed the same commit would be noise.
    added = _add_labels_and_reviewers(repo, spec, existing, with_reviewers=new_commit)
    touched = touched or added
    result: Literal["updated", "unchanged"] = "updated" if touched else "unchanged"
    return DeliveryResult(result, commit, existing.number, existing.url, spec.branch)


def _add_labels_and_reviewers(
    repo: GitHubRepo, spec: PullRequestSpec, pull: PullRequestInfo, *, with_reviewers: bool
) -> bool:
    """Add what is missing (never remove what people added); True if anything was added."""
    labels = set(spec.labels) - pull.labels
    reviewers = set(spec.reviewers) - pull.reviewers if with_reviewers else set()
    teams = set(spec.team_reviewers) - pull.team_reviewers if with_reviewers else set()
    if labels:
        repo.add_labels(pull, labels)
    if reviewers or teams:
        repo.request_reviewers(pull, reviewers, teams)
    return bool(labels or reviewers or teams)
