"""A parsed hub config: ruamel's node graph (with the position of every node) and its data.

The node graph is what we locate values in (each node knows its start and end offset in
the text); the plain data is what we compare before and after an edit. Aliases are the same
node object as their anchor, so `occurrences` lists every path an anchored node is reached
by: that is how we know a value is shared.
"""

from __future__ import annotations

import bisect
import copy
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from hubimage.bump.paths import YamlPath
from hubimage.errors import ConfigError, SourceLocation

MERGE_KEY = "<<"


@dataclass
class Document:
    """One YAML document: its text, node graph, plain data and alias bookkeeping."""

    filename: str
    text: str
    root: Node | None
    data: Any
    newline: str
    # id(anchored node) -> every path it is reached by (the definition first)
    occurrences: dict[int, list[YamlPath]] = field(default_factory=dict)
    # id(mapping) -> its own (key, value) pairs, for mappings that use `<<` merge keys
    merge_pairs: dict[int, list[tuple[Node, Node]]] = field(default_factory=dict)
    line_starts: list[int] = field(default_factory=list)  # offset of each line's start

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_start(self, line: int) -> int:
        """Offset of the first character of 1-based `line` (len(text) past the end)."""
        return self.line_starts[line - 1] if line <= len(self.line_starts) else len(self.text)

    def location(self, node: Node) -> SourceLocation:
        mark = node.start_mark
        return SourceLocation(self.filename, mark.line + 1, mark.column + 1)


def parse_document(text: str, filename: str) -> Document:
    """Parse `text` (one YAML document); ConfigError with line and column if it is not YAML."""
    yaml = YAML(typ="safe", pure=True)
    try:
        root = yaml.compose(text)
    except MarkedYAMLError as error:
        raise _yaml_error(error, filename) from None
    except YAMLError as error:
        raise ConfigError(f"{filename}: not valid YAML: {error}") from None
    document = Document(filename, text, root, None, _newline_of(text))
    document.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r(?!\n)", text)]
    if root is not None:
        _index(document, root, ())
    try:
        # Constructing flattens merge keys in the node graph: index first (above).
        document.data = yaml.constructor.construct_document(root) if root is not None else None
    except MarkedYAMLError as error:
        raise _yaml_error(error, filename) from None
    return document


def children(node: Node) -> Iterator[tuple[str | int, Node | None, Node]]:
    """(key, key node or None, value node) for each entry of a mapping or sequence."""
    if isinstance(node, MappingNode):
        for key_node, value in node.value:
            yield str(key_node.value), key_node, value
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            yield index, None, item


def own_child(document: Document, node: Node, key: str | int) -> tuple[Node | None, Node] | None:
    """The (key node, value) of `key` in `node`, None if absent.

    ConfigError when the key is only there through a `<<` merge key: editing it would edit
    the merged-in mapping, which other mappings share.
    """
    if isinstance(node, SequenceNode):
        if isinstance(key, int) and 0 <= key < len(node.value):
            return None, node.value[key]
        return None
    if not isinstance(node, MappingNode) or isinstance(key, int):
        return None
    pairs = document.merge_pairs.get(id(node), node.value)
    for key_node, value in pairs:
        if str(key_node.value) == key and key_node.value != MERGE_KEY:
            return key_node, value
    if id(node) in document.merge_pairs and any(str(k.value) == key for k, _ in node.value):
        raise ConfigError(
            f"{document.filename}: {key!r} is inherited through a YAML merge key (<<)",
            hint="change it where the merged mapping is defined (pass --path to it)",
            location=document.location(node),
        )
    return None


def aliased_paths(document: Document, path: YamlPath) -> set[YamlPath]:
    """`path` and every other path that reaches the same value through YAML aliases."""
    found, pending = {path}, [path]
    while pending:
        current = pending.pop()
        node = document.root
        for depth, key in enumerate(current):
            entry = own_child(document, node, key) if node is not None else None
            if entry is None:
                break
            node = entry[1]
            for other in document.occurrences.get(id(node), []):
                candidate = (*other, *current[depth + 1 :])
                if candidate not in found:
                    found.add(candidate)
                    pending.append(candidate)
    return found


def plain_copy(data: Any) -> Any:
    """A deep copy that keeps aliases shared, as a fresh parse would."""
    return copy.deepcopy(data)


def same_data(left: Any, right: Any) -> bool:
    """Equal data, with types compared too (1 is not True, 1 is not 1.0) and NaN equal to NaN."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same_data(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same_data, left, right))
    if isinstance(left, float) and math.isnan(left):
        return math.isnan(right)
    return bool(left == right)


def _index(document: Document, node: Node, path: YamlPath) -> None:
    """Walk every node once in document order, recording anchored nodes' paths."""
    stack: list[tuple[Node, YamlPath]] = [(node, path)]
    while stack:
        current, current_path = stack.pop()
        if current.anchor is not None:
            seen = document.occurrences.setdefault(id(current), [])
            seen.append(current_path)
            if len(seen) > 1:
                continue  # an alias: its content was indexed at the definition
        if isinstance(current, MappingNode) and any(
            k.value == MERGE_KEY and k.tag == "tag:yaml.org,2002:merge" for k, _ in current.value
        ):
            document.merge_pairs[id(current)] = list(current.value)
        entries = [(value, (*current_path, key)) for key, _, value in children(current)]
        stack.extend(reversed(entries))


def _newline_of(text: str) -> str:
    first = re.search(r"\r\n|\n|\r", text)
    return first.group() if first else "\n"


def _yaml_error(error: MarkedYAMLError, filename: str) -> ConfigError:
    mark = error.problem_mark or error.context_mark
    problem = str(error.problem or error.context or "not valid YAML")
    duplicate = re.match(r'found duplicate key "(.*?)" with value', problem)
    if duplicate:
        # The stock message quotes both values; config values can be secrets, keys are not.
        problem = f'duplicate key "{duplicate.group(1)}"'
    line = mark.line + 1 if mark is not None else None
    column = mark.column + 1 if mark is not None else None
    where = f":{line}:{column}" if line is not None else ""
    context = error.context if error.problem and not duplicate else None
    if context and error.context_mark is not None:
        start = error.context_mark
        problem += f" ({context}, from line {start.line + 1}, column {start.column + 1})"
    return ConfigError(
        f"{filename}{where}: not valid YAML: {problem}",
        location=SourceLocation(filename, line, column),
    )
