"""Every hub of the real config trees in ../shared: which way it offers to start an image
that no config names yet (a fancy-profiles link, a profile's "Other..." entry, or the staging
bump). Skips, saying so, where ../shared is absent.

    PYTHONPATH=src:tests python -m pytest -q -s tests/unit/test_tryout_census.py

prints the counts (the README's table).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hubimage.reference import ImageReference
from hubimage.tryout import TryOut, ways_to_try
from support.spawnprofile_census import hubs_2i2c, hubs_hubploy, reader

IMAGE = ImageReference.parse("quay.io/my-org/hub-image:pr-7")


def census(root: Path, berkeley: bool = False) -> tuple[Counter[str], dict[str, TryOut]]:
    """(counts, every hub's way) over a 2i2c-style tree (or a hubploy one)."""
    by_entry: dict[str, list[str]] = {}
    for _, entry, hub in hubs_hubploy(root) if berkeley else hubs_2i2c(root):
        assert not hub.startswith("!"), hub  # every cluster.yaml parses
        by_entry.setdefault(entry, []).append(hub)
    found: dict[str, TryOut] = {}
    for entry, hubs in by_entry.items():
        ways = ways_to_try(entry, reader(root), hubs, IMAGE)
        assert sorted(ways) == sorted(hubs)
        cluster = entry.split("/")[-2]
        found.update({f"{cluster}/{hub}": way for hub, way in ways.items()})
    counts: Counter[str] = Counter(way.way for way in found.values())
    counts["hubs"] = len(found)
    counts["fancy-profiles"] = sum(way.fancy_profiles for way in found.values())
    counts["with a domain"] = sum(way.domain is not None for way in found.values())
    counts["bump refused"] = sum(way.bump_refused is not None for way in found.values())
    return counts, found


def test_the_2i2c_tree(hub_configs: Path) -> None:
    counts, found = census(hub_configs / "trees" / "2i2c-infrastructure-2026-08")
    print("\n2i2c-infrastructure-2026-08:", dict(sorted(counts.items())))
    assert counts == {
        "hubs": 121,
        "fancy-profiles": 121,  # basehub's values.yaml sets it up for every hub
        "with a domain": 121,
        "permalink": 24,
        "bump": 97,
        "bump refused": 1,  # awi-ciroh/prod: its image is only in profile choices
    }
    refused = [hub for hub, way in found.items() if way.bump_refused]
    assert refused == ["awi-ciroh/prod"]
    for way in found.values():
        if way.way == "permalink":
            assert way.permalink is not None and way.choice is not None
            assert way.permalink.startswith(f"https://{way.domain}/hub/login?next=/hub/spawn%23")
            assert way.choice.value == str(IMAGE)
        else:
            assert way.bump_command is not None and f"--hub {way.hub} " in way.bump_command


def test_the_berkeley_tree(hub_configs: Path) -> None:
    counts, found = census(hub_configs / "trees" / "berkeley-datahub-2024-10", berkeley=True)
    print("\nberkeley-datahub-2024-10:", dict(sorted(counts.items())))
    assert counts == {
        "hubs": 7,
        "fancy-profiles": 0,
        "with a domain": 7,  # each environment's ingress.hosts
        "bump": 7,
        "bump refused": 0,
    }
    assert all(way.variant == "staging" for way in found.values())
    assert all(way.domain and "staging" in way.domain for way in found.values())
