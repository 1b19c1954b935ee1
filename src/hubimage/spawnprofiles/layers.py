"""A hub's values as Helm merges its layers, each setting traceable to the file and line that
set it last.

Helm merges values files in order: mappings key by key, anything else (lists, scalars, null)
replaced whole by the later file (`hubimage.bump.effective.merge_values`). A layer here is one
such file, or a part of one (a hub's inline `config:`), placed at a path of the merged values
(a subchart's defaults sit under the subchart's key). Where a setting came from is the last
layer that holds its path: that layer's node gives the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hubimage.bump.document import MERGE_KEY, Document
from hubimage.bump.effective import get_path, merge_values
from hubimage.check.profile import ZERO_TO_JUPYTERHUB

Path = tuple[str | int, ...]

# What an encrypted value reads as: never the ENC[...] text, never a guess at the secret.
ENCRYPTED_PLACEHOLDER = "hubimage-encrypted-value"
# sops encrypts each scalar to `ENC[AES256_GCM,data:...,iv:...,tag:...,type:str]`.
_SOPS_VALUE = re.compile(r"ENC\[[A-Z0-9_]+,data:.*\]", re.DOTALL)


@dataclass(frozen=True)
class Layer:
    """One layer of values: `data` placed at `prefix` of the merged values.

    `source` is the file it was read from (its `document`, with `node` the node `data` was
    constructed from), or, for a layer no file holds (Zero to JupyterHub's defaults, an image
    hubploy passes with --set-string), what to call it (`line` then says where it is).
    """

    source: str
    data: Any
    prefix: tuple[str, ...] = ()
    document: Document | None = None
    node: Node | None = None
    line: int | None = None

    def placed(self) -> Any:
        data = self.data
        for key in reversed(self.prefix):
            data = {key: data}
        return data

    def holds(self, path: Path) -> bool:
        """Whether this layer sets `path` (or a mapping around the place it sits)."""
        inner = self._inner(path)
        if inner is None:
            return False
        return has_path(self.data, inner)

    def node_at(self, path: Path) -> Node | None:
        inner = self._inner(path)
        if self.document is None or self.node is None or inner is None:
            return None
        node: Node | None = self.node
        for key in inner:
            node = child_node(self.document, node, key) if node is not None else None
        return node

    def where(self, path: Path) -> str:
        """`FILE:LINE` of the value at `path` here (the layer's own name without a file)."""
        node = self.node_at(path)
        if node is not None:
            return f"{self.source}:{node.start_mark.line + 1}"
        return f"{self.source}:{self.line}" if self.line is not None else self.source

    def _inner(self, path: Path) -> Path | None:
        if tuple(path[: len(self.prefix)]) == self.prefix:
            return tuple(path[len(self.prefix) :])
        if self.prefix[: len(path)] == tuple(path):
            return ()  # an ancestor of where this layer sits: the layer's top mapping
        return None


@dataclass(frozen=True)
class HubLayers:
    """One hub's values layers (per hubploy environment: `variant` names it)."""

    hub: str
    layers: tuple[Layer, ...]
    jupyterhub: tuple[str, ...]  # where Zero to JupyterHub's values sit in the merged values
    notes: tuple[str, ...] = ()
    variant: str = ""


def file_layer(file: str, document: Document) -> Layer:
    """A values file as a layer; a sops-encrypted one with its secrets as placeholders."""
    data = document.data if document.data is not None else {}
    if is_sops_file(data):
        data, _ = without_secrets(data)
    return Layer(file, data, (), document, document.root)


class Values:
    """The merged values of a hub, and the layer each setting came from."""

    def __init__(self, layers: Iterable[Layer]) -> None:
        self.layers = tuple(layers)
        self.data: Any = merge_values(layer.placed() for layer in self.layers)

    def get(self, path: Path) -> Any:
        return get_path(self.data, path)

    def has(self, path: Path) -> bool:
        return has_path(self.data, path)

    def holder(self, path: Path) -> Layer | None:
        """The last layer that sets `path`: the one whose value Helm keeps."""
        return next((layer for layer in reversed(self.layers) if layer.holds(path)), None)

    def origin(self, path: Path) -> str:
        """`FILE:LINE` where the value at `path` was set last (ZERO_TO_JUPYTERHUB if nowhere)."""
        layer = self.holder(path)
        return layer.where(path) if layer is not None else ZERO_TO_JUPYTERHUB

    def node(self, path: Path) -> Node | None:
        layer = self.holder(path)
        return layer.node_at(path) if layer is not None else None


def has_path(data: Any, path: Path) -> bool:
    """Whether `path` is in `data` (a null value counts: it is set, to null)."""
    for key in path:
        found, data = _child(data, key)
        if not found:
            return False
    return True


def _child(data: Any, key: str | int) -> tuple[bool, Any]:
    if isinstance(data, dict):
        return (True, data[key]) if key in data else (False, None)
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return True, data[key]
    return False, None


def child_node(document: Document, node: Node, key: str | int) -> Node | None:
    """The value node of `key` in `node`, through YAML merge keys (`<<`) too."""
    if isinstance(node, SequenceNode):
        if isinstance(key, int) and 0 <= key < len(node.value):
            child: Node = node.value[key]
            return child
        return None
    if not isinstance(node, MappingNode):
        return None
    pairs = document.merge_pairs.get(id(node), node.value)
    own = [value for k, value in pairs if str(k.value) == str(key) and k.value != MERGE_KEY]
    if own:
        last: Node = own[-1]
        return last
    for k, value in pairs:
        if k.value == MERGE_KEY:
            merged = value.value if isinstance(value, SequenceNode) else [value]
            for source in merged:
                found = child_node(document, source, key)
                if found is not None:
                    return found
    return None


def without_secrets(data: Any) -> tuple[Any, list[Path]]:
    """A sops file's values as plain structure: its `sops:` block dropped, each encrypted
    scalar replaced by ENCRYPTED_PLACEHOLDER; and the paths that got the placeholder."""
    replaced: list[Path] = []
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if key != "sops"}
    return _replace_encrypted(data, (), replaced), replaced


def _replace_encrypted(data: Any, path: Path, replaced: list[Path]) -> Any:
    if isinstance(data, dict):
        return {k: _replace_encrypted(v, (*path, k), replaced) for k, v in data.items()}
    if isinstance(data, list):
        return [_replace_encrypted(v, (*path, i), replaced) for i, v in enumerate(data)]
    if isinstance(data, str) and _SOPS_VALUE.fullmatch(data):
        replaced.append(path)
        return ENCRYPTED_PLACEHOLDER
    return data


def is_sops_file(data: Any) -> bool:
    return isinstance(data, dict) and isinstance(data.get("sops"), dict)


def raw_scalar(node: Node | None) -> str | None:
    """The text of a plain (unquoted) scalar as written, None for anything else."""
    if isinstance(node, ScalarNode) and node.style is None:
        return str(node.value)
    return None


def dotted(path: Sequence[str | int]) -> str:
    """`singleuser.profileList[0].kubespawner_override` for a path."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
