"""Transient failures are retried within bounds; other failures explain themselves safely."""

from __future__ import annotations

import time

import pytest

from hubimage.errors import ConfigError, GitHubError, UsageError
from hubimage.rollout.deliver import PullRequestSpec, deliver_change
from hubimage.rollout.github import GitHubRepo, RetryPolicy
from support.github_fixtures import (
    CONFIG_PATH,
    CONFIG_REPO,
    FAST_RETRY,
    STANDIN_TOKEN,
    connect,
    replace_tag,
)
from support.github_standin import GitHubStandIn

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

PUT_CONTENTS = "repos/create-or-update-file-contents"
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
)


def _bump_staging(repo: GitHubRepo) -> str:
    result = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="commit",
        message="Bump staging",
    )
    assert result.result == "created"
    assert result.commit_sha is not None
    return result.commit_sha


def _main(standin: GitHubStandIn) -> str:
    return standin.repos[CONFIG_REPO].store.git("rev-parse", "main")


def test_502s_are_retried(github_standin: GitHubStandIn) -> None:
    github_standin.inject(PUT_CONTENTS, 502, times=2)

    sha = _bump_staging(connect(github_standin))

    assert sha == _main(github_standin)
    assert [c.status for c in github_standin.calls(PUT_CONTENTS)] == [502, 502, 200]


def test_503s_beyond_the_attempt_bound_fail_without_a_change(
    github_standin: GitHubStandIn,
) -> None:
    before = _main(github_standin)
    github_standin.inject(PUT_CONTENTS, 503, times=FAST_RETRY.max_attempts)

    with pytest.raises(GitHubError, match=r"503.*gave up after 4 attempts"):
        _bump_staging(connect(github_standin))

    assert _main(github_standin) == before
    assert len(github_standin.calls(PUT_CONTENTS)) == FAST_RETRY.max_attempts


def test_secondary_rate_limit_waits_for_retry_after(github_standin: GitHubStandIn) -> None:
    github_standin.inject("repos/get-content", 403, headers={"Retry-After": "1"}, message=SECONDARY)
    started = time.monotonic()

    _bump_staging(connect(github_standin))

    assert time.monotonic() - started >= 1.0
    assert [c.status for c in github_standin.calls("repos/get-content")] == [403, 200]


def test_rate_limit_reset_header_is_honoured(github_standin: GitHubStandIn) -> None:
    reset = str(int(time.time()) + 1)
    github_standin.inject(
        PUT_CONTENTS,
        429,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
        message="API rate limit exceeded",
    )

    _bump_staging(connect(github_standin))

    assert [c.status for c in github_standin.calls(PUT_CONTENTS)] == [429, 200]


def test_retry_after_longer_than_the_cap_fails_at_once(github_standin: GitHubStandIn) -> None:
    github_standin.inject(PUT_CONTENTS, 403, headers={"Retry-After": "3600"}, message=SECONDARY)
    started = time.monotonic()

    with pytest.raises(GitHubError, match="rate limit") as raised:
        _bump_staging(connect(github_standin))

    assert time.monotonic() - started < 60  # did not wait the hour out
    assert "wait and run again" in str(raised.value)


def test_total_wait_is_bounded(github_standin: GitHubStandIn) -> None:
    policy = RetryPolicy(max_attempts=10, max_total_wait=1.5, max_retry_after=5.0)
    github_standin.inject(PUT_CONTENTS, 503, times=5, headers={"Retry-After": "1"})
    started = time.monotonic()

    with pytest.raises(GitHubError, match=r"gave up after 2 attempts and 1s of waiting"):
        _bump_staging(connect(github_standin, policy=policy))

    assert 1.0 <= time.monotonic() - started < 30  # waited, but within the bound


def test_bad_token_gives_401_error_without_the_token(github_standin: GitHubStandIn) -> None:
    secret = "ghp_WRONGtokenDoNotLeak0123456789"

    with pytest.raises(GitHubError) as raised:
        connect(github_standin, token=secret)

    text = f"{raised.value}\n{raised.value.hint}\n{raised.value!r}"
    assert "401" in text
    assert CONFIG_REPO in text
    assert secret not in text
    assert "WRONGtoken" not in text
    assert STANDIN_TOKEN not in text


def test_unknown_repository_names_it_and_the_permissions_to_check(
    github_standin: GitHubStandIn,
) -> None:
    with pytest.raises(GitHubError) as raised:
        connect(github_standin, repo="hub-org/no-such-repo")

    text = str(raised.value)
    assert "404" in text
    assert "hub-org/no-such-repo" in text
    assert "contents: write" in text
    assert "pull-requests: write" in text
    assert STANDIN_TOKEN not in text


def test_missing_config_file_is_bad_input_and_changes_nothing(
    github_standin: GitHubStandIn,
) -> None:
    before = _main(github_standin)

    with pytest.raises(ConfigError, match=r"config/nope\.yaml not found at main"):
        deliver_change(
            repo=connect(github_standin),
            path="config/nope.yaml",
            edit=replace_tag("staging", "x"),
            mode="pr",
            message="m",
            pr=PullRequestSpec.for_hubs(["staging"], "x", "body"),
        )

    assert _main(github_standin) == before
    assert list(github_standin.repos[CONFIG_REPO].store.branches()) == ["main"]


def test_missing_base_branch_is_a_usage_error(github_standin: GitHubStandIn) -> None:
    with pytest.raises(UsageError, match="base branch 'nope' not found in hub-org/hub-config"):
        deliver_change(
            repo=connect(github_standin),
            path=CONFIG_PATH,
            edit=replace_tag("staging", "x"),
            mode="pr",
            message="m",
            branch="nope",
            pr=PullRequestSpec.for_hubs(["staging"], "x", "body"),
        )

    assert list(github_standin.repos[CONFIG_REPO].store.branches()) == ["main"]


@pytest.mark.parametrize(
    ("name", "token", "base_url"),
    [
        ("not-a-repo", STANDIN_TOKEN, "https://api.github.com"),
        ("owner/name/extra", STANDIN_TOKEN, "https://api.github.com"),
        (CONFIG_REPO, "  ", "https://api.github.com"),
        (CONFIG_REPO, STANDIN_TOKEN, "api.github.com"),
    ],
)
def test_bad_connection_input_is_a_usage_error(name: str, token: str, base_url: str) -> None:
    with pytest.raises(UsageError) as raised:
        GitHubRepo.connect(name, token, base_url=base_url)
    assert STANDIN_TOKEN not in str(raised.value)


def test_hub_names_that_cannot_be_branch_names_are_rejected() -> None:
    with pytest.raises(UsageError, match="cannot be part of a git branch name"):
        PullRequestSpec.for_hubs(["ok", "bad name"], "tag", "body")
