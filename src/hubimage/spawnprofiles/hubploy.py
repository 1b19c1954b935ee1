"""A hubploy deployment's layers (berkeley-dsep-infra/datahub), one set per environment.

`hubploy deploy <hub> <chart> <env>` runs `helm upgrade` with the repository's chart folder
(datahub's is `hub/`) and `-f deployments/<hub>/config/common.yaml`, `-f config/<env>.yaml`,
`-f secrets/<env>.yaml` (those that exist), then `--set-string` each image of hubploy.yaml at
its `helm_substitution_path` (default `jupyterhub.singleuser.image`) as `.name` and `.tag`
(hubploy/helm.py). Both environments are derived, staging first; the caller names the
profiles by environment and keeps identical ones once.
"""

from __future__ import annotations

import posixpath
from typing import Any

from hubimage.bump.document import Document
from hubimage.bump.hubfiles import FileCache
from hubimage.errors import ConfigError
from hubimage.spawnprofiles.charts import chart_defaults, z2jh_defaults
from hubimage.spawnprofiles.layers import HubLayers, Layer, child_node, file_layer

ENVIRONMENTS = ("staging", "prod")
HUBPLOY_CHART = "hub"
_IMAGE_PATH = "jupyterhub.singleuser.image"


def hubploy_hub_layers(
    file: str,
    document: Document,
    names: tuple[str, ...],
    cache: FileCache,
    root: str,
    chart: str | None,
) -> list[HubLayers]:
    deployment = posixpath.dirname(posixpath.normpath(file))
    hub = posixpath.basename(deployment)
    other = [name for name in names if name != hub]
    if other:
        raise ConfigError(
            f"{file}: no hub named {other[0]!r}; this hubploy.yaml is hub {hub!r}'s",
            hint=f"pass deployments/{other[0]}/hubploy.yaml, or the deployments folder",
        )
    repository = posixpath.dirname(posixpath.dirname(deployment))
    folder = posixpath.join(repository, chart or HUBPLOY_CHART)
    defaults = chart_defaults(folder, cache, root)
    notes = list(defaults.notes)
    jupyterhub = defaults.jupyterhub
    if jupyterhub is None:
        jupyterhub = ("jupyterhub",)
        notes.append(
            f"{folder}: no chart listing Zero to JupyterHub (jupyterhub) was found there; "
            "only Zero to JupyterHub's defaults are under the hub's values"
        )
    images = image_layers(file, document)
    found = []
    for environment in _environments(deployment, cache):
        own, absent = [], []
        for path in _values_files(deployment, environment):
            parsed = cache.document(path)
            if parsed is not None:
                own.append(file_layer(path, parsed))
            elif "/secrets/" in path:
                absent.append(path)
        secrets = [
            f"{path}: not in the repository (hubploy passes it when present): settings it "
            "holds are missing here"
            for path in absent
        ]
        layers = (z2jh_defaults(jupyterhub), *defaults.layers, *own, *images)
        found.append(HubLayers(hub, layers, jupyterhub, (*notes, *secrets), environment))
    return found


def _environments(deployment: str, cache: FileCache) -> list[str]:
    present = [
        environment
        for environment in ENVIRONMENTS
        if cache.document(posixpath.join(deployment, "config", f"{environment}.yaml")) is not None
    ]
    return present or [""]


def _values_files(deployment: str, environment: str) -> list[str]:
    files = [posixpath.join(deployment, "config", "common.yaml")]
    if environment:
        files.append(posixpath.join(deployment, "config", f"{environment}.yaml"))
        files.append(posixpath.join(deployment, "secrets", f"{environment}.yaml"))
    return files


def image_layers(file: str, document: Document) -> list[Layer]:
    """The images hubploy passes with --set-string, each a layer at its substitution path."""
    data: Any = document.data
    images = data.get("images") if isinstance(data, dict) else None
    if not isinstance(images, dict):
        return []
    listed = images.get("images")
    entries: list[tuple[tuple[str | int, ...], Any]]
    if isinstance(listed, list):
        entries = [(("images", "images", i, "name"), entry) for i, entry in enumerate(listed)]
    elif isinstance(images.get("image_name"), str):
        entries = [(("images", "image_name"), {"name": images["image_name"]})]
    else:
        entries = []
    layers = []
    for where, entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        substitution = entry.get("helm_substitution_path") or _IMAGE_PATH
        layers.append(
            Layer(
                file,
                _name_and_tag(entry["name"]),
                tuple(str(substitution).split(".")),
                line=_line(document, where),
            )
        )
    return layers


def _name_and_tag(image: str) -> dict[str, str]:
    # The tag follows the last colon after the last slash (a registry host may have a port).
    colon, slash = image.rfind(":"), image.rfind("/")
    if colon > slash:
        return {"name": image[:colon], "tag": image[colon + 1 :]}
    return {"name": image}


def _line(document: Document, path: tuple[str | int, ...]) -> int | None:
    node = document.root
    for key in path:
        node = child_node(document, node, key) if node is not None else None
    return node.start_mark.line + 1 if node is not None else None
