"""A hub chart's own defaults, as the config repository holds them.

Helm gives a chart's templates the chart's `values.yaml`, under each dependency's key that
dependency's own `values.yaml` (parent values winning), then the `-f` files. 2i2c keeps its
charts in `helm-charts/<chart>/` (`hub-templates/<chart>/` in 2021): basehub depends on
Zero to JupyterHub (`jupyterhub`), daskhub on basehub (`file://../basehub`). hubploy
repositories (berkeley-dsep-infra/datahub) keep one chart, `hub/`, that depends on
`jupyterhub` (listed in `requirements.yaml`, apiVersion v1). Zero to JupyterHub itself is
not in these repositories: its defaults are `z2jh_defaults`.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, SequenceNode

from hubimage.bump.document import Document
from hubimage.bump.hubfiles import FileCache, confined, inside
from hubimage.bump.layout import scalar_text
from hubimage.check.profile import (
    DEFAULT_FS_GID,
    DEFAULT_HOME,
    DEFAULT_START_TIMEOUT,
    DEFAULT_UID,
    ZERO_TO_JUPYTERHUB,
)
from hubimage.errors import ConfigError
from hubimage.spawnprofiles.layers import Layer

Z2JH_CHART = "jupyterhub"
CHART_FOLDERS = ("helm-charts", "hub-templates")
# How deep charts may wrap each other (daskhub -> basehub -> jupyterhub is two).
_MAX_WRAPPING = 4


@dataclass(frozen=True)
class ChartDefaults:
    """The chart's values layers (deepest dependency first) and where z2jh's values sit."""

    folder: str
    layers: tuple[Layer, ...]
    jupyterhub: tuple[str, ...] | None  # None: the chart does not list Zero to JupyterHub
    notes: tuple[str, ...]


def z2jh_defaults(prefix: tuple[str, ...]) -> Layer:
    """Zero to JupyterHub's singleuser defaults that decide how a server starts (its
    values.yaml), placed where the hub's chart puts z2jh's values."""
    singleuser = {
        "cmd": "jupyterhub-singleuser",
        "uid": DEFAULT_UID,
        "fsGid": DEFAULT_FS_GID,
        "allowPrivilegeEscalation": False,
        "startTimeout": int(DEFAULT_START_TIMEOUT),
        "defaultUrl": None,
        "extraEnv": {},
        "extraFiles": {},
        "memory": {"limit": None, "guarantee": "1G"},
        "cpu": {"limit": None, "guarantee": None},
        "storage": {
            "type": "dynamic",
            "homeMountPath": DEFAULT_HOME,
            "dynamic": {"volumeNameTemplate": "volume-{user_server}", "subPath": None},
            "static": {"pvcName": None, "subPath": "{username}"},
            "extraVolumes": None,
            "extraVolumeMounts": None,
        },
        "networkPolicy": {"enabled": True},
        "lifecycleHooks": {},
        "initContainers": [],
        "extraContainers": [],
        "extraPodConfig": {},
        "nodeSelector": {},
        "extraTolerations": [],
        "profileList": [],
    }
    return Layer(ZERO_TO_JUPYTERHUB, {"singleuser": singleuser}, prefix)


def find_chart_folder(entry: str, chart: str, cache: FileCache, root: str) -> str | None:
    """`helm-charts/<chart>` (or `hub-templates/<chart>`) in the entry's folder or one above
    it, up to the repository root, as `chart_wrapper_key` looks for the chart's Chart.yaml."""
    folder = posixpath.dirname(posixpath.normpath(entry))
    while True:
        for charts in CHART_FOLDERS:
            candidate = posixpath.join(folder, charts, chart)
            if _has_chart(candidate, cache):
                return candidate
        if folder in ("", "/", ".") or not inside(posixpath.dirname(folder), root):
            return None
        folder = posixpath.dirname(folder)


def _has_chart(folder: str, cache: FileCache) -> bool:
    return any(
        cache.document(posixpath.join(folder, name)) is not None
        for name in ("Chart.yaml", "values.yaml")
    )


def chart_defaults(
    folder: str, cache: FileCache, root: str, prefix: tuple[str, ...] = (), depth: int = 0
) -> ChartDefaults:
    """The chart in `folder`: its dependencies' defaults under their keys, then its own."""
    layers: list[Layer] = []
    notes: list[str] = []
    jupyterhub: tuple[str, ...] | None = None
    for name, key, repository in chart_dependencies(folder, cache):
        if name == Z2JH_CHART:
            jupyterhub = (*prefix, key)
        elif repository.startswith("file://") and depth < _MAX_WRAPPING:
            # A chart in this repository (daskhub's basehub): its defaults under its key.
            sub_folder = confined(
                posixpath.join(folder, "Chart.yaml"),
                repository[len("file://") :],
                root,
                f"chart dependency {name}",
            )
            sub = chart_defaults(sub_folder, cache, root, (*prefix, key), depth + 1)
            layers += sub.layers
            notes += sub.notes
            jupyterhub = jupyterhub or sub.jupyterhub
    values_file = posixpath.join(folder, "values.yaml")
    document = cache.document(values_file)
    if document is not None and document.root is not None:
        layers.append(Layer(values_file, document.data, prefix, document, document.root))
    if depth == 0:
        notes += jsonnet_notes(folder, cache)
    return ChartDefaults(folder, tuple(layers), jupyterhub, tuple(notes))


def chart_dependencies(folder: str, cache: FileCache) -> list[tuple[str, str, str]]:
    """(name, key its values sit under, repository) of each dependency the chart lists
    (Chart.yaml, or requirements.yaml for apiVersion v1 charts)."""
    found: list[tuple[str, str, str]] = []
    for name in ("Chart.yaml", "requirements.yaml"):
        document = cache.document(posixpath.join(folder, name))
        if document is not None:
            found += _dependencies(document)
    return found


def _dependencies(document: Document) -> list[tuple[str, str, str]]:
    root = document.root
    if not isinstance(root, MappingNode):
        return []
    listed = next((v for k, v in root.value if k.value == "dependencies"), None)
    if not isinstance(listed, SequenceNode):
        return []
    found = []
    for item in listed.value:
        if not isinstance(item, MappingNode):
            continue
        fields = {str(k.value): scalar_text(v) for k, v in item.value}
        name = fields.get("name")
        if name:
            found.append((name, fields.get("alias") or name, fields.get("repository") or ""))
    return found


def jsonnet_notes(folder: str, cache: FileCache) -> list[str]:
    """What the chart's values.jsonnet does, which 2i2c's deployer renders and passes right
    after the chart's values.yaml (deployer/infra_components/hub.py): jsonnet is not
    evaluated here, so say what it is known to do (helm-charts/basehub/values.jsonnet;
    daskhub's is a link to it that wraps the same values under `basehub:`)."""
    file = posixpath.join(folder, "values.jsonnet")
    try:
        text = cache.read(file)
    except ConfigError:
        text = None
    if text is None:
        return []
    link = text.strip()
    target = f" (a link to {link})" if link.endswith(".jsonnet") and "\n" not in link else ""
    return [
        f"{file}{target} is jsonnet: not evaluated. 2i2c's deployer passes it after the "
        "chart's values.yaml; it sets singleuser.nodeSelector by cloud provider, hub "
        "services, the usage-quotas hub.extraConfig (not on binder, spyglass, public or "
        "ephemeral hubs) and the user service account's cloud annotations, none of which "
        "changes how the server starts"
    ]
