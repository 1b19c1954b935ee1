"""The hub config's repository as one run sees it through the GitHub API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubimage.errors import ConfigError, UsageError
from hubimage.rollout.request import RolloutRequest


class ConfigRepository:
    """The hub config's repository as one run sees it through the GitHub API.

    Connected once (each connection is a request, and against api.github.com PyGithub
    spaces requests 0.25 s apart). The preview and the look at the hub's current image
    share one read of each file, both made before the build; the bump reads afresh, as the
    branch may have moved while the image was built.
    """

    def __init__(self, request: RolloutRequest) -> None:
        self._request = request
        self._repo: Any = None
        self._planned: dict[str, str | None] = {}

    @property
    def repo(self) -> Any:
        if self._repo is None:
            self._repo = connect(self._request)
        return self._repo

    @property
    def base(self) -> str:
        return self._request.branch or str(self.repo.default_branch)

    def planning_reader(self) -> Callable[[str], str | None]:
        """Reads for the plan made before the build: each file read once per run."""
        read = self.fresh_reader()

        def planned(path: str) -> str | None:
            if path not in self._planned:
                self._planned[path] = read(path)
            return self._planned[path]

        return planned

    def fresh_reader(self) -> Callable[[str], str | None]:
        return github_reader(self.repo, self.base)


def connect(request: RolloutRequest) -> Any:
    from hubimage.rollout.github import DEFAULT_API_URL, GitHubRepo  # (start-up: PyGithub)

    # bump-mode none reads here too (the checks' spawn settings), so the message names the read.
    what = f"reading {request.config} from the config repository"
    if not request.repository:
        raise UsageError(f"{what} needs its name (owner/name, input 'bump-repository')")
    if not request.token:
        raise UsageError(f"{what} needs a GitHub token (input 'github-token')")
    return GitHubRepo.connect(
        request.repository, request.token, base_url=request.api_url or DEFAULT_API_URL
    )


def github_reader(repo: Any, ref: str) -> Callable[[str], str | None]:
    """Read files from `ref`; None for a file that does not exist (values file listed, absent)."""

    def read(path: str) -> str | None:
        try:
            return str(repo.read_file(path, ref).text)
        except ConfigError as error:
            if "not found" in error.message:
                return None
            raise

    return read
