"""From any entry point the bump takes to each named hub's layers of values.

Entry points, read as the bump reads them (`hubimage.bump.current`, `hubimage.bump.tree`):
- a hub list (2021 `hubs.yaml`, 2022 per-cluster files) whose hubs hold an inline `config:`;
- a 2i2c `cluster.yaml`, whose hubs list `helm_chart_values_files`;
- a values file: through the `cluster.yaml` beside it when that lists it, else alone;
- a hubploy `deployments/<hub>/hubploy.yaml`, or the `deployments` folder.

A hub's layers, first to last: Zero to JupyterHub's defaults, the chart's defaults found in
the repository, then the hub's own values in the order Helm gets them. sops-encrypted files
are read as structure, their encrypted values replaced by a placeholder.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass

from hubimage.bump.document import Document
from hubimage.bump.effective import WRAPPER_KEYS, chart_prefix, merge_values
from hubimage.bump.hubfiles import FileCache, TextReader, cluster_beside, confined, listers
from hubimage.bump.hubploy import is_hubploy
from hubimage.bump.layout import Hub, find_layout, select_hubs
from hubimage.errors import ConfigError
from hubimage.spawnprofiles.charts import (
    chart_defaults,
    find_chart_folder,
    z2jh_defaults,
)
from hubimage.spawnprofiles.hubploy import hubploy_hub_layers
from hubimage.spawnprofiles.layers import HubLayers, Layer, child_node, file_layer


@dataclass
class Reading:
    """One derivation's reads: every file read and parsed once."""

    cache: FileCache
    root: str
    chart: str | None  # the chart for a values file read alone, or hubploy's chart folder


def hub_layers(
    entry: str, read: TextReader, hubs: Sequence[str], *, root: str, chart: str | None
) -> list[HubLayers]:
    """Each named hub's layers (every hub of the entry when none is named)."""
    reading = Reading(FileCache(read), root, chart)
    names = tuple(dict.fromkeys(hubs))
    document = _entry_document(entry, reading.cache)
    if document is None:
        return hubploy_folder(entry, names, reading)
    if is_hubploy(document):
        return hubploy_hub_layers(entry, document, names, reading.cache, root, chart)
    if find_layout(document).kind == "values":
        cluster = cluster_beside(entry, reading.cache, root)
        if cluster is None:
            return _values_alone(entry, document, names, reading)
        cluster_document = reading.cache.document(cluster)
        assert cluster_document is not None
        if not names:
            layout = find_layout(cluster_document)
            names = tuple(listers(layout, cluster, posixpath.normpath(entry), root))
        entry, document = cluster, cluster_document
    layout = find_layout(document)
    selected = select_hubs(document, layout, names) if names else layout.hubs
    return [_listed_hub(entry, document, hub, reading) for hub in selected]


def _entry_document(entry: str, cache: FileCache) -> Document | None:
    """The entry's document; None for a folder (hubploy's `deployments`)."""
    try:
        document = cache.document(entry)
    except ConfigError as error:
        if "is a directory" in error.message:
            return None
        raise
    if document is None and posixpath.basename(posixpath.normpath(entry)) != "deployments":
        raise ConfigError(f"config file {entry} does not exist")
    return document


def hubploy_folder(entry: str, names: tuple[str, ...], reading: Reading) -> list[HubLayers]:
    """`deployments/`: each named hub's `<hub>/hubploy.yaml` (a folder cannot be listed)."""
    files = [posixpath.join(entry, name, "hubploy.yaml") for name in names]
    documents = [reading.cache.document(file) for file in files]
    absent = [file for file, document in zip(files, documents, strict=True) if document is None]
    if absent or not files:
        raise ConfigError(
            f"{entry} is a directory, not a config file"
            + (f", and it has no {', '.join(absent)}" if absent else ""),
            hint="name the hubs (each one's deployments/HUB/hubploy.yaml is read), or pass "
            "the hub config file",
        )
    found: list[HubLayers] = []
    for name, file, document in zip(names, files, documents, strict=True):
        assert document is not None
        found += hubploy_hub_layers(file, document, (name,), reading.cache, reading.root, None)
    return found


def _values_alone(
    entry: str, document: Document, names: tuple[str, ...], reading: Reading
) -> list[HubLayers]:
    """A values file no cluster.yaml lists: it is the hub's whole config, for each name."""
    layer = file_layer(entry, document)
    label = names or (posixpath.splitext(posixpath.basename(entry))[0],)
    built = _with_chart(entry, reading.chart, [layer], reading)
    return [HubLayers(name, built.layers, built.jupyterhub, built.notes) for name in label]


def _listed_hub(entry: str, document: Document, hub: Hub, reading: Reading) -> HubLayers:
    chart = hub.chart or reading.chart
    if hub.values_files is None:
        own = [_inline_layer(entry, document, hub)]
        notes: list[str] = []
    else:
        own, notes = _values_file_layers(entry, hub, reading)
    built = _with_chart(entry, chart, own, reading)
    return HubLayers(hub.name, built.layers, built.jupyterhub, (*notes, *built.notes))


def _inline_layer(entry: str, document: Document, hub: Hub) -> Layer:
    data = document.data
    node = document.root
    for key in hub.config_path:
        data = _step(data, key)
        node = child_node(document, node, key) if node is not None else None
    return Layer(entry, data if data is not None else {}, (), document, node)


def _step(data: object, key: str | int) -> object:
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    return data.get(key) if isinstance(data, dict) else None


def _values_file_layers(entry: str, hub: Hub, reading: Reading) -> tuple[list[Layer], list[str]]:
    layers: list[Layer] = []
    notes: list[str] = []
    for name in hub.values_files or ():
        file = confined(entry, name, reading.root, f"hub {hub.name}'s values file")
        document = reading.cache.document(file)
        if document is None:
            notes.append(f"{file}: listed for hub {hub.name} but does not exist; left out")
        elif posixpath.splitext(file)[1] == ".jsonnet":
            notes.append(f"{file} is jsonnet: not evaluated")
        else:
            layers.append(file_layer(file, document))
    return layers, notes


@dataclass(frozen=True)
class _Built:
    layers: tuple[Layer, ...]
    jupyterhub: tuple[str, ...]
    notes: tuple[str, ...]


def _with_chart(entry: str, chart: str | None, own: list[Layer], reading: Reading) -> _Built:
    """The chart's defaults and Zero to JupyterHub's under the hub's own layers."""
    folder = find_chart_folder(entry, chart, reading.cache, reading.root) if chart else None
    if folder is not None:
        defaults = chart_defaults(folder, reading.cache, reading.root)
        if defaults.jupyterhub is not None:
            z2jh = z2jh_defaults(defaults.jupyterhub)
            layers = (z2jh, *defaults.layers, *own)
            return _Built(layers, defaults.jupyterhub, defaults.notes)
    prefix = _guessed_prefix(own, chart)
    where = f"the chart {chart!r}" if chart else "the hub's chart"
    note = (
        f"{where}: its own values (helm-charts/<chart>/values.yaml) were not found in the "
        "repository; only Zero to JupyterHub's defaults are under the hub's values"
    )
    return _Built((z2jh_defaults(prefix), *own), prefix, (note,))


def _guessed_prefix(own: list[Layer], chart: str | None) -> tuple[str, ...]:
    """Where z2jh's values sit without the chart's Chart.yaml: under basehub's `jupyterhub`
    (one level deeper for a chart that wraps basehub), or at the top of a plain z2jh config."""
    values = merge_values(layer.placed() for layer in own)
    plain_z2jh = (
        isinstance(values, dict)
        and chart is None
        and not any(key in values for key in ("jupyterhub", *WRAPPER_KEYS))
        and ("singleuser" in values or "hub" in values)
    )
    if plain_z2jh:
        return ()
    return (*chart_prefix(values, chart), "jupyterhub")
