"""KubeSpawner settings with the key and place that set them, and KubeSpawner's override rule.

A `Trait` is one traitlet of the spawner (`cmd`, `mem_limit`, ...) as the hub's config left
it: its value, the values key that set it and that key's `FILE:LINE`. `environment` and
`volume_mounts` (when a mapping) hold one Trait per entry, since each entry can come from a
different file and profiles add entries one by one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from hubimage.spawnprofiles.layers import Path

# Traits whose entries are tracked one by one (each entry a Trait).
KEYED = frozenset({"environment", "volume_mounts"})


@dataclass(frozen=True)
class Trait:
    """A spawner setting: its value, the key that set it, and where (`FILE:LINE`)."""

    value: Any
    setting: str  # `singleuser.memory.limit`, `hub.config.KubeSpawner.mem_limit`, ...
    source: str  # `FILE:LINE`, or Zero to JupyterHub's default
    path: Path | None = None  # its place in the hub's merged values
    why: str = ""  # how a key that is not the trait set it (`hub.extraConfig ...`)


Traits = dict[str, Trait]
# Where each part of an override was set: (key path inside the override) -> (setting, source).
Locate = Callable[[tuple[str, ...]], tuple[str, str]]


def keyed(value: Any, setting: str, locate: Locate) -> dict[str, Trait]:
    """A mapping as one Trait per entry (`environment`, `volume_mounts`)."""
    entries: dict[str, Trait] = {}
    for key, item in value.items():
        where_setting, where = locate((str(key),))
        entries[str(key)] = Trait(item, where_setting, where)
    return entries


def plain(trait: Trait | None) -> Any:
    """A trait's value as KubeSpawner holds it (entries of keyed traits unwrapped)."""
    if trait is None:
        return None
    value = trait.value
    if isinstance(value, dict) and all(isinstance(v, Trait) for v in value.values()) and value:
        return {key: entry.value for key, entry in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, Trait) for v in value):
        return [entry.value for entry in value]
    return value


def apply_overrides(
    traits: Traits, overrides: Mapping[str, Any], setting: str, locate: Locate, notes: list[str]
) -> Traits:
    """`traits` after KubeSpawner's `_apply_overrides(overrides)` (kubespawner/spawner.py):
    a dict value is merged into a dict trait with `recursive_update` (a None in it removes
    that key), anything else replaces the trait."""
    result = dict(traits)
    for name, value in overrides.items():
        name = str(name)
        where_setting, where = locate((name,))
        current = result.get(name)
        if isinstance(value, dict) and name in KEYED:
            # Merged into a mapping entry by entry; over anything else (a list), it replaces it.
            keep = current is not None and isinstance(current.value, dict)
            entries = dict(current.value) if current is not None and keep else {}
            _update_entries(entries, value, name, where_setting, locate, notes)
            kept = replace(current, value=entries) if current is not None and keep else None
            result[name] = kept or Trait(entries, where_setting, where)
        elif isinstance(value, dict) and (current is None or isinstance(plain(current), dict)):
            merged = copy.deepcopy(plain(current)) if current is not None else {}
            recursive_update(merged, value)
            result[name] = Trait(merged, where_setting, where)
        elif name in KEYED and isinstance(value, list):
            items = [Trait(item, f"{where_setting}[{i}]", where) for i, item in enumerate(value)]
            result[name] = Trait(items, where_setting, where)
        else:
            result[name] = Trait(value, where_setting, where)
    return result


def _update_entries(
    entries: dict[str, Trait],
    value: Mapping[str, Any],
    name: str,
    setting: str,
    locate: Locate,
    notes: list[str],
) -> None:
    for key, item in value.items():
        key = str(key)
        entry_setting, where = locate((name, key))
        if item is None:
            entries.pop(key, None)
        elif isinstance(item, dict):
            base = entries[key].value if key in entries else {}
            if not isinstance(base, dict):
                notes.append(
                    f"{entry_setting}: a mapping over {name} entry {key!r}, which is not one; "
                    "KubeSpawner's recursive_update fails on it, so the spawn would fail"
                )
                continue
            merged = copy.deepcopy(base)
            recursive_update(merged, item)
            entries[key] = Trait(merged, entry_setting, where)
        else:
            entries[key] = Trait(item, entry_setting, where)


def recursive_update(target: dict[Any, Any], new: Mapping[Any, Any]) -> None:
    """KubeSpawner's `utils.recursive_update`: None removes a key, dicts merge, rest replaces."""
    for key, value in new.items():
        if isinstance(value, dict):
            if not isinstance(target.get(key), dict):
                target[key] = {}
            recursive_update(target[key], value)
        elif value is None:
            target.pop(key, None)
        else:
            target[key] = value
