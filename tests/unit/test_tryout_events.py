"""Which pull request a run is for, and whether its branch is in the same repository, read
from `pull_request` event payloads as GitHub writes them to GITHUB_EVENT_PATH (each payload
checked against the webhook schemas of GitHub's OpenAPI description)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hubimage.errors import UsageError
from hubimage.tryout import pull_request_source, read_event
from support.github_standin import GitHubOpenAPI, payloads

BASE = "my-org/hub-image"
FORK = "contributor/hub-image"
ACTIONS = ("opened", "synchronize", "closed")
# GitHub sends `head.repo: null` for a deleted fork; its description does not allow it
# (github/rest-api-description#161 and #1811).
DELETED_FORK_INACCURACY = "at /pull_request/head/repo: None is not of type 'object'"


def event(action: str, head_repo: str | None) -> dict[str, Any]:
    pr = payloads.PullState(7, "Add xarray", "Adds xarray.", "add-xarray", "main", False, "alice")
    return payloads.pull_request_event(
        payloads.GITHUB_COM, action, BASE, pr, head_repo=head_repo,
        head_sha="9b2f" * 10, base_sha="0d1a" * 10, before="c0ff" * 10,
    )  # fmt: skip


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("head_repo", [BASE, FORK, None], ids=["same", "fork", "deleted-fork"])
def test_event_payloads_are_what_github_sends(
    github_openapi: GitHubOpenAPI, action: str, head_repo: str | None
) -> None:
    problems = github_openapi.event_violations("pull_request", action, event(action, head_repo))
    if head_repo is None:
        assert [p for p in problems if DELETED_FORK_INACCURACY not in p] == []
    else:
        assert problems == []


@pytest.mark.parametrize("action", ACTIONS)
def test_a_branch_of_the_same_repository(action: str, tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event(action, BASE)))
    source = pull_request_source(read_event(path))
    assert source == (
        7,
        True,
        "pull request #7 comes from branch add-xarray of my-org/hub-image itself",
    )


@pytest.mark.parametrize("action", ACTIONS)
def test_a_fork(action: str) -> None:
    number, same, why = pull_request_source(event(action, FORK))
    assert (number, same) == (7, False)
    assert why == "pull request #7 comes from the fork contributor/hub-image (branch add-xarray)"


def test_a_deleted_fork() -> None:
    assert pull_request_source(event("closed", None)) == (
        7, False, "pull request #7 comes from a fork that has been deleted",
    )  # fmt: skip


def test_the_recorded_fork_event_of_the_action_tests() -> None:
    recorded = Path(__file__).parents[1] / "data" / "events" / "pull_request.json"
    number, same, _ = pull_request_source(json.loads(recorded.read_text()))
    assert (number, same) == (42, False)


def test_other_events_are_not_about_a_pull_request(tmp_path: Path) -> None:
    push = Path(__file__).parents[1] / "data" / "events" / "push.json"
    assert pull_request_source(read_event(push)) == (
        None,
        False,
        "the event is not about a pull request",
    )
    broken = tmp_path / "event.json"
    broken.write_text("[1, 2]")
    with pytest.raises(UsageError, match="is not a JSON object"):
        read_event(broken)
