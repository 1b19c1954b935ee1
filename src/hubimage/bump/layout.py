"""Where the hubs are in a config file, and which chart each one uses.

Layouts met in 2i2c's history (see the hub-configs fixtures):
- `clusters[].hubs[]` (hubs.yaml, 2021), each hub with `template:` and inline `config:`;
- a top-level `hubs:` list (per-cluster files, 2022: `helm_chart:` and inline `config:`;
  today's cluster.yaml: `helm_chart:` and `helm_chart_values_files:`), or a document that is
  itself a list of hubs;
- a bare values file: the whole document is one hub's chart values.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal, TypeGuard

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hubimage.bump.document import Document, own_child
from hubimage.errors import ConfigError
from hubimage.yamlpaths import YamlPath, format_path

LayoutKind = Literal["values", "hubs", "clusters"]

BASE_CHARTS = frozenset({"basehub", "base-hub"})
# Charts that depend on basehub and so take its values one level deeper.
WRAPPING_CHARTS = frozenset({"daskhub", "ephemeral-hub"})
WRAPPER_KEYS = ("basehub", "base-hub")


@dataclass(frozen=True)
class Hub:
    name: str
    cluster: str | None  # the enclosing cluster's name in the clusters[] layout
    path: YamlPath  # path of the hub's entry
    node: MappingNode
    chart: str | None
    chart_key: str | None  # "template" (2021) or "helm_chart" (2022 on)
    values_files: tuple[str, ...] | None  # today's layout: config lives in these files

    @property
    def config_path(self) -> YamlPath:
        return (*self.path, "config")


@dataclass(frozen=True)
class Layout:
    kind: LayoutKind
    hubs: tuple[Hub, ...]

    def owner_of(self, path: YamlPath) -> str | None:
        """Name of the hub whose entry holds `path`, None outside every hub."""
        for hub in self.hubs:
            if path[: len(hub.path)] == hub.path:
                return hub.name
        return None


def scalar_text(node: Node | None) -> str | None:
    """The text of a scalar that YAML reads as a string, else None."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return str(node.value)
    return None


def find_layout(document: Document) -> Layout:
    root = document.root
    if isinstance(root, SequenceNode) and _is_hub_list(root):
        return Layout("hubs", _hubs_of(document, root, (), None))
    if not isinstance(root, MappingNode):
        return Layout("values", ())
    hubs_entry = own_child(document, root, "hubs")
    if hubs_entry is not None and _is_hub_list(hubs_entry[1]):
        return Layout("hubs", _hubs_of(document, hubs_entry[1], ("hubs",), None))
    clusters_entry = own_child(document, root, "clusters")
    if clusters_entry is not None and isinstance(clusters_entry[1], SequenceNode):
        hubs: list[Hub] = []
        for index, cluster in enumerate(clusters_entry[1].value):
            cluster_hubs = own_child(document, cluster, "hubs")
            if cluster_hubs is not None and _is_hub_list(cluster_hubs[1]):
                cluster_name = scalar_text(_value(document, cluster, "name"))
                path: YamlPath = ("clusters", index, "hubs")
                hubs += _hubs_of(document, cluster_hubs[1], path, cluster_name)
        if hubs:
            return Layout("clusters", tuple(hubs))
    return Layout("values", ())


def select_hubs(document: Document, layout: Layout, names: tuple[str, ...]) -> tuple[Hub, ...]:
    """The hubs called `names` (`cluster/hub` also works in the clusters layout)."""
    selected: list[Hub] = []
    for name in dict.fromkeys(names):
        matches = [hub for hub in layout.hubs if name in (hub.name, f"{hub.cluster}/{hub.name}")]
        if not matches:
            raise _unknown_hub(document, layout, name)
        if len(matches) > 1:
            where = ", ".join(f"{hub.cluster}/{hub.name}" for hub in matches)
            raise ConfigError(
                f"{document.filename}: hub {name!r} is in several clusters ({where})",
                hint="name it as cluster/hub",
            )
        selected.append(matches[0])
    return tuple(selected)


def _unknown_hub(document: Document, layout: Layout, name: str) -> ConfigError:
    known = sorted({hub.name for hub in layout.hubs})
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    message = f"{document.filename}: no hub named {name!r}"
    if close:
        message += f"; did you mean {' or '.join(repr(c) for c in close)}?"
    hint = f"hubs in this file: {', '.join(known)}" if len(known) <= 30 else None
    return ConfigError(message, hint=hint)


def _is_hub_list(node: Node) -> TypeGuard[SequenceNode]:
    return (
        isinstance(node, SequenceNode)
        and bool(node.value)
        and all(isinstance(item, MappingNode) for item in node.value)
        and all(isinstance(_first_value(item, "name"), ScalarNode) for item in node.value)
    )


def _hubs_of(
    document: Document, sequence: SequenceNode, path: YamlPath, cluster: str | None
) -> tuple[Hub, ...]:
    hubs = []
    for index, item in enumerate(sequence.value):
        chart_key = next(
            (key for key in ("helm_chart", "template") if own_child(document, item, key)), None
        )
        chart = scalar_text(_value(document, item, chart_key)) if chart_key else None
        hubs.append(
            Hub(
                name=_raw_text(_value(document, item, "name")),
                cluster=cluster,
                path=(*path, index),
                node=item,
                chart=chart,
                chart_key=chart_key,
                values_files=_values_files(document, item, (*path, index)),
            )
        )
    return tuple(hubs)


def _values_files(document: Document, item: MappingNode, path: YamlPath) -> tuple[str, ...] | None:
    files = _value(document, item, "helm_chart_values_files")
    if files is None:
        return None
    names = [scalar_text(entry) for entry in files.value] if isinstance(files, SequenceNode) else []
    if not names or any(name is None for name in names):
        raise ConfigError(
            f"{document.filename}: {format_path((*path, 'helm_chart_values_files'))}"
            " must be a list of file names",
            location=document.location(files),
        )
    return tuple(str(name) for name in names)


def _raw_text(node: Node | None) -> str:
    """A scalar as written (`name: 2021` names hub "2021")."""
    return str(node.value) if isinstance(node, ScalarNode) else ""


def _value(document: Document, node: Node, key: str) -> Node | None:
    entry = own_child(document, node, key)
    return entry[1] if entry is not None else None


def _first_value(node: MappingNode, key: str) -> Node | None:
    return next((value for k, value in node.value if k.value == key), None)
