"""The image a hub runs now, according to its config (to compare the old image and the new).

Read as the bump reads it: through the cluster.yaml beside a values file, in the hub's values
files merged as Helm merges them, from what the hub offers its users.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hubimage.bump.document import Document
from hubimage.bump.effective import (
    SINGLEUSER,
    chart_prefix,
    get_path,
    image_text,
    merge_values,
    offered_images,
)
from hubimage.bump.files import read_config_text, repository_root, same_form
from hubimage.bump.hubfiles import FileCache, TextReader, cluster_beside, hub_files
from hubimage.bump.layout import find_layout, select_hubs
from hubimage.errors import ConfigError
from hubimage.yamlpaths import YamlPath, parse_path

__all__ = ["TextReader", "current_hub_image"]


def current_hub_image(
    config: str,
    hub: str,
    path: str | None = None,
    *,
    read: TextReader = read_config_text,
    root: str | None = None,
) -> str | None:
    """`name:tag` (or a bare name) of `hub`'s image in `config`; None when it sets none.

    `config` is anything bump_config_file takes (hub list, values file, cluster.yaml); with
    several different images offered (profile choices) and no `path`, which one is "the"
    image is unknown: None. ConfigError when the config cannot be read or has no such hub.
    `root`: the repository files must stay in (default: the local one for local files).
    """
    if root is None:
        root = _local_root(config) if read is read_config_text else ""
    explicit = parse_path(path) if path else None
    cache = FileCache(read)
    document = cache.document(config)
    if document is None:
        raise ConfigError(f"config file {config} does not exist")
    if find_layout(document).kind == "values":
        cluster = cluster_beside(config, cache, root)
        if cluster is None:
            return _image_of(document.data, None, explicit)
        config, found = cluster, cache.document(cluster)
        assert found is not None
        document = found
    [entry] = select_hubs(document, find_layout(document), (hub,))
    if entry.values_files is None:
        values = _step(document, entry.path)
        return _image_of(values, entry.chart, explicit)
    files = hub_files(config, entry, cache, root)
    layers = [cache.documents[file].data for file in files.readable]  # type: ignore[union-attr]
    return _image_of(merge_values(layers), entry.chart, explicit)


def _step(document: Document, path: YamlPath) -> Any:
    data: Any = document.data
    for key in (*path, "config"):
        if isinstance(data, list) and isinstance(key, int):
            data = data[key]
        else:
            data = data.get(key) if isinstance(data, dict) else None
    return data


def _local_root(config: str) -> str:

    return same_form(repository_root(Path(config)), config)


def _image_of(values: object, chart: str | None, explicit: YamlPath | None) -> str | None:
    offers = offered_images(values, chart_prefix(values, chart), explicit)
    if explicit is not None:
        return offers[-1].image
    images = {offer.image for offer in offers if offer.image}
    singleuser = image_text(get_path(values, (*chart_prefix(values, chart), *SINGLEUSER, "image")))
    if singleuser in images:
        return singleuser  # `singleuser.image`, which some profiles use
    return images.pop() if len(images) == 1 else None
