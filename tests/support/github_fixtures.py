"""Fixtures for code that talks to GitHub: a local stand-in server checked against GitHub's
OpenAPI description (installed with npm on first use; see github_standin/openapi_spec.py).

Any request or response that does not match the description fails the test at teardown.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hubimage.rollout.github import GitHubRepo, RetryPolicy
from support.github_standin import GitHubOpenAPI, GitHubStandIn, ensure_openapi_installed
from support.registry_fixtures import RunningRegistry

STANDIN_TOKEN = "ghs_standinTOKEN0123456789abcdefABCDEF"  # looks like an app token
CONFIG_REPO = "hub-org/hub-config"
CONFIG_PATH = "config/hubs.yaml"

# Written for these tests (the real hub configs live in ../shared and are not copied here).
HUBS_YAML = """\
# Hubs of the example cluster
hubs:
  - name: staging
    image:
      name: registry.example.org/team/user-image
      tag: "2026.01.01"  # hub: staging
  - name: prod
    image:
      name: registry.example.org/team/user-image
      tag: "2025.12.01"  # hub: prod
"""


# Short waits so retry tests take seconds, not minutes; bounds still apply.
FAST_RETRY = RetryPolicy(
    max_attempts=4, max_total_wait=5.0, max_retry_after=3.0, first_backoff=0.05
)


@dataclass(frozen=True)
class LineEdit:
    new_text: str
    changed: bool


def replace_tag(hub: str, tag: str) -> Callable[[str], LineEdit]:
    """A stand-in for the real YAML editor: rewrite the `tag:` line marked `# hub: <hub>`."""
    line = re.compile(rf'^(\s*tag: )"[^"]*"(\s+# hub: {re.escape(hub)})$', re.MULTILINE)

    def edit(text: str) -> LineEdit:
        new_text, count = line.subn(rf'\g<1>"{tag}"\g<2>', text)
        assert count == 1, f"no tag line for hub {hub}"
        return LineEdit(new_text, new_text != text)

    return edit


def connect(
    standin: GitHubStandIn,
    *,
    token: str = STANDIN_TOKEN,
    enterprise: bool = False,
    policy: RetryPolicy = FAST_RETRY,
    repo: str = CONFIG_REPO,
) -> GitHubRepo:
    base_url = standin.ghe_url if enterprise else standin.url
    return GitHubRepo.connect(repo, token, base_url=base_url, policy=policy, throttle=False)


@pytest.fixture(scope="session")
def github_openapi() -> GitHubOpenAPI:
    return GitHubOpenAPI.load(ensure_openapi_installed())


@pytest.fixture
def github_standin(github_openapi: GitHubOpenAPI, tmp_path: Path) -> Iterator[GitHubStandIn]:
    """A running stand-in with STANDIN_TOKEN and CONFIG_REPO (HUBS_YAML at CONFIG_PATH)."""
    workdir = tmp_path / "github-standin"
    workdir.mkdir()
    standin = GitHubStandIn(github_openapi, workdir).start()
    standin.add_token(STANDIN_TOKEN)
    standin.add_repo(CONFIG_REPO, {CONFIG_PATH: HUBS_YAML, "README.md": "Hub configs\n"})
    try:
        yield standin
    finally:
        standin.stop()
    assert not standin.violations, "GitHub API description violated:\n" + "\n".join(
        standin.violations
    )


def config_repo_inputs(image: str, registry: RunningRegistry) -> dict[str, str]:
    """The action inputs of a run that pushes `image` with `registry`'s credentials and reads
    (and bumps) the staging hub of CONFIG_REPO on the stand-in (GITHUB_API_URL its url)."""
    return {
        "image": image,
        "registry-username": registry.username,
        "registry-password": registry.password,
        "hub-config": CONFIG_PATH,
        "hubs": "staging",
        "bump-repository": CONFIG_REPO,
        "github-token": STANDIN_TOKEN,
    }
