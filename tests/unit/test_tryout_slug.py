"""KubeSpawner's profile slug (python-slugify's `slugify(display_name)`), reproduced in the
standard library, against python-slugify itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hubimage.tryout.slug import kubespawner_slug
from support.hub_config_fixtures import HUB_CONFIGS

slugify = pytest.importorskip("slugify").slugify  # python-slugify, a test extra

HAND_WRITTEN = [
    "Small: 1 CPU, 4 GB",
    "NVIDIA Tesla T4, ~16 GB, ~4 CPUs (gpu)",
    "Anna's hub",  # ' becomes a separator
    "Anna\u2019s hub",  # the right single quotation mark becomes ', then is dropped
    "1,000 CPUs",  # commas between digits go
    "Café Crème \u2014 großes Modell",
    "Ærø Łódź Þingvellir",
    "caf&eacute; au lait",  # entities decoded after transliteration, then split at the accent
    "&#39;quoted&#39; &amp; &#x41;",
    "&#99999999999; &#65;",  # an impossible reference: every decimal one left as it is
    "  --leading and trailing--  ",
    "Tabs\tand\nnewlines",
    "",
]


def _profile_names(data: Any) -> Iterator[str]:
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("profileList", "profile_list") and isinstance(value, list):
                    yield from (
                        str(p["display_name"])
                        for p in value
                        if isinstance(p, dict) and "display_name" in p
                    )
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)


def fixture_profile_names() -> list[str]:
    """Every profile display name in ../shared's hub configs (none where it is absent)."""
    if not HUB_CONFIGS.is_dir():
        return []
    yaml = YAML(typ="safe", pure=True)
    yaml.allow_duplicate_keys = True
    names: set[str] = set()
    for file in sorted(HUB_CONFIGS.rglob("*.yaml")):
        try:
            documents = list(yaml.load_all(file.read_text(encoding="utf-8")))
        except Exception:  # noqa: S112 (a file a test of the bump refuses; not a profile list)
            continue
        for document in documents:
            names.update(_profile_names(document))
    return sorted(names)


@pytest.mark.parametrize("name", HAND_WRITTEN)
def test_hand_written_names_slug_as_python_slugify_does(name: str) -> None:
    assert kubespawner_slug(name) == slugify(name)


def test_every_profile_name_of_the_real_hub_configs_slugs_as_python_slugify_does(
    hub_configs: Path,
) -> None:
    names = fixture_profile_names()
    assert len(names) >= 20, names
    mismatched = [
        (n, kubespawner_slug(n), slugify(n)) for n in names if kubespawner_slug(n) != slugify(n)
    ]
    assert mismatched == []


def test_every_character_it_claims_slugs_as_python_slugify_does() -> None:
    """Each code point of the Basic Multilingual Plane and the next two, between letters:
    where kubespawner_slug gives an answer, it is python-slugify's."""
    claimed, wrong = 0, []
    for code in range(0x20, 0x30000):
        if 0xD800 <= code <= 0xDFFF:
            continue
        text = f"a{chr(code)}1,2"
        mine = kubespawner_slug(text)
        if mine is None:
            continue
        claimed += 1
        if mine != slugify(text):
            wrong.append((hex(code), mine, slugify(text)))
    assert wrong == []
    assert claimed > 2000  # ASCII, the accented Latin letters, the table


@pytest.mark.parametrize("name", ["数据科学", "Ελληνικά", "emoji 🐍", "x\u2063y", 2024, None])
def test_what_it_cannot_transliterate_is_none_not_a_guess(name: object) -> None:
    assert kubespawner_slug(name) is None
    if isinstance(name, str):
        assert slugify(name) != ""  # python-slugify would give something: we do not guess it
