"""Commit mode against the GitHub stand-in: real commits in a real bare git repository."""

from __future__ import annotations

import threading

import pytest

from hubimage.errors import ConflictError
from hubimage.rollout.deliver import deliver_change
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, connect, replace_tag
from support.github_standin import GitHubStandIn, GitStore

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

PUT_CONTENTS = "repos/create-or-update-file-contents"


def _store(standin: GitHubStandIn) -> GitStore:
    return standin.repos[CONFIG_REPO].store


def _file_at(store: GitStore, ref: str) -> str:
    return store.git("show", f"{ref}:{CONFIG_PATH}")


def test_commit_mode_commits_once_on_the_default_branch(github_standin: GitHubStandIn) -> None:
    store = _store(github_standin)
    before = store.git("rev-parse", "main")
    repo = connect(github_standin)

    first = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="commit",
        message="Bump staging image to 2026.02.02",
    )

    assert first.result == "created"
    assert first.branch == "main"
    assert first.commit_sha == store.git("rev-parse", "main")
    assert store.git("log", "--format=%P%n%s", "-1", "main").splitlines() == [
        before,
        "Bump staging image to 2026.02.02",
    ]
    text = _file_at(store, "main")
    assert 'tag: "2026.02.02"  # hub: staging' in text
    assert 'tag: "2025.12.01"  # hub: prod' in text
    # Only the one line differs from the parent.
    diff = store.git("diff", "--unified=0", before, "main").splitlines()
    assert [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        '-      tag: "2026.01.01"  # hub: staging',
        '+      tag: "2026.02.02"  # hub: staging',
    ]

    again = deliver_change(
        repo=repo,
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="commit",
        message="Bump staging image to 2026.02.02",
    )
    assert (again.result, again.commit_sha) == ("unchanged", None)
    assert store.git("rev-parse", "main") == first.commit_sha
    assert len(github_standin.calls(PUT_CONTENTS)) == 1


def test_commit_mode_on_a_named_branch_leaves_the_default_branch_alone(
    github_standin: GitHubStandIn,
) -> None:
    store = _store(github_standin)
    main_before = store.git("rev-parse", "main")
    store.git("update-ref", "refs/heads/deploy", main_before)

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("prod", "2026.03.03"),
        mode="commit",
        message="Bump prod",
        branch="deploy",
    )

    assert (result.result, result.branch) == ("created", "deploy")
    assert 'tag: "2026.03.03"  # hub: prod' in _file_at(store, "deploy")
    assert store.git("rev-parse", "main") == main_before


def test_a_change_committed_between_our_read_and_write_is_kept(
    github_standin: GitHubStandIn,
) -> None:
    store = _store(github_standin)
    base = store.git("rev-parse", "main")
    theirs = replace_tag("prod", "2026.09.09")(_file_at(store, "main")).new_text
    github_standin.before(
        PUT_CONTENTS,
        lambda: github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, theirs, "Their bump"),
    )

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="commit",
        message="Our bump",
    )

    assert result.result == "created"
    text = _file_at(store, "main")
    assert 'tag: "2026.02.02"  # hub: staging' in text
    assert 'tag: "2026.09.09"  # hub: prod' in text
    assert store.git("log", "--format=%s", f"{base}..main").splitlines() == [
        "Our bump",
        "Their bump",
    ]
    assert [c.status for c in github_standin.calls(PUT_CONTENTS)] == [409, 200]


def test_two_hubs_bumped_at_the_same_time_both_land(github_standin: GitHubStandIn) -> None:
    store = _store(github_standin)
    base = store.git("rev-parse", "main")
    # Both deliveries read the same version before either writes, so one must lose the race.
    both_read = threading.Barrier(2, timeout=20)
    github_standin.before("repos/get-content", both_read.wait, times=2)
    results: dict[str, object] = {}

    def bump(hub: str, tag: str) -> None:
        try:
            results[hub] = deliver_change(
                repo=connect(github_standin),
                path=CONFIG_PATH,
                edit=replace_tag(hub, tag),
                mode="commit",
                message=f"Bump {hub}",
            )
        except Exception as error:  # reported below, in the test's own thread
            results[hub] = error

    threads = [
        threading.Thread(target=bump, args=("staging", "2026.04.04")),
        threading.Thread(target=bump, args=("prod", "2026.05.05")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert {hub: getattr(r, "result", r) for hub, r in results.items()} == {
        "staging": "created",
        "prod": "created",
    }
    text = _file_at(store, "main")
    assert 'tag: "2026.04.04"  # hub: staging' in text
    assert 'tag: "2026.05.05"  # hub: prod' in text
    assert sorted(store.git("log", "--format=%s", f"{base}..main").splitlines()) == [
        "Bump prod",
        "Bump staging",
    ]
    assert sorted(c.status for c in github_standin.calls(PUT_CONTENTS)) == [200, 200, 409]


def test_conflicts_are_retried_five_times_then_reported(github_standin: GitHubStandIn) -> None:
    store = _store(github_standin)
    before = store.git("rev-parse", "main")
    github_standin.inject(PUT_CONTENTS, 409, times=6, message=f"{CONFIG_PATH} does not match")

    with pytest.raises(ConflictError, match=r"6 times in a row") as raised:
        deliver_change(
            repo=connect(github_standin),
            path=CONFIG_PATH,
            edit=replace_tag("staging", "2026.02.02"),
            mode="commit",
            message="Bump staging",
        )

    assert CONFIG_PATH in str(raised.value)
    assert store.git("rev-parse", "main") == before
    assert len(github_standin.calls(PUT_CONTENTS)) == 6


def test_five_conflicts_then_success_commits(github_standin: GitHubStandIn) -> None:
    github_standin.inject(PUT_CONTENTS, 409, times=5, message=f"{CONFIG_PATH} does not match")

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("staging", "2026.02.02"),
        mode="commit",
        message="Bump staging",
    )

    assert result.result == "created"
    assert result.commit_sha == _store(github_standin).git("rev-parse", "main")
    assert [c.status for c in github_standin.calls(PUT_CONTENTS)] == [409] * 5 + [200]


def test_422_sha_mismatch_is_treated_as_a_conflict(github_standin: GitHubStandIn) -> None:
    github_standin.inject(PUT_CONTENTS, 422, message="sha does not match")

    result = deliver_change(
        repo=connect(github_standin),
        path=CONFIG_PATH,
        edit=replace_tag("prod", "2026.02.02"),
        mode="commit",
        message="Bump prod",
    )

    assert result.result == "created"
    assert 'tag: "2026.02.02"  # hub: prod' in _file_at(_store(github_standin), "main")
