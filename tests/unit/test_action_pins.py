"""Third-party actions are pinned by full commit SHA, with the release in a comment.

A tag can be moved to other code by whoever controls the action's repository; a commit SHA
cannot. The comment says which release the SHA is (the commits were read from each action's
repository, `git show-ref --tags`), so an update is a reviewable diff. hubimage's own
`hubimage/hubimage@v1` in examples is what users write; local actions (`./`) are this code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
FILES = [
    REPO / "action.yml",
    REPO / "README.md",
    *sorted((REPO / "examples" / "workflows").glob("*.y*ml")),
    *sorted((REPO / ".github" / "workflows").glob("*.y*ml")),
]
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<rest>.*)$", re.MULTILINE)
PINNED = re.compile(r"[\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40}")
RELEASE = re.compile(r"\s+# v\d+(?:\.\d+){0,2}")


def third_party_uses() -> list[tuple[str, str, str]]:
    found = []
    for path in FILES:
        for match in USES.finditer(path.read_text()):
            ref = match.group("ref").strip("'\"")
            if ref.startswith(("./", "hubimage/hubimage@")):
                continue
            found.append((path.relative_to(REPO).as_posix(), ref, match.group("rest")))
    return found


def test_there_are_third_party_actions_to_check() -> None:
    assert {ref.split("@")[0] for _, ref, _ in third_party_uses()} >= {
        "actions/checkout",
        "actions/setup-python",
    }


@pytest.mark.parametrize(("where", "ref", "rest"), third_party_uses())
def test_each_third_party_action_is_pinned_by_commit_with_its_release(
    where: str, ref: str, rest: str
) -> None:
    assert PINNED.fullmatch(ref), f"{where}: {ref} is not pinned by a full commit SHA"
    assert RELEASE.fullmatch(rest), f"{where}: {ref} needs its release as '# vX.Y.Z'"


def test_one_release_is_one_commit_everywhere() -> None:
    seen: dict[tuple[str, str], str] = {}
    for where, ref, rest in third_party_uses():
        action, _, sha = ref.partition("@")
        release = rest.strip().removeprefix("# ")
        earlier = seen.setdefault((action, release), sha)
        assert earlier == sha, f"{where}: {action} {release} pinned to two commits"
