"""fastcheck: the node-graph proof that an edited text reads back as the planned data.

It may decline to prove (the full re-parse then decides); it must never prove a text whose
data is not the planned data. The references here are ruamel's pure loader, independent
of the C composer the proof uses.
"""

from __future__ import annotations

import random

import pytest
from ruamel.yaml import YAML

from hubimage.bump.document import parse_document, same_data
from hubimage.bump.fastcheck import planned_paths, proved_document
from hubimage.errors import ConfigError

# The proof is only tried with the C composer: ruamel.yaml.clib, a dependency on CPython.

OLD = """\
hubs:
  - name: staging
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/org/image  # the user image
            tag: 'abc123'
        hub:
          admins: [a, b]
  - name: prod
    config:
      jupyterhub:
        custom: {x: 1, y: [true, null, 2.5]}
"""
TAG = ("hubs", 0, "config", "jupyterhub", "singleuser", "image", "tag")
NEW = OLD.replace("'abc123'", "'def456'")


def reference(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def prove(old: str, new: str, values: list[tuple[tuple[str | int, ...], str]]) -> object:
    document = parse_document(old, "hubs.yaml")
    assert document.composed_in_c
    paths = planned_paths(document, values)
    expected = reference(old)
    for path, value in paths:  # the planned data, built here independently
        target = expected
        for key in path[:-1]:
            target = target.setdefault(key, {}) if isinstance(target, dict) else target[key]  # type: ignore[union-attr,index]
        target[path[-1]] = value  # type: ignore[index]
    return proved_document(document, new, paths, expected), expected


def test_a_planned_change_is_proved_and_reads_back_as_planned() -> None:
    proved, expected = prove(OLD, NEW, [(TAG, "def456")])
    assert proved is not None
    assert same_data(reference(NEW), expected)
    assert proved.text == NEW and proved.line_of(NEW.index("def456")) == 8


def test_a_created_block_is_proved() -> None:
    new = OLD.replace(
        "        custom:",
        "        singleuser:\n          image:\n            tag: t\n        custom:",
    )
    path = ("hubs", 1, "config", "jupyterhub", "singleuser", "image", "tag")
    proved, expected = prove(OLD, new, [(path, "t")])
    assert proved is not None and same_data(reference(new), expected)


@pytest.mark.parametrize(
    "new",
    [
        NEW.replace("admins: [a, b]", "admins: [a, c]"),  # another value changed
        NEW.replace("x: 1", "x: '1'"),  # a type changed, same text
        NEW.replace("tag: 'def456'", "tag: 'def456'\n            extra: 1"),  # a key added
        NEW.replace("'def456'", "def456x"),  # not the planned value
        NEW.replace("'def456'", "123"),  # the planned text, not a string
        NEW + "---\nother: 1\n",  # a second document
        NEW.replace("hub:\n", "hub:\n  ").replace("  - name: prod", "- name: prod"),
    ],
)
def test_any_other_difference_is_not_proved(new: str) -> None:
    proved, _ = prove(OLD, new, [(TAG, "def456")])
    assert proved is None


def test_random_damage_is_never_proved_unless_it_reads_back_as_planned() -> None:
    chances = random.Random(13)
    alphabet = "ab1 :-#&*'\"\n[]{},!~"
    for _ in range(300):
        at = chances.randrange(len(NEW))
        damaged = NEW[:at] + chances.choice(alphabet) + NEW[at + chances.randrange(2) :]
        proved, expected = prove(OLD, damaged, [(TAG, "def456")])
        if proved is not None:
            assert same_data(reference(damaged), expected), damaged


SCALARS = [
    *("yes", "no", "On", "y", "0x1f", "0o17", "017", "1_000", "1:30", ".inf", "-.Inf"),
    *(".nan", "2002-12-14", "2001-12-14t21:59:43.10-05:00", "~", "null", "", '""', "true"),
    *("1e3", "+12", "-0", "0b101", "!!str 1", '!!int "3"', "!!float 1", "hello", "'x'"),
    *("[1, {a: b}]", "{a: 1}", "!!binary aGk=", "!!set {a, b}", "=", "<<"),
]


def test_parsed_data_is_what_ruamel_constructs() -> None:
    """document's own builder of plain data against ruamel's pure loader, on odd scalars."""
    chances = random.Random(12)
    compared = 0
    for _ in range(200):
        # keys: the scalars only (a collection as a key is refused before any of this)
        keys = [chances.choice([*SCALARS[:28], "k", "k2", "1"]) for _ in range(5)]
        lines = ["top:", *(f"  {key}: {chances.choice(SCALARS)}" for key in keys)]
        lines.append(f"  list: [{', '.join(chances.sample(SCALARS, 4))}]")
        text = "\n".join(lines) + "\n"
        try:
            data = parse_document(text, "x.yaml").data
        except ConfigError:
            continue  # duplicate keys and the like: refused either way
        assert same_data(data, reference(text)), text
        compared += 1
    assert compared > 50
