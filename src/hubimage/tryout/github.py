"""The GitHub side of the comment: which pull request a run is for, and its one comment.

`upsert_comment` pages through every comment of the pull request (GitHub's issue comments,
`GET /repos/{owner}/{repo}/issues/{number}/comments`), takes the first whose body begins with
`MARKER`, and edits it (`PATCH .../issues/comments/{id}`) or, when there is none, creates
one (`POST .../issues/{number}/comments`). Comments without the marker are never touched.
Two runs that start at once can both find none and both create one: a workflow keeps to one
run per pull request with `concurrency: { group: pr-${{ github.event.number }} }`.

The body is redacted of every known secret before it leaves (`hubimage.secrets`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from github import GithubException

from hubimage.errors import GitHubError, UsageError
from hubimage.rollout.github import GitHubRepo
from hubimage.secrets import SECRETS
from hubimage.tryout.comment import MARKER

CommentResult = Literal["created", "updated", "unchanged"]
T = TypeVar("T")


class PullRequestSource(NamedTuple):
    number: int | None  # None when the event is not about a pull request
    same_repository: bool  # the head branch lives in the base repository (not a fork)
    why: str  # one sentence for the log


def upsert_comment(repo: Any, number: int, body: str) -> CommentResult:
    """Create or update the pull request's one comment that begins with `MARKER`.

    `repo` is a `hubimage.rollout.github.GitHubRepo` (its retries and error messages) or a
    PyGithub `Repository`. GitHubError when GitHub refuses (the token needs
    `pull-requests: write`).
    """
    if not body.startswith(MARKER):
        body = f"{MARKER}\n{body}"
    body = SECRETS.redact(body)
    handle, call = _connection(repo)
    issue = handle.get_issue(number)  # no request: PyGithub's issue is lazy
    found = call(
        f"list the comments of pull request #{number}",
        lambda: next((c for c in issue.get_comments() if _ours(c.body)), None),
    )
    if found is None:
        call(f"comment on pull request #{number}", lambda: issue.create_comment(body))
        return "created"
    if str(found.body) == body:
        return "unchanged"
    call(f"update comment {found.id} on pull request #{number}", lambda: found.edit(body))
    return "updated"


def _ours(text: object) -> bool:
    return isinstance(text, str) and text.split("\n", 1)[0].strip() == MARKER


def _connection(repo: Any) -> tuple[Any, Callable[[str, Callable[[], Any]], Any]]:
    """The PyGithub repository, and how to call GitHub through it."""
    if isinstance(repo, GitHubRepo):
        # Its `call` retries and words the errors.
        return repo.repository, repo.call

    def call(what: str, action: Callable[[], T]) -> T:
        try:
            return action()
        except GithubException as error:
            raise GitHubError(
                f"GitHub failed ({error.status}) to {what} in {repo.full_name}",
                hint="the token needs `pull-requests: write` on the repository",
            ) from error

    return repo, call


def read_event(path: str | Path) -> dict[str, Any]:
    """`GITHUB_EVENT_PATH`'s JSON (the webhook payload of the event that started the run)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        message = f"cannot read the event payload {path}: {type(error).__name__}"
        raise UsageError(message) from error
    if not isinstance(data, dict):
        raise UsageError(f"the event payload {path} is not a JSON object")
    return data


def pull_request_source(event: Mapping[str, Any]) -> PullRequestSource:
    """Which pull request a `pull_request` (or `pull_request_target`) event is about, and
    whether its branch is in the same repository: `pull_request.head.repo.full_name` against
    `pull_request.base.repo.full_name` (a deleted fork has `head.repo: null`)."""
    pull = event.get("pull_request")
    number = pull.get("number") if isinstance(pull, Mapping) else None
    if not isinstance(pull, Mapping) or not isinstance(number, int):
        return PullRequestSource(None, False, "the event is not about a pull request")
    base = _full_name(pull.get("base"))
    head = pull.get("head")
    head_name = _full_name(head)
    branch = str(head.get("ref") or "?") if isinstance(head, Mapping) else "?"
    if base is None:
        why = f"pull request #{number} names no base repository"
        return PullRequestSource(number, False, why)
    if head_name is None:
        why = f"pull request #{number} comes from a fork that has been deleted"
        return PullRequestSource(number, False, why)
    if head_name.casefold() != base.casefold():
        why = f"pull request #{number} comes from the fork {head_name} (branch {branch})"
        return PullRequestSource(number, False, why)
    why = f"pull request #{number} comes from branch {branch} of {base} itself"
    return PullRequestSource(number, True, why)


def _full_name(side: object) -> str | None:
    repo = side.get("repo") if isinstance(side, Mapping) else None
    name = repo.get("full_name") if isinstance(repo, Mapping) else None
    return name if isinstance(name, str) and name else None
