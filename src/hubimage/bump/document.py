"""A parsed hub config: ruamel's node graph (with the position of every node) and its data.

The node graph is what we locate values in (each node knows its start and end offset in
the text); the plain data is what we compare before and after an edit. Aliases are the same
node object as their anchor, so `occurrences` lists every path an anchored node is reached
by: that is how we know a value is shared.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import functools
import importlib.util
import math
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, ReusedAnchorWarning, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from hubimage.bump.collector import collector_paused
from hubimage.bump.construct import construct_plain
from hubimage.bump.expansion import check_expansion
from hubimage.errors import ConfigError, SourceLocation
from hubimage.yamlpaths import YamlPath

MERGE_KEY = "<<"
_MERGE_TAG = "tag:yaml.org,2002:merge"


# ruamel.yaml.clib's C parser (module `_ruamel_yaml`), which YAML(pure=False) picks up.
_HAS_CLIB = importlib.util.find_spec("_ruamel_yaml") is not None

_DIRECTIVE = re.compile(r"^%YAML", re.MULTILINE)


class _Yaml12Resolver(VersionedResolver):
    """ruamel's resolver with its per-scalar version look-up done once (C path: YAML 1.2)."""

    @functools.cached_property
    def versioned_resolver(self) -> Any:
        return super().versioned_resolver

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """ruamel's answer, remembered per (kind, text, implicit): keys and values repeat
        (each hub has its `name:`, `config:` ...), and the answer depends on nothing else
        here (no path resolvers). Nodes then share their Tag, which nothing changes."""
        if self.yaml_path_resolvers:
            return super().resolve(kind, value, implicit)
        key = (kind, value, implicit)
        tag = self._seen.get(key)
        if tag is None:
            tag = self._seen[key] = super().resolve(kind, value, implicit)
        return tag

    @functools.cached_property
    def _seen(self) -> dict[tuple[Any, Any, Any], Any]:
        return {}


# An anchor in a node's properties (`&name`, maybe after or before a `!tag`).
_ANCHOR = re.compile(r"(?:![^\s]*\s+)?&([^\s,\[\]{}]+)")


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
    anchored: dict[int, Node] = field(default_factory=dict, repr=False)  # id -> node
    node_count: int = 0  # nodes written (an alias is not one more)
    index: int = 0  # which YAML document of the file this is (the one holding the hubs)
    count: int = 1  # how many documents the file has
    composed_in_c: bool = False  # by ruamel.yaml.clib's composer (else the pure one)
    # mapping keys that are themselves a list or a map, in document order
    collection_keys: list[Node] = field(default_factory=list, repr=False)

    @property
    def span(self) -> tuple[int, int]:
        """Where this document's content is in the text (the others are outside)."""
        if self.root is None:
            return 0, len(self.text)
        return self.root.start_mark.index, self.root.end_mark.index

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
    """Parse `text`; ConfigError with line and column if it is not YAML.

    In a file of several YAML documents, the one document that holds hub configuration is
    the Document (its nodes' offsets are into the whole text); no such one is an error.

    The C composer (ruamel.yaml.clib) is about 5x faster than the pure one and gives the
    same nodes, marks and styles; text it rejects is parsed again by the pure composer, so
    errors read the same with or without the C extension.
    """
    with collector_paused(), warnings.catch_warnings():
        # A re-used anchor name is valid YAML (the later one counts); ruamel warns about it.
        warnings.simplefilter("ignore", ReusedAnchorWarning)
        try:
            return _parse_document(text, filename)
        except RecursionError:
            raise _too_deep(filename) from None


# Real hub configs nest a dozen levels; far deeper is hostile input, and Python's own
# parsers and walks recurse per level.
MAX_DEPTH = 200


def _too_deep(filename: str) -> ConfigError:
    return ConfigError(
        f"{filename}: its YAML nests more than {MAX_DEPTH} levels deep; no hub config does",
        hint="check that --config names the right file",
    )


def _parse_document(text: str, filename: str) -> Document:
    yaml, roots = _compose_fast(text)
    if yaml is None:
        yaml = YAML(typ="safe", pure=True)
        try:
            roots = list(yaml.compose_all(text))
        except MarkedYAMLError as error:
            raise _yaml_error(error, filename) from None
        except YAMLError as error:
            raise ConfigError(f"{filename}: not valid YAML: {error}") from None
    index = _hub_document(roots, filename) if len(roots) > 1 else 0
    root = roots[index] if roots else None
    document = Document(filename, text, root, None, newline_of(text))
    document.index, document.count = index, len(roots)
    document.composed_in_c = yaml.Resolver is _Yaml12Resolver
    document.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\n|\r(?!\n)", text)]
    if root is not None:
        _index(document, root, ())
        check_expansion(document, root)
    try:
        document.data = _construct(document, yaml, root) if root is not None else None
    except MarkedYAMLError as error:
        raise _yaml_error(error, filename) from None
    except TypeError:
        # ruamel makes a list key a tuple but leaves what is inside it: a list or map there
        # cannot be a key of Python data (valid YAML, unused by any hub config). Any other
        # TypeError is ours: it stays an internal error.
        if not document.collection_keys:
            raise
        raise _unhashable_key(document) from None
    return document


def _unhashable_key(document: Document) -> ConfigError:
    inside = [
        key
        for key in document.collection_keys
        if isinstance(key, SequenceNode) and not all(isinstance(i, ScalarNode) for i in key.value)
    ]
    mark = (inside or document.collection_keys)[0].start_mark
    line, column = mark.line + 1, mark.column + 1
    return ConfigError(
        f"{document.filename}:{line}:{column}: a mapping key holds a list or a map inside a list; "
        "that is valid YAML, but it cannot be read as data, and hub configs use plain keys",
        hint="write the key as a plain string",
        location=SourceLocation(document.filename, line, column),
    )


def _construct(document: Document, yaml: YAML, root: Node) -> Any:
    if document.composed_in_c:
        # Anything unusual, any error: ruamel constructs it all (its data, its errors).
        with contextlib.suppress(Exception):
            return construct_plain(yaml.constructor, root, document.anchored)
    # Constructing flattens merge keys in the node graph: index first (above).
    return yaml.constructor.construct_document(root)


# Top-level keys of a document that holds hub configuration (a hub list, a hub's values, hubploy).
_HUB_KEYS = frozenset({"hubs", "clusters", "jupyterhub", "basehub", "base-hub", "images"})


def _hub_document(roots: list[Node], filename: str) -> int:
    """Which document of a multi-document file holds the hubs (the others are left alone)."""
    found = [
        index
        for index, root in enumerate(roots)
        if isinstance(root, SequenceNode)
        or (
            isinstance(root, MappingNode)
            and any(str(key.value) in _HUB_KEYS for key, _ in root.value)
        )
    ]
    if len(found) == 1:
        return found[0]
    which = ", ".join(str(index + 1) for index in found) if found else "none"
    raise ConfigError(
        f"{filename}: of its {len(roots)} YAML documents, {'several' if found else 'none'} "
        f"hold hub configuration (documents: {which})",
        hint="split the file, one document for the hubs' configuration",
    )


def _compose_fast(text: str) -> tuple[YAML | None, list[Node]]:
    """(loader, document roots) from the C composer; (None, []) without it or when it fails."""
    if not _HAS_CLIB or text.startswith("\ufeff") or _DIRECTIVE.search(text):
        # The C reader drops a byte order mark from its offsets, and ruamel only learns
        # a `%YAML 1.1` directive from its pure scanner.
        return None, []
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _Yaml12Resolver
    try:
        return yaml, list(yaml.compose_all(text))
    except YAMLError:
        return None, []


def compose_roots(text: str) -> list[Node] | None:
    """The document roots from the C composer alone, None where it is not used or fails
    (nothing constructed, nothing indexed: for checks that compare node graphs)."""
    with collector_paused(), warnings.catch_warnings():
        warnings.simplefilter("ignore", ReusedAnchorWarning)
        try:
            yaml, roots = _compose_fast(text)
        except RecursionError:
            return None
    return roots if yaml is not None else None


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


def same_data(left: Any, right: Any) -> bool:  # noqa: C901 (one branch per kind of YAML value, compared iteratively)
    """Equal data, with types compared too (1 is not True, 1 is not 1.0) and NaN equal to NaN.

    Linear in the size of the data as parsed: an aliased value is one object reached many
    times, and each pair of objects is compared once (a chain of aliases would otherwise
    be walked once per path to it, exponentially many).
    """
    compared: set[tuple[int, int]] = set()
    pending = [(left, right)]
    while pending:
        a, b = pending.pop()
        if type(a) is not type(b):
            return False
        if isinstance(a, dict | list):
            pair = (id(a), id(b))
            if pair in compared:
                continue
            compared.add(pair)
            if isinstance(a, dict):
                if a.keys() != b.keys():
                    return False
                pending.extend((a[key], b[key]) for key in a)
            else:
                if len(a) != len(b):
                    return False
                pending.extend(zip(a, b, strict=True))
        elif isinstance(a, float) and math.isnan(a):
            if not math.isnan(b):
                return False
        elif not bool(a == b):
            return False
    return True


def _index(document: Document, node: Node, path: YamlPath) -> None:  # noqa: C901 (the one walk over every node; splitting it costs a call per node)
    """Walk every node once in document order, recording anchored nodes' paths."""
    # The C composer leaves `anchor` unset, so a node reached twice is what marks an alias.
    first_path: dict[int, YamlPath] = {}
    stack: list[tuple[Node, YamlPath]] = [(node, path)]
    while stack:
        current, current_path = stack.pop()
        if len(current_path) > MAX_DEPTH:
            raise _too_deep(document.filename)
        definition = first_path.setdefault(id(current), current_path)
        if definition is not current_path:
            document.anchored[id(current)] = current
            seen = document.occurrences.setdefault(id(current), [definition])
            seen.append(current_path)
            if current.anchor is None:
                current.anchor = _anchor_name(document.text, current)
            continue  # an alias: its content was indexed at the definition
        document.node_count += 1
        # One pass over a mapping's pairs: styles, merge keys, the children to visit.
        if isinstance(current, MappingNode):
            entries, merges = [], False
            for key_node, value in current.value:
                if isinstance(key_node, ScalarNode):
                    if key_node.style == "":
                        key_node.style = None
                    if key_node.value == MERGE_KEY and key_node.tag == _MERGE_TAG:
                        merges = True
                else:
                    document.collection_keys.append(key_node)
                entries.append((value, (*current_path, str(key_node.value))))
            if merges:
                document.merge_pairs[id(current)] = list(current.value)
            stack.extend(reversed(entries))
        elif isinstance(current, SequenceNode):
            items = current.value
            stack.extend((items[i], (*current_path, i)) for i in range(len(items) - 1, -1, -1))
        else:
            _plain_style_is_none(current)


def _plain_style_is_none(node: Node) -> None:
    # The C composer marks a plain scalar with style "", the pure one with None.
    if isinstance(node, ScalarNode) and node.style == "":
        node.style = None


def _anchor_name(text: str, node: Node) -> str | None:
    found = _ANCHOR.match(text, node.start_mark.index)
    return found.group(1) if found else None


def newline_of(text: str) -> str:
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
