"""Minimal text edits: replace the text of one scalar, or insert a few lines into a mapping.

A ruamel dump would re-indent sequences, re-flow lists and drop trailing blanks (12 of the
13 fixture files change), so everything outside the changed scalars is kept byte for byte.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import VersionedResolver

from hubimage.bump.document import Document
from hubimage.errors import ConfigError
from hubimage.yamlpaths import format_path

_STRING_TAG = "tag:yaml.org,2002:str"
# YAML 1.2 (ruamel, Python tools) and YAML 1.1 (Helm's Go parser, PyYAML) disagree on
# `yes`, `0o17`, `1:20`...; a tag must read as a string under both.
_RESOLVERS = (VersionedResolver(version=(1, 2)), VersionedResolver(version=(1, 1)))


@dataclass(frozen=True)
class Splice:
    """Replace text[start:end] by `text` (start == end inserts)."""

    start: int
    end: int
    text: str


def needs_quotes(value: str) -> bool:
    """True if `value` written plain would not be read back as this string."""
    return not value or any(
        str(resolver.resolve(ScalarNode, value, (True, False))) != _STRING_TAG
        for resolver in _RESOLVERS
    )


def render_scalar(value: str, style: str | None, quote: str = '"') -> str:
    """`value` written in `style` (None: plain if that reads back as a string, else `quote`)."""
    if style in ("'", '"'):
        return f"{style}{value}{style}"
    if style is None:
        return f"{quote}{value}{quote}" if needs_quotes(value) else value
    raise ConfigError(f"cannot rewrite a {style!r} block scalar")


def replace_scalar(document: Document, node: ScalarNode, value: str, quote: str = '"') -> Splice:
    """Replace the text of `node` by `value`, keeping its quoting where it has any."""
    if node.style not in (None, "'", '"'):
        raise ConfigError(
            f"{document.filename}: the value at line {node.start_mark.line + 1} is a block "
            "scalar; write it as a one-line string first",
            location=document.location(node),
        )
    start, end = node.start_mark.index, node.end_mark.index
    return Splice(start, end, render_scalar(value, node.style, quote))


def replace_value(
    document: Document, key_node: Node, node: ScalarNode, value: str, quote: str = '"'
) -> Splice:
    """replace_scalar; an empty value (`tag:`) has no text to replace: write after the colon."""
    if node.style is None and node.value == "":
        start = _after_colon(document, key_node)
        return Splice(start, start, f" {render_scalar(value, None, quote)}")
    return replace_scalar(document, node, value, quote)


def fill_empty_value(
    document: Document,
    key_node: Node,
    empty: Node,
    indent_step: int,
    missing: tuple[str, ...],
    leaves: tuple[tuple[str, str], ...],
) -> tuple[Splice, tuple[int, ...]]:
    """Replace the empty value of `key_node` (`config: {}`, `image:`) by a nested block.

    Returns the splice and, for each leaf, where its line starts in the splice's text.
    """
    start, end = _empty_value_span(document, key_node, empty)
    column = key_node.start_mark.column + indent_step
    newline, text, leaf_starts = document.newline, "", []
    for depth, key in enumerate(missing):
        text += f"{newline}{' ' * (column + depth * indent_step)}{key}:"
    leaf_indent = " " * (column + len(missing) * indent_step)
    for key, value in leaves:
        leaf_starts.append(len(text) + len(newline))
        text += f"{newline}{leaf_indent}{key}: {render_scalar(value, None)}"
    return Splice(start, end, text), tuple(leaf_starts)


def _empty_value_span(document: Document, key_node: Node, empty: Node) -> tuple[int, int]:
    """The text to replace: from the colon (keeping any `&anchor`) through `{}`/`~`/`null`."""
    colon_end = _after_colon(document, key_node)
    if isinstance(empty, ScalarNode) and empty.value == "":
        return colon_end, colon_end
    end = empty.end_mark.index
    token = end - 2 if isinstance(empty, MappingNode) else end - len(str(empty.value))
    before = document.text[colon_end:token]
    if before.strip():  # an anchor or a tag: keep it, drop the space after it
        return colon_end + len(before.rstrip()), end
    return colon_end, end


def _after_colon(document: Document, key_node: Node) -> int:
    colon = document.text.find(":", key_node.end_mark.index)
    if colon < 0:
        raise ConfigError(
            f"{document.filename}: no ':' after the key at line {key_node.start_mark.line + 1}"
        )
    return colon + 1


def insert_into_mapping(
    document: Document,
    parent: MappingNode,
    indent_step: int,
    missing: tuple[str, ...],
    leaves: tuple[tuple[str, str], ...],
) -> tuple[Splice, tuple[int, ...]]:
    """Lines that add `missing` nested keys, then the `leaves` (key, value) inside the last.

    They go after the mapping's last entry, indented like its keys. Returns the splice and,
    for each leaf, where its line starts in the splice's text.
    """
    if parent.flow_style:
        raise ConfigError(
            f"{document.filename}: cannot add keys to the flow mapping at line "
            f"{parent.start_mark.line + 1}",
            location=document.location(parent),
        )
    column = parent.value[0][0].start_mark.column
    newline = document.newline
    offset = document.line_start(last_content_line(document, parent) + 1)
    lines = [f"{' ' * (column + depth * indent_step)}{key}:" for depth, key in enumerate(missing)]
    leaf_indent = " " * (column + len(missing) * indent_step)
    first_leaf = len(lines)
    lines += [f"{leaf_indent}{key}: {render_scalar(value, None)}" for key, value in leaves]
    if offset == len(document.text) and not document.text.endswith(("\n", "\r")):
        # The file's last line has no line break: the new lines go after one, and the
        # file still ends without one (only the added lines differ).
        starts = _starts([newline + line for line in lines], len(newline))
        return Splice(offset, offset, "".join(newline + line for line in lines)), starts[
            first_leaf:
        ]
    starts = _starts([line + newline for line in lines], 0)
    return Splice(offset, offset, "".join(line + newline for line in lines)), starts[first_leaf:]


def _starts(pieces: list[str], skip: int) -> tuple[int, ...]:
    """Where each piece's line starts in their concatenation (`skip`: its leading break)."""
    starts, position = [], 0
    for piece in pieces:
        starts.append(position + skip)
        position += len(piece)
    return tuple(starts)


def indent_step(document: Document, chain: list[Node]) -> int:
    """The indentation the file uses for a nested mapping (2 if it shows none)."""
    pairs = itertools.pairwise(chain)
    for outer, inner in reversed(list(pairs)):
        if _block_mapping(outer) and _block_mapping(inner):
            step = inner.value[0][0].start_mark.column - outer.value[0][0].start_mark.column
            if step > 0:
                return int(step)
    return 2


def apply_splices(text: str, splices: list[Splice]) -> str:
    ordered = sorted(splices, key=lambda splice: (splice.start, splice.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end or (after.start == before.start == after.end):
            raise ConfigError("internal error: two edits overlap")
    parts, position = [], 0
    for splice in ordered:
        parts += [text[position : splice.start], splice.text]
        position = splice.end
    parts.append(text[position:])
    return "".join(parts)


def last_content_line(document: Document, node: Node) -> int:
    """1-based line of the last character of `node`'s own text (comments after it excluded)."""
    if isinstance(node, ScalarNode):
        return _scalar_last_line(document, node)
    if isinstance(node, MappingNode | SequenceNode) and node.flow_style:
        return document.line_of(node.end_mark.index - 1)
    if isinstance(node, MappingNode):
        key_node, value = node.value[-1]
        floor = key_node.end_mark.index
        return max(document.line_of(floor), _value_last_line(document, value, floor))
    if isinstance(node, SequenceNode):
        floor = node.start_mark.index
        if len(node.value) > 1:  # the last item starts after the line the one before ends on
            floor = document.line_start(last_content_line(document, node.value[-2]))
        return _value_last_line(document, node.value[-1], floor)
    raise ConfigError(f"{document.filename}: unexpected YAML node at {format_path(())}")


def _value_last_line(document: Document, value: Node, floor: int) -> int:
    if value.start_mark.index < floor:
        # An alias: the node's marks are those of its anchor, earlier in the file.
        alias = re.compile(rf"\*{re.escape(str(value.anchor))}(?![^\s,\]\}}])")
        found = alias.search(document.text, floor)
        return document.line_of(found.start()) if found else document.line_of(floor)
    return last_content_line(document, value)


def _scalar_last_line(document: Document, node: ScalarNode) -> int:
    start, end = node.start_mark.index, node.end_mark.index
    if end <= start:
        return document.line_of(start)  # an empty (null) value
    if node.style in ("|", ">"):
        # A block scalar's end mark is past its trailing blank lines.
        body = document.text[start:end].rstrip(" \t\r\n")
        return document.line_of(start + max(len(body) - 1, 0))
    return document.line_of(end - 1)


def _block_mapping(node: Node) -> bool:
    return isinstance(node, MappingNode) and not node.flow_style and bool(node.value)
