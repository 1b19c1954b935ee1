"""Hostile YAML (issue 12, item 6): alias bombs and recursive aliases are refused at once.

Fails at b3ac158: `same_data` walked every path through the aliases, ten times longer per
level of a chain (the 9-level file below ran for minutes), and a recursive alias ended in
a RecursionError (exit 1, an internal error).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump import bump_config_file, edit_config_text
from hubimage.bump.document import same_data
from hubimage.errors import ConfigError

IMAGE_BLOCK = "jupyterhub:\n  singleuser:\n    image:\n      name: org/i\n      tag: old\n"


def alias_chain(levels: int, fan_out: int = 10) -> str:
    lines = [f"a0: &a0 [{', '.join(['x'] * fan_out)}]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * fan_out)}]")
    return "\n".join(lines) + "\n" + IMAGE_BLOCK


@pytest.mark.timeout(20)
def test_billion_laughs_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    file.write_text(alias_chain(9))
    before = file.read_bytes()
    with pytest.raises(ConfigError, match="aliases expand to 1234567905 values"):
        bump_config_file(file, hubs=[], image="org/i:new")
    assert file.read_bytes() == before


@pytest.mark.timeout(20)
def test_a_few_reused_aliases_still_bump() -> None:
    edit = edit_config_text(alias_chain(4), filename="v.yaml", hubs=[], image="org/i:new")
    assert edit.new_text == alias_chain(4).replace("tag: old", "tag: new")


@pytest.mark.timeout(20)
def test_recursive_alias_is_refused() -> None:
    with pytest.raises(ConfigError, match="recursive"):
        edit_config_text("a: &a\n  b: *a\n" + IMAGE_BLOCK, filename="v.yaml", hubs=[], image="x:y")


@pytest.mark.timeout(20)
def test_same_data_is_linear_in_shared_objects() -> None:
    # 2**60 paths, 60 objects: only a walk that compares each pair of objects once ends.
    left: list[object] = ["leaf"]
    right: list[object] = ["leaf"]
    for _ in range(60):
        left, right = [left, left], [right, right]
    assert same_data(left, right)
    right[1] = [right[0][0], ["other"]]
    assert not same_data(left, right)
