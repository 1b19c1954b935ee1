"""Files a bump reads besides its entry: each hub's values files, the cluster.yaml beside a
values file, the chart's Chart.yaml. Every path stays inside the config repository.

Paths are as the reader takes them: relative to the repository root for GitHub, or local
paths for file mode, where `root` is the repository's folder.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field

from ruamel.yaml.nodes import MappingNode, SequenceNode

from hubimage.bump.document import Document, own_child, parse_document
from hubimage.bump.layout import BASE_CHARTS, Hub, Layout, find_layout, scalar_text
from hubimage.errors import ConfigError

# Reads a file by its path (as joined from the entry file's path); None if it does not exist.
TextReader = Callable[[str], str | None]


def is_encrypted(name: str) -> bool:
    base = posixpath.basename(name)
    return base.startswith("enc-") or ".secret." in base


def confined(base_file: str, name: str, root: str, what: str) -> str:
    """`name` (relative to `base_file`'s folder) joined, refused if it leaves `root`."""
    if posixpath.isabs(name) or name.startswith("~"):
        raise ConfigError(
            f"{base_file}: {what} {name!r} is an absolute path; hub config paths are "
            "relative to the file that lists them",
            hint=f"write it relative to {posixpath.dirname(base_file) or '.'}",
        )
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), name))
    if not inside(joined, root):
        raise ConfigError(
            f"{base_file}: {what} {name!r} leaves the config repository ({root or 'its root'})",
            hint="keep every values file inside the repository",
        )
    return joined


def inside(path: str, root: str) -> bool:
    path = posixpath.normpath(path)
    if root in ("", "."):
        return not posixpath.isabs(path) and path != ".." and not path.startswith("../")
    root = posixpath.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


@dataclass
class FileCache:
    """Each file read and parsed once; None for a file that is not there."""

    read: TextReader
    documents: dict[str, Document | None] = field(default_factory=dict)

    def document(self, file: str) -> Document | None:
        if file not in self.documents:
            text = self.read(file)
            self.documents[file] = parse_document(text, file) if text is not None else None
        return self.documents[file]


@dataclass(frozen=True)
class HubFiles:
    """A hub's values files as listed: the readable ones in order, and those not read."""

    hub: Hub
    readable: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (file, reason)


def hub_files(entry: str, hub: Hub, cache: FileCache, root: str) -> HubFiles:
    readable, skipped = [], []
    for name in hub.values_files or ():
        file = confined(entry, name, root, f"hub {hub.name}'s values file")
        if is_encrypted(name):
            skipped.append((file, "encrypted (sops): never read or edited"))
        elif cache.document(file) is None:
            skipped.append((file, "listed but does not exist"))
        else:
            readable.append(file)
    return HubFiles(hub, tuple(readable), tuple(skipped))


def listers(layout: Layout, entry: str, file: str, root: str) -> list[str]:
    """The hubs that list `file` among their values files."""
    return [
        hub.name
        for hub in layout.hubs
        if any(
            confined(entry, name, root, "values file") == file for name in hub.values_files or ()
        )
    ]


def cluster_beside(values_file: str, cache: FileCache, root: str) -> str | None:
    """The `cluster.yaml` in the values file's folder, if it lists that file."""
    cluster = posixpath.join(posixpath.dirname(values_file), "cluster.yaml")
    if posixpath.normpath(cluster) == posixpath.normpath(values_file):
        return None
    document = cache.document(cluster)
    if document is None:
        return None
    layout = find_layout(document)
    target = posixpath.normpath(values_file)
    for hub in layout.hubs:
        for name in hub.values_files or ():
            if confined(cluster, name, root, "values file") == target:
                return cluster
    return None


def chart_wrapper_key(entry: str, chart: str, cache: FileCache, root: str) -> str | None:
    """The key a chart gives basehub's values (its Chart.yaml dependency), if found.

    Looked for as `helm-charts/<chart>/Chart.yaml` (today) or `hub-templates/<chart>/Chart.yaml`
    (2021) in the entry's folder and each folder above it, up to the repository root.
    """
    folder = posixpath.dirname(posixpath.normpath(entry))
    while True:
        for charts in ("helm-charts", "hub-templates"):
            file = posixpath.join(folder, charts, chart, "Chart.yaml")
            document = cache.document(file)
            if document is not None:
                return _base_dependency(document)
        if folder in ("", "/", ".") or not inside(posixpath.dirname(folder), root):
            return None
        folder = posixpath.dirname(folder)


def _base_dependency(document: Document) -> str | None:
    root = document.root
    dependencies = own_child(document, root, "dependencies") if root is not None else None
    if dependencies is None or not isinstance(dependencies[1], SequenceNode):
        return None
    for item in dependencies[1].value:
        if not isinstance(item, MappingNode):
            continue
        name = own_child(document, item, "name")
        alias = own_child(document, item, "alias")
        if name is not None and scalar_text(name[1]) in BASE_CHARTS:
            chosen = scalar_text(alias[1]) if alias is not None else None
            return chosen or scalar_text(name[1])
    return None
