"""The image a hub runs now, according to its config (to compare the old image and the new)."""

from __future__ import annotations

import posixpath

from hubimage.bump.document import Document, own_child, parse_document
from hubimage.bump.files import read_config_text
from hubimage.bump.layout import Hub, find_layout, scalar_text, select_hubs
from hubimage.bump.locate import HubScope, MapImage, StringImage, current_site, has_image
from hubimage.bump.paths import YamlPath, parse_path
from hubimage.bump.tree import TextReader, is_encrypted
from hubimage.errors import ConfigError


def current_hub_image(
    config: str, hub: str, path: str | None = None, *, read: TextReader = read_config_text
) -> str | None:
    """`name:tag` (or a bare name) of `hub`'s image in `config`; None when it sets none.

    `config` is anything bump_config_file takes (hub list, values file, cluster.yaml); with
    several profile images and no `path`, which one is "the" image is unknown: None.
    ConfigError when the config cannot be read or has no such hub.
    """
    explicit = parse_path(path) if path else None
    text = read(config)
    if text is None:
        raise ConfigError(f"config file {config} does not exist")
    document = parse_document(text, config)
    layout = find_layout(document)
    if layout.kind == "values":
        return _image_in_values(document, hub, None, explicit)
    [entry] = select_hubs(document, layout, (hub,))
    if entry.values_files is None:
        config_entry = own_child(document, entry.node, "config")
        values = config_entry[1] if config_entry else None
        scope = HubScope(hub, entry.path, entry.node, ("config",), values, entry.chart)
        return _text_of(document, current_site(document, scope, explicit))
    holder = _last_values_file_with_image(config, entry, read, explicit)
    return _image_in_values(holder, hub, entry.chart, explicit) if holder else None


def _last_values_file_with_image(
    config: str, entry: Hub, read: TextReader, explicit: YamlPath | None
) -> Document | None:
    holder = None
    for name in entry.values_files or ():
        file = posixpath.normpath(posixpath.join(posixpath.dirname(config), name))
        text = None if is_encrypted(name) else read(file)
        document = parse_document(text, file) if text is not None else None
        if document is not None and document.root is not None:
            scope = HubScope(entry.name, (), document.root, (), document.root, entry.chart)
            if has_image(document, scope, explicit):
                holder = document
    return holder


def _image_in_values(
    document: Document, hub: str, chart: str | None, explicit: YamlPath | None
) -> str | None:
    if document.root is None:
        return None
    scope = HubScope(hub, (), document.root, (), document.root, chart)
    return _text_of(document, current_site(document, scope, explicit))


def _text_of(document: Document, site: MapImage | StringImage | None) -> str | None:
    if isinstance(site, StringImage):
        return scalar_text(site.node)
    if site is None:
        return None
    name = own_child(document, site.node, "name")
    tag = own_child(document, site.node, "tag")
    name_text = scalar_text(name[1]) if name else None
    tag_text = str(tag[1].value) if tag and tag[1].value else None
    return f"{name_text}:{tag_text}" if name_text and tag_text else name_text
