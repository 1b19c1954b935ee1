"""The edit check without constructing the edited file's data: compare node graphs.

`edit._verify` re-parses the edited text and compares its whole data with the planned
data; constructing that data is most of a bump's cost on a large file. This module proves
the same thing from the node graphs: the edited text composes (C composer) to a graph that
is node for node the old one, with the same aliasing, except along the planned paths,
where it holds exactly the planned strings (and, where a key is created, nothing else).
Identical nodes construct to identical data, so the edited data is the planned data,
which `planned_data` builds from the old data without parsing anything.

It only answers "proved" or "not proved": anything unusual (merge keys or non-string keys
on a planned path, several documents, no C composer, any difference at all) makes the
caller run the full check, whose errors are the ones users see. So it can only skip the
slow check where that check would pass.
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hubimage.bump.document import (
    MAX_DEPTH,
    Document,
    aliased_paths,
    compose_roots,
    newline_of,
)
from hubimage.yamlpaths import YamlPath, format_path

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_LINE_BREAK = re.compile(r"\r\n|\n|\r(?!\n)")

# A planned path's tree: key -> subtree, or the new string at a path's end.
Trie = dict[Any, "Trie | str"]


class _NotProved(Exception):
    """The graphs differ, or in a way this check does not follow: run the full check."""


def planned_paths(
    document: Document, values: list[tuple[YamlPath, str]]
) -> list[tuple[YamlPath, str]]:
    """Every path a planned value is set at (an anchored scalar: each alias too), sorted."""
    return [
        (path, new)
        for original, new in values
        for path in sorted(aliased_paths(document, original), key=format_path)
    ]


def proved_document(
    document: Document, new_text: str, paths: list[tuple[YamlPath, str]], new_data: Any
) -> Document | None:
    """The edited Document (its data: `new_data`, the planned data) if the node graphs
    prove that re-reading `new_text` gives exactly that data; None if not proved."""
    if document.count != 1 or document.root is None:
        return None
    roots = compose_roots(new_text)
    if roots is None or len(roots) != 1:
        return None
    try:
        trie = _trie(paths)
        _Matcher(document).match(document.root, roots[0], trie)
    except _NotProved:
        return None
    new = Document(document.filename, new_text, roots[0], new_data, newline_of(new_text))
    new.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(new_text)]
    return new


def _trie(paths: list[tuple[YamlPath, str]]) -> Trie:
    trie: Trie = {}
    for path, new in paths:
        if not path or len(path) >= MAX_DEPTH:
            raise _NotProved
        node = trie
        for key in path[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise _NotProved
            node = child
        if node.get(path[-1], new) != new or isinstance(node.get(path[-1]), dict):
            raise _NotProved
        node[path[-1]] = new
    return trie


class _Matcher:
    """Walks the old and the new graph together, pairing nodes one to one (aliases too).

    Nodes are told apart by id(): both graphs stay alive while the walk runs.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.old_to_new: dict[int, Node] = {}
        self.new_to_old: dict[int, Node | None] = {}

    def pair(self, old: Node | None, new: Node) -> bool:
        """Pair `old` with `new`; False if already paired so (nothing more to compare)."""
        if old is not None and id(old) in self.old_to_new:
            if self.old_to_new[id(old)] is not new:
                raise _NotProved
            return False
        if id(new) in self.new_to_old:
            raise _NotProved
        if old is not None:
            self.old_to_new[id(old)] = new
        self.new_to_old[id(new)] = old
        return True

    def match(self, old: Node | None, new: Node, trie: Trie | str) -> None:
        """`new` is `old` with the values of `trie` set (`old` None: created)."""
        if isinstance(trie, str):
            if not (isinstance(new, ScalarNode) and new.tag == _STR and new.value == trie):
                raise _NotProved
            self.pair(None, new)  # a planned scalar is written once, never an alias
            return
        if old is not None and self.document.occurrences.get(id(old)):
            raise _NotProved  # an anchored container on a planned path: not followed
        if not self.pair(old, new):
            raise _NotProved
        if isinstance(new, SequenceNode):
            self._match_items(old, new, trie)
        elif isinstance(new, MappingNode):
            self._match_pairs(old, new, trie)
        else:
            raise _NotProved

    def _match_items(self, old: Node | None, new: SequenceNode, trie: Trie) -> None:
        if not isinstance(old, SequenceNode) or old.tag != new.tag:
            raise _NotProved
        if len(old.value) != len(new.value) or any(
            not isinstance(k, int) or not 0 <= k < len(new.value) for k in trie
        ):
            raise _NotProved
        for index, (old_item, new_item) in enumerate(zip(old.value, new.value, strict=True)):
            if index in trie:
                self.match(old_item, new_item, trie[index])
            else:
                self.same(old_item, new_item)

    def _match_pairs(self, old: Node | None, new: MappingNode, trie: Trie) -> None:  # noqa: C901 (the proof's per-key cases, kept together so each is seen beside the others)
        if isinstance(old, ScalarNode) and old.tag == _NULL:
            old = None  # an empty `key:` being filled
        if old is not None and (
            not isinstance(old, MappingNode)
            or old.tag != new.tag
            or id(old) in self.document.merge_pairs
        ):
            raise _NotProved
        old_pairs = list(old.value) if old is not None else []
        if old is None and new.tag != "tag:yaml.org,2002:map":
            raise _NotProved
        added = 0
        seen: set[tuple[str, Any]] = set()
        position = 0
        for key_node, value in new.value:
            if not isinstance(key_node, ScalarNode) or key_node.value == "<<":
                raise _NotProved
            label = (str(key_node.tag), key_node.value)
            if label in seen:
                raise _NotProved
            seen.add(label)
            key = str(key_node.value)
            planned = trie.get(key)
            if planned is not None and key_node.tag != _STR:
                raise _NotProved
            if position < len(old_pairs) and _same_scalar(old_pairs[position][0], key_node):
                old_key, old_value = old_pairs[position]
                position += 1
                self.same(old_key, key_node)
                if planned is None:
                    self.same(old_value, value)
                else:
                    self.match(old_value, value, planned)
            elif planned is not None:
                added += 1
                self.match(None, value, planned)
            else:
                raise _NotProved
        if position != len(old_pairs) or len(seen) != len(old_pairs) + added:
            raise _NotProved
        if any(key not in {str(k.value) for k, _ in new.value} for key in trie):
            raise _NotProved
        if any(str(k.value) in trie and k.tag != _STR for k, _ in old_pairs):
            raise _NotProved

    def same(self, old: Node, new: Node) -> None:  # noqa: C901 (one branch per node kind, as in same_data)
        """`new` is node for node `old` (so it constructs to the same data).

        The walk that costs most on a large file, so it is written out flat: a node not
        anchored in the old graph is reached once, so its partner must be new to the walk;
        an anchored one goes through `pair`.
        """
        anchored, merged, seen = self.document.anchored, self.document.merge_pairs, self.new_to_old
        stack = [(old, new)]
        pop, push = stack.pop, stack.append
        while stack:
            a, b = pop()
            kind, tag_a, tag_b = a.__class__, a.ctag, b.ctag
            if kind is not b.__class__ or not (
                tag_a is tag_b or (tag_a.suffix == tag_b.suffix and tag_a.handle == tag_b.handle)
            ):
                raise _NotProved
            if id(a) in anchored:
                if not self.pair(a, b):
                    continue
            elif id(b) in seen:
                raise _NotProved
            else:
                seen[id(b)] = a
            if kind is ScalarNode:
                if a.value != b.value:
                    raise _NotProved
                continue
            old_items = merged.get(id(a), a.value)
            new_items = b.value
            if len(old_items) != len(new_items):
                raise _NotProved
            if kind is MappingNode:
                for (old_key, old_value), (new_key, new_value) in zip(
                    old_items, new_items, strict=True
                ):
                    push((old_key, new_key))
                    push((old_value, new_value))
            elif kind is SequenceNode:
                stack.extend(zip(old_items, new_items, strict=True))
            else:
                raise _NotProved


def _same_scalar(old: Node, new: Node) -> bool:
    return isinstance(old, ScalarNode) and old.tag == new.tag and old.value == new.value
