"""Pull-request mode against the GitHub stand-in: one branch and one PR per set of hubs."""

from __future__ import annotations

import pytest

from hubimage.rollout.deliver import PullRequestSpec, deliver_change, pr_branch_for
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, connect, replace_tag
from support.github_standin import GitHubStandIn, GitStore

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

WRITES = ("POST", "PUT", "PATCH", "DELETE")


def _store(standin: GitHubStandIn) -> GitStore:
    return standin.repos[CONFIG_REPO].store


def _spec(tag: str, body: str, **extra: object) -> PullRequestSpec:
    return PullRequestSpec.for_hubs(["staging"], tag, body, **extra)  # type: ignore[arg-type]


def test_pr_is_created_then_rebased_and_updated_then_left_alone(
    github_standin: GitHubStandIn,
) -> None:
    store = _store(github_standin)
    repo = connect(github_standin)
    spec = _spec(
        "2026.02.02",
        "2026.01.01 -> 2026.02.02",
        labels=["hubimage", "bump"],
        reviewers=["alice"],
        team_reviewers=["infra"],
        draft=True,
    )

    first = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="pr",
        message="Bump staging image to 2026.02.02",
        pr=spec,
    )

    assert (first.result, first.branch, first.pr_number) == ("created", "hubimage/staging", 1)
    assert first.pr_url == f"{github_standin.url}/{CONFIG_REPO}/pull/1"
    main_1 = store.git("rev-parse", "main")
    assert store.git("rev-parse", "hubimage/staging") == first.commit_sha
    assert store.git("log", "--format=%P", "-1", "hubimage/staging") == main_1
    assert 'tag: "2026.02.02"  # hub: staging' in store.git(
        "show", f"hubimage/staging:{CONFIG_PATH}"
    )
    (pull,) = github_standin.repos[CONFIG_REPO].pulls
    assert (pull.title, pull.body, pull.base, pull.head) == (
        "Bump staging image to 2026.02.02",
        "2026.01.01 -> 2026.02.02",
        "main",
        "hubimage/staging",
    )
    assert (pull.draft, sorted(pull.labels), pull.reviewers, pull.team_reviewers) == (
        True,
        ["bump", "hubimage"],
        ["alice"],
        ["infra"],
    )

    # The base moves on (someone bumps prod), then a newer staging tag arrives.
    theirs = replace_tag("prod", "2026.09.09")(store.git("show", f"main:{CONFIG_PATH}")).new_text
    main_2 = github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, theirs, "Bump prod")
    newer = _spec("2026.03.03", "2026.01.01 -> 2026.03.03", labels=["hubimage", "bump"])
    second = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.03.03"),
        mode="pr",
        message="Bump staging image to 2026.03.03",
        pr=newer,
    )

    assert (second.result, second.pr_number, second.pr_url) == ("updated", 1, first.pr_url)
    assert second.commit_sha == store.git("rev-parse", "hubimage/staging") != first.commit_sha
    # Rebased: one commit, directly on the new base, carrying both changes.
    assert store.git("log", "--format=%P", "-1", "hubimage/staging") == main_2
    assert store.git("rev-list", "--count", "main..hubimage/staging") == "1"
    text = store.git("show", f"hubimage/staging:{CONFIG_PATH}")
    assert 'tag: "2026.03.03"  # hub: staging' in text
    assert 'tag: "2026.09.09"  # hub: prod' in text
    assert len(github_standin.repos[CONFIG_REPO].pulls) == 1
    assert (pull.title, pull.body) == (
        "Bump staging image to 2026.03.03",
        "2026.01.01 -> 2026.03.03",
    )
    assert main_1 != main_2 == store.git("rev-parse", "main")  # base untouched by us

    writes_before = [c for c in github_standin.log if c.method in WRITES]
    third = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.03.03"),
        mode="pr",
        message="Bump staging image to 2026.03.03",
        pr=newer,
    )

    assert (third.result, third.pr_number, third.commit_sha) == ("unchanged", 1, second.commit_sha)
    assert store.git("rev-parse", "hubimage/staging") == second.commit_sha
    assert [c for c in github_standin.log if c.method in WRITES] == writes_before
    assert not [b for b in store.branches() if b.startswith("hubimage-staging/")]


def test_same_input_twice_makes_no_second_commit_or_pr(github_standin: GitHubStandIn) -> None:
    store = _store(github_standin)
    repo = connect(github_standin)
    kwargs = dict(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="pr",
        message="Bump staging image to 2026.02.02",
        pr=_spec("2026.02.02", "body"),
    )

    first = deliver_change(**kwargs)  # type: ignore[arg-type]
    head = store.git("rev-parse", "hubimage/staging")
    second = deliver_change(**kwargs)  # type: ignore[arg-type]

    assert first.result == "created"
    assert (second.result, second.pr_number, second.commit_sha) == ("unchanged", 1, head)
    assert store.git("rev-parse", "hubimage/staging") == head
    assert len(github_standin.repos[CONFIG_REPO].pulls) == 1


def test_base_that_already_has_the_change_gets_no_branch_or_pr(
    github_standin: GitHubStandIn,
) -> None:
    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.01.01"),  # the tag it already has
        mode="pr",
        message="Bump staging",
        pr=_spec("2026.01.01", "body"),
    )

    assert (result.result, result.commit_sha, result.pr_number) == ("unchanged", None, None)
    assert list(_store(github_standin).branches()) == ["main"]
    assert github_standin.repos[CONFIG_REPO].pulls == []


def test_several_hubs_share_one_branch_and_pr(github_standin: GitHubStandIn) -> None:
    store = _store(github_standin)
    staging, prod = replace_tag("staging", "2026.06.06"), replace_tag("prod", "2026.06.06")
    spec = PullRequestSpec.for_hubs(["staging", "prod"], "2026.06.06", "both")

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=lambda text: staging(prod(text).new_text),
        mode="pr",
        message="Bump prod, staging images to 2026.06.06",
        pr=spec,
    )

    assert spec.branch == pr_branch_for(["prod", "staging"]) == "hubimage/prod+staging"
    assert spec.title == "Bump prod, staging images to 2026.06.06"
    assert (result.result, result.branch) == ("created", "hubimage/prod+staging")
    text = store.git("show", f"hubimage/prod+staging:{CONFIG_PATH}")
    assert text.count('"2026.06.06"') == 2
    (pull,) = github_standin.repos[CONFIG_REPO].pulls
    assert pull.head == "hubimage/prod+staging"


def test_pr_mode_through_a_github_enterprise_base_url(github_standin: GitHubStandIn) -> None:
    result = deliver_change(
        repo=connect(github_standin, enterprise=True),
        path=CONFIG_PATH,
        edit=replace_tag("prod", "2026.07.07"),
        mode="pr",
        message="Bump prod",
        pr=PullRequestSpec.for_hubs(["prod"], "2026.07.07", "body", labels=["hubimage"]),
    )

    assert (result.result, result.branch) == ("created", "hubimage/prod")
    assert 'tag: "2026.07.07"  # hub: prod' in _store(github_standin).git(
        "show", f"hubimage/prod:{CONFIG_PATH}"
    )
    assert github_standin.log
    assert all(call.enterprise_prefix for call in github_standin.log)
    assert github_standin.repos[CONFIG_REPO].pulls[0].labels == ["hubimage"]


def test_pr_mode_retries_a_conflict_and_cleans_up_its_staging_branches(
    github_standin: GitHubStandIn,
) -> None:
    github_standin.inject("repos/create-or-update-file-contents", 409, message="does not match")
    github_standin.inject("pulls/create", 502)

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="pr",
        message="Bump staging",
        pr=_spec("2026.02.02", "body"),
    )

    store = _store(github_standin)
    assert result.result == "created"
    assert result.commit_sha == store.git("rev-parse", "hubimage/staging")
    assert sorted(store.branches()) == ["hubimage/staging", "main"]
    assert [c.status for c in github_standin.calls("pulls/create")] == [502, 201]
    assert len(github_standin.repos[CONFIG_REPO].pulls) == 1
