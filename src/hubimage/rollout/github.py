"""One GitHub repository as hubimage needs it, over the REST API with PyGithub (no clone).

Files are written through the contents API: with a bot or app token GitHub signs those commits
itself, and every write carries the blob sha it replaces, so GitHub refuses (409) to overwrite a
change we have not seen. Transient failures (502/503/504, secondary rate limits) are retried
here, within the bounds of a `RetryPolicy`; every other failure becomes a `GitHubError` whose
message names the repository and what to check, and never contains the token.
"""

from __future__ import annotations

import contextlib
import re
import time
import urllib.parse
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from typing import Any, Final, TypeVar

import requests
from github import Auth, Github, GithubException

from hubimage.errors import ConfigError, GitHubError, UsageError
from hubimage.secrets import safe_for_credentials

T = TypeVar("T")

DEFAULT_API_URL: Final = "https://api.github.com"
_REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_TRANSIENT: Final = frozenset({502, 503, 504})
_NEEDED_PERMISSIONS: Final = "`contents: write` and `pull-requests: write`"


@dataclass(frozen=True)
class RetryPolicy:
    """How long one API call may keep retrying before it fails."""

    max_attempts: int = 6
    max_total_wait: float = 300.0  # seconds of waiting, summed over one call's retries
    max_retry_after: float = 120.0  # longest single wait we accept from Retry-After / reset
    first_backoff: float = 2.0  # wait after the first 5xx; doubles each time


@dataclass(frozen=True)
class FileSnapshot:
    text: str
    blob_sha: str  # what a write must name to replace exactly this version


@dataclass(frozen=True)
class PullRequestInfo:
    number: int
    url: str
    title: str
    body: str
    head_sha: str
    labels: frozenset[str]
    reviewers: frozenset[str]
    team_reviewers: frozenset[str]
    handle: Any = field(repr=False, compare=False)  # the PyGithub object, for edits
    found_existing: bool = False  # create_pull found one another run had just opened


class StaleFileError(GitHubError):
    """The file changed since we read it (GitHub answered 409, or 422 "sha does not match")."""


class GitHubRepo:
    """A connected repository. Build it with `GitHubRepo.connect`."""

    def __init__(
        self, *, full_name: str, github: Github, repository: Any, api_url: str, policy: RetryPolicy
    ) -> None:
        self.full_name = full_name
        self.api_url = api_url
        self.policy = policy
        self._github = github
        self._repo = repository

    @property
    def repository(self) -> Any:
        """The PyGithub repository, for calls this class does not wrap (made through `call`)."""
        return self._repo

    @classmethod
    def connect(
        cls,
        full_name: str,
        token: str,
        *,
        base_url: str = DEFAULT_API_URL,
        policy: RetryPolicy | None = None,
        timeout: float = 15.0,
        throttle: bool = True,
    ) -> GitHubRepo:
        """Check the inputs and read the repository (so a wrong name or token fails first).

        `base_url` is `https://HOST/api/v3` for GitHub Enterprise Server. `throttle` keeps
        PyGithub's pause between requests (0.25 s) and writes (1 s) that GitHub asks of
        integrations; tests against a local server turn it off.
        """
        if not _REPO_NAME.fullmatch(full_name):
            raise UsageError(f"GitHub repository must be `owner/name`, got {full_name!r}")
        if not token.strip():
            raise UsageError(
                f"no GitHub token given for {full_name}",
                hint=f"pass a token with {_NEEDED_PERMISSIONS} on {full_name}",
            )
        if not safe_for_credentials(base_url):
            raise UsageError(
                f"GitHub API URL must start with https://, got {base_url!r}",
                hint="the token would travel in clear text; plain http works only on loopback",
            )
        github = Github(
            base_url=base_url.rstrip("/"),
            auth=Auth.Token(token.strip()),
            timeout=int(timeout),
            retry=None,  # we retry ourselves: PyGithub's default may sleep for minutes
            seconds_between_requests=0.25 if throttle else None,
            seconds_between_writes=1.0 if throttle else None,
        )
        repo = cls(
            full_name=full_name,
            github=github,
            repository=None,  # read below, through `call` so it is retried like every request
            api_url=base_url,
            policy=policy or RetryPolicy(),
        )
        repo._repo = repo.call("read the repository", lambda: github.get_repo(full_name))
        return repo

    @property
    def default_branch(self) -> str:
        return str(self._repo.default_branch)

    @property
    def owner(self) -> str:
        return self.full_name.split("/")[0]

    # --- files ---------------------------------------------------------------------------

    def read_file(self, path: str, ref: str, *, ref_name: str | None = None) -> FileSnapshot:
        """The file at a branch or commit; ConfigError if it is not a UTF-8 text file there.

        `ref_name` is how messages name `ref` (a branch name rather than the sha read).
        """
        shown = ref_name or ref
        try:
            content = self.call(
                f"read {path} at {ref}",
                lambda: self._repo.get_contents(path, ref=ref),
                passthrough={404},
            )
        except GithubException as error:
            raise ConfigError(
                f"{path} not found at {shown} in {self.full_name}",
                hint="check the config file path and the branch",
            ) from error
        if isinstance(content, list) or content.type != "file":
            raise ConfigError(f"{path} at {shown} in {self.full_name} is not a file")
        if content.encoding != "base64":
            raise ConfigError(f"{path} in {self.full_name} is too large for the contents API")
        try:
            text = content.decoded_content.decode("utf-8")
        except UnicodeDecodeError as error:
            raise ConfigError(f"{path} in {self.full_name} is not UTF-8 text") from error
        return FileSnapshot(text=text, blob_sha=str(content.sha))

    def write_file(self, path: str, text: str, *, replaces: str, branch: str, message: str) -> str:
        """Commit `text` on top of `branch` if the file there is still blob `replaces`."""
        try:
            result = self.call(
                f"write {path} on {branch}",
                lambda: self._repo.update_file(
                    path, message, text.encode("utf-8"), replaces, branch=branch
                ),
                passthrough={409, 422},
            )
        except GithubException as error:
            if error.status == 409 or "sha" in _message(error).lower():
                raise StaleFileError(f"{path} changed on {branch} in {self.full_name}") from error
            raise self._error(error, f"write {path} on {branch}") from error
        return str(result["commit"].sha)

    # --- branches and commits ------------------------------------------------------------

    def branch_head(self, branch: str) -> str | None:
        try:
            return str(
                self.call(
                    f"read branch {branch}",
                    lambda: self._repo.get_git_ref(f"heads/{branch}").object.sha,
                    passthrough={404},
                )
            )
        except GithubException:
            return None

    def commit_parents(self, sha: str) -> list[str]:
        commit = self.call(f"read commit {sha}", lambda: self._repo.get_git_commit(sha))
        return [str(parent.sha) for parent in commit.parents]

    def create_branch(self, branch: str, sha: str) -> bool:
        """False when the branch already exists (we do not move it here)."""
        try:
            self.call(
                f"create branch {branch}",
                lambda: self._repo.create_git_ref(f"refs/heads/{branch}", sha),
                passthrough={422},
            )
        except GithubException as error:
            if "already exists" in _message(error):
                return False
            raise self._error(error, f"create branch {branch}") from error
        return True

    def force_branch(self, branch: str, sha: str) -> None:
        """Point an existing branch at `sha`, even if that is not a fast-forward."""
        self._request(
            "PATCH", self._ref_url(branch), f"move branch {branch}", {"sha": sha, "force": True}
        )

    def delete_branch(self, branch: str) -> None:
        """Delete a branch; one that is already gone is fine."""
        with contextlib.suppress(GithubException):  # 422 "Reference does not exist"
            self.call(
                f"delete branch {branch}",
                lambda: self._github.requester.requestJsonAndCheck("DELETE", self._ref_url(branch)),
                passthrough={422},
            )

    # --- pull requests -------------------------------------------------------------------

    def find_open_pull(self, head: str, base: str) -> PullRequestInfo | None:
        def first() -> Any:
            pulls = self._repo.get_pulls(state="open", head=f"{self.owner}:{head}", base=base)
            return next(iter(pulls), None)

        found = self.call(f"list pull requests from {head}", first)
        return None if found is None else _pull_info(found)

    def create_pull(
        self, *, title: str, body: str, base: str, head: str, draft: bool
    ) -> PullRequestInfo:
        """Open a pull request; if another run just opened one for head and base, update it.

        Two runs that bump the same hubs at once both find no pull request, both move the
        branch, both create: GitHub answers the second 422 "A pull request already exists".
        """
        try:
            created = self.call(
                f"open a pull request from {head}",
                lambda: self._repo.create_pull(
                    title=title, body=body, base=base, head=head, draft=draft
                ),
                passthrough={422},
            )
        except GithubException as error:
            if "already exists" not in _message(error):
                raise self._error(error, f"open a pull request from {head}") from error
            existing = self._find_racing_pull(head, base)
            if (existing.title, existing.body) != (title, body):
                self.update_pull(existing, title=title, body=body)
            return replace(existing, title=title, body=body, found_existing=True)
        return _pull_info(created)

    def _find_racing_pull(self, head: str, base: str) -> PullRequestInfo:
        """The open pull request GitHub says exists (its list may lag its check a moment)."""
        for attempt in range(3):
            found = self.find_open_pull(head, base)
            if found is not None:
                return found
            time.sleep(self.policy.first_backoff * 2**attempt)
        raise GitHubError(
            f"GitHub says a pull request from {head} to {base} exists in {self.full_name}, "
            "but lists none open",
            hint="run again; if it persists, close the pull request from that branch",
        )

    def update_pull(self, pull: PullRequestInfo, *, title: str, body: str) -> None:
        self.call(
            f"update pull request #{pull.number}", lambda: pull.handle.edit(title=title, body=body)
        )

    def add_labels(self, pull: PullRequestInfo, labels: Collection[str]) -> None:
        # The documented body is {"labels": [...]}; PyGithub's add_to_labels sends a bare list.
        url = f"{self._repo.url}/issues/{pull.number}/labels"
        self._request("POST", url, f"label pull request #{pull.number}", {"labels": sorted(labels)})

    def request_reviewers(
        self, pull: PullRequestInfo, reviewers: Collection[str], teams: Collection[str]
    ) -> None:
        self.call(
            f"request reviews on pull request #{pull.number}",
            lambda: pull.handle.create_review_request(
                reviewers=sorted(reviewers), team_reviewers=sorted(teams)
            ),
        )

    # --- calling GitHub ------------------------------------------------------------------

    def call(self, what: str, action: Callable[[], T], *, passthrough: Collection[int] = ()) -> T:
        """Run one API action, retrying transient failures within the policy.

        Statuses in `passthrough` are re-raised as GithubException for the caller to interpret;
        every other failure becomes a GitHubError about `what`.
        """
        waited = 0.0
        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                return action()
            except GithubException as error:
                if error.status in passthrough:
                    raise
                wait = _retry_wait(error, attempt, self.policy)
                failure: GitHubError = self._error(error, what)
            except requests.RequestException as error:
                wait = self.policy.first_backoff * 2 ** (attempt - 1)
                failure = GitHubError(
                    f"could not reach GitHub at {self.api_url} to {what} in {self.full_name}: "
                    f"{type(error).__name__}"
                )
            if wait is None:
                raise failure
            if attempt == self.policy.max_attempts or waited + wait > self.policy.max_total_wait:
                raise GitHubError(
                    f"{failure.message}; gave up after {attempt} attempts "
                    f"and {waited:.0f}s of waiting",
                    hint=failure.hint,
                )
            time.sleep(wait)
            waited += wait
        raise AssertionError("unreachable: the loop returns or raises")

    def _request(self, verb: str, url: str, what: str, body: dict[str, Any]) -> None:
        self.call(what, lambda: self._github.requester.requestJsonAndCheck(verb, url, input=body))

    def _ref_url(self, branch: str) -> str:
        return f"{self._repo.url}/git/refs/heads/{urllib.parse.quote(branch)}"

    def _error(self, error: GithubException, what: str) -> GitHubError:
        status, detail = error.status, _message(error)
        where = f"{what} in {self.full_name}"
        if status == 401:
            return GitHubError(
                f"GitHub rejected the token (401 Bad credentials) trying to {where}",
                hint=f"check that the token is set, not expired, and valid for {self.api_url}",
            )
        if status == 404:
            return GitHubError(
                f"GitHub answered 404 Not Found trying to {where}",
                hint=(
                    f"check that {self.full_name} exists at {self.api_url} and that the token "
                    "can see it: a fine-grained token must include this repository with "
                    f"{_NEEDED_PERMISSIONS}"
                ),
            )
        if status in (403, 429) and "rate limit" in detail.lower():
            return GitHubError(
                f"GitHub's rate limit ({status}: {detail}) stopped us trying to {where}",
                hint="wait and run again; everything using this token shares the limit",
            )
        if status == 403:
            return GitHubError(
                f"GitHub refused (403: {detail}) to {where}",
                hint=(
                    f"the token needs {_NEEDED_PERMISSIONS} on {self.full_name} (classic "
                    "tokens: `repo`); branch protection or rulesets may also block the write"
                ),
            )
        return GitHubError(f"GitHub failed ({status}: {detail}) to {where}")


def _message(error: GithubException) -> str:
    data = error.data if isinstance(error.data, dict) else {}
    message = str(data.get("message", "")) or str(error.message or "")
    details = [str(e.get("message", e)) for e in data.get("errors", []) if isinstance(e, dict)]
    return "; ".join([message, *details]) if details else message


def _retry_wait(error: GithubException, attempt: int, policy: RetryPolicy) -> float | None:
    """Seconds to wait before retrying, or None when retrying cannot help."""
    headers = {key.lower(): value for key, value in (error.headers or {}).items()}
    requested = _requested_wait(headers)
    if error.status in _TRANSIENT:
        wait = requested if requested is not None else policy.first_backoff * 2 ** (attempt - 1)
        return min(wait, policy.max_retry_after)
    if error.status in (403, 429):
        if requested is None and "secondary rate limit" in _message(error).lower():
            requested = 60.0  # GitHub's advice when it gives no header
        if requested is not None and requested <= policy.max_retry_after:
            return requested
    return None


def _requested_wait(headers: dict[str, str]) -> float | None:
    """The wait GitHub asks for: Retry-After, else the primary rate limit's reset time."""
    try:
        if "retry-after" in headers:
            return max(float(headers["retry-after"]), 0.0)
        if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
            return max(float(headers["x-ratelimit-reset"]) - time.time(), 0.0) + 1.0
    except ValueError:
        return None  # an HTTP-date or garbage: fall back to our own backoff
    return None


def _pull_info(pull: Any) -> PullRequestInfo:
    return PullRequestInfo(
        number=int(pull.number),
        url=str(pull.html_url),
        title=str(pull.title),
        body=str(pull.body or ""),
        head_sha=str(pull.head.sha),
        labels=frozenset(str(label.name) for label in pull.labels),
        reviewers=frozenset(str(user.login) for user in pull.requested_reviewers),
        team_reviewers=frozenset(str(team.slug) for team in pull.requested_teams),
        handle=pull,
    )
