"""The plain data of a composed document, built without ruamel's constructor machinery.

ruamel's SafeConstructor is most of a parse's cost on a large file: every node goes
through its memo tables, recursion guards and generator protocol. Hub configs use only
maps, sequences and a few scalar types, so `construct_plain` builds those directly, with
ruamel's own functions for the scalars that are not strings (so `yes`, `0x1f`, `.inf`,
dates read as ruamel reads them). Anything else (merge keys, `=` keys, other tags,
collection keys, duplicate keys) raises Unusual, and the caller lets ruamel construct the
whole document: its data, and its errors, stay ruamel's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_PREFIX = "tag:yaml.org,2002:"
_MAP, _SEQ, _STR = f"{_PREFIX}map", f"{_PREFIX}seq", f"{_PREFIX}str"
# Scalar tags built with ruamel's own constructor function (each returns a plain value).
_SCALARS = tuple(f"{_PREFIX}{name}" for name in ("null", "bool", "int", "float", "timestamp"))


class Unusual(Exception):
    """Something this builder does not build: let ruamel construct the document."""


def construct_plain(constructor: Any, root: Node, anchored: dict[int, Node]) -> Any:  # noqa: C901 (one branch per YAML node kind; a hot loop kept in one frame for speed)
    """The data ruamel's SafeConstructor `constructor` would build from `root`.

    `anchored`: the nodes reached more than once (aliases); each is built once and
    shared, as ruamel does. Nesting is bounded by the caller (document.MAX_DEPTH).
    """
    scalars: dict[str, Callable[[Any, Node], Any]] = {
        tag: constructor.yaml_constructors[tag] for tag in _SCALARS
    }
    built: dict[int, Any] = {}

    def build(node: Node) -> Any:  # noqa: C901 (one branch per node kind, as above)
        if id(node) in anchored and id(node) in built:
            return built[id(node)]
        kind, tag = node.__class__, node.ctag
        if tag.handle is not None:
            raise Unusual
        suffix = tag.suffix
        if kind is ScalarNode:
            if suffix == _STR:
                data = node.value
            elif suffix in scalars:
                data = scalars[suffix](constructor, node)
            else:
                raise Unusual
        elif kind is MappingNode and suffix == _MAP:
            data = {}
            for key_node, value_node in node.value:
                if key_node.__class__ is not ScalarNode:
                    raise Unusual
                key = build(key_node)
                if key in data:
                    raise Unusual  # a duplicate key: ruamel's error
                data[key] = build(value_node)
        elif kind is SequenceNode and suffix == _SEQ:
            data = [build(item) for item in node.value]
        else:
            raise Unusual
        if id(node) in anchored:
            built[id(node)] = data
        return data

    return build(root)
