"""A Helm `-f` merge written another way than hubimage's, for tests to compare against.

Each file is flattened into leaf assignments (path -> scalar, list or empty mapping),
applied in order (a leaf replaces what was at its path and below, and any leaf above it),
then unflattened.
"""

from __future__ import annotations

from typing import Any

Path = tuple[str, ...]


def flatten(tree: Any, path: Path = ()) -> list[tuple[Path, Any]]:
    if isinstance(tree, dict) and tree:
        return [leaf for key, value in tree.items() for leaf in flatten(value, (*path, key))]
    return [(path, tree)]


def independent_merge(files: list[dict[str, Any]]) -> Any:  # noqa: C901 (a second, deliberately plain reading of Helm's merge, for comparison)
    leaves: dict[Path, Any] = {}
    for file in files:
        for path, value in flatten(file):
            # Anything at an ancestor that is not a mapping goes: the path is a mapping now.
            for depth in range(len(path)):
                if path[:depth] in leaves and leaves[path[:depth]] != {}:
                    del leaves[path[:depth]]
                elif path[:depth] in leaves:
                    del leaves[path[:depth]]  # an empty mapping that now has keys
            if value == {} and any(p[: len(path)] == path and p != path for p in leaves):
                continue  # an empty mapping over a mapping changes nothing
            if value != {}:
                for other in [p for p in leaves if p[: len(path)] == path and p != path]:
                    del leaves[other]
            leaves[path] = value
    merged: dict[str, Any] = {}
    for path, value in leaves.items():
        if not path:
            return value
        node = merged
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return merged
