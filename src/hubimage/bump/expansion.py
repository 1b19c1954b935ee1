"""Alias expansion, bounded: a hostile file cannot make a walk over its data exponential.

Aliases are the same node object as their anchor, so a walk over the node graph that
follows them visits a value once per path to it. Real hub configs reuse a user list or an
image string a few times; a "billion laughs" file nests aliases so that count is
exponential in the file's length. `check_expansion` counts it (linearly, memoized by node)
and refuses what is out of proportion, before anything walks the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from hubimage.errors import ConfigError

if TYPE_CHECKING:
    from hubimage.bump.document import Document


def children(node: Node) -> Iterator[tuple[None, None, Node]]:
    if isinstance(node, MappingNode):
        for _, value in node.value:
            yield None, None, value
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield None, None, item


# A value reached through aliases counts once per path to it. Real hub configs reuse a
# user list or an image string a few times; a "billion laughs" file nests aliases so its
# expanded size is exponential in its length. Anything that expands to more than this
# (beyond ten times the nodes written) is refused before any walk can expand it.
MAX_ALIAS_EXPANSION = 100_000


def _flat_expansion(document: Document) -> int | None:
    """The expanded size when no alias is inside an anchored value (the common case):
    the nodes written plus, per alias, the size of what it repeats. None if aliases nest."""
    definitions = {paths[0] for paths in document.occurrences.values()}
    for paths in document.occurrences.values():
        for path in paths[1:]:
            if any(path[:depth] in definitions for depth in range(len(path))):
                return None  # an alias inside an anchored value (or inside itself)
    expanded = document.node_count
    for key, paths in document.occurrences.items():
        size, stack = 0, [document.anchored[key]]
        while stack:
            size += 1
            stack.extend(child for _, _, child in children(stack.pop()))
        expanded += (len(paths) - 1) * size
    return expanded


def check_expansion(document: Document, root: Node) -> None:
    """ConfigError for recursive aliases and for alias expansion out of proportion."""
    if not document.occurrences:
        return
    flat = _flat_expansion(document)
    if flat is not None:
        _refuse_expansion(document, flat, document.node_count)
        return
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            on_path.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for _, _, child in children(node))
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise ConfigError(
                f"{document.filename}: a YAML alias refers to a value that contains it "
                "(a recursive structure, which no hub config needs)",
                location=document.location(node),
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for _, _, child in children(node) if id(child) not in sizes)
    _refuse_expansion(document, sizes[id(root)], len(sizes))


def _refuse_expansion(document: Document, expanded: int, written: int) -> None:
    if expanded > 10 * written + MAX_ALIAS_EXPANSION:
        raise ConfigError(
            f"{document.filename}: its YAML aliases expand to {expanded} values from "
            f"{written} written (an alias bomb?); hubimage refuses to expand them",
            hint="write the repeated values out, or use fewer nested aliases",
        )
