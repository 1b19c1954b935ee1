"""Two runs opening the same pull request at once: the second updates the first's.

Both runs find no pull request, both move the branch, both ask to create: GitHub answers the
second 422 "A pull request already exists for owner:branch", keyed on head AND base (the same
branch may propose to two bases). The stand-in answers the same way, and its replies are
checked against GitHub's OpenAPI description.
"""

from __future__ import annotations

import pytest
import requests

from hubimage.rollout.deliver import PullRequestSpec, deliver_change
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, STANDIN_TOKEN, connect, replace_tag
from support.github_standin import GitHubStandIn

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

BRANCH = "hubimage/staging"


def test_the_second_of_two_racing_runs_updates_the_pull_request_the_first_opened(
    github_standin: GitHubStandIn,
) -> None:
    other_run = connect(github_standin)

    def the_other_run_creates_it_first() -> None:
        other_run.create_pull(
            title="Bump staging image to 2026.01.09",
            body="opened by the other run",
            base="main",
            head=BRANCH,
            draft=False,
        )

    github_standin.before("pulls/create", the_other_run_creates_it_first)
    spec = PullRequestSpec.for_hubs(
        ["staging"], "2026.02.02", "2026.01.01 -> 2026.02.02", labels=["hubimage"]
    )
    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="pr",
        message="Bump staging image to 2026.02.02",
        pr=spec,
    )

    (pull,) = github_standin.repos[CONFIG_REPO].pulls
    assert (result.result, result.pr_number) == ("updated", pull.number)
    assert (pull.title, pull.body) == (
        "Bump staging image to 2026.02.02",
        "2026.01.01 -> 2026.02.02",
    )
    assert pull.labels == ["hubimage"]
    assert len(github_standin.calls("pulls/create")) == 2


def test_the_stand_in_refuses_a_second_pull_request_for_the_same_head_and_base_only(
    github_standin: GitHubStandIn,
) -> None:
    store = github_standin.repos[CONFIG_REPO].store
    github_standin.commit_file(CONFIG_REPO, "main", "README.md", "Hub configs\n\nv2\n", "docs")
    main = store.git("rev-parse", "main")
    store.git("branch", "release", f"{main}~1")
    store.git("branch", BRANCH, main)
    github_standin.commit_file(CONFIG_REPO, BRANCH, "README.md", "Hub configs\n\nv3\n", "docs")
    url = f"{github_standin.url}/repos/{CONFIG_REPO}/pulls"
    headers = {"Authorization": f"token {STANDIN_TOKEN}", "Accept": "application/vnd.github+json"}

    def create(base: str) -> requests.Response:
        body = {"title": f"to {base}", "head": BRANCH, "base": base}
        return requests.post(url, json=body, headers=headers, timeout=10)

    assert create("main").status_code == 201
    assert create("release").status_code == 201  # same head, another base: allowed
    again = create("main")
    assert again.status_code == 422
    assert "A pull request already exists" in again.json()["message"]
