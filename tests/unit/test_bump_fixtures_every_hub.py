"""Every hub of every real hub config, bumped alone as its admin would (issue 13).

For each hub: the image it offers now gets a new tag, with `--scope source` and `--scope
hub`. Either the bump is refused (ConfigError, nothing returned to write), or, in the
values merged by the independent merge of tests/support, that hub's users get the new
image and no other hub's users get anything different.
"""

from __future__ import annotations

import posixpath
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from hubimage.bump import edit_config_tree
from hubimage.bump.document import parse_document
from hubimage.bump.effective import chart_prefix, offered_images
from hubimage.bump.layout import Hub, find_layout
from hubimage.errors import ConfigError
from support.hub_config_fixtures import hub_config_names, read_under
from support.merged_values import independent_merge

LISTS = [name for name in hub_config_names() if "values" not in name and "schema" not in name]
_loaded: dict[str, Any] = {}


def _load(text: str) -> Any:
    """Parsed once per text (a file's old and new texts are both kept)."""
    if text not in _loaded:
        _loaded[text] = YAML(typ="safe").load(text)
    return _loaded[text]


def hub_values(entry: str, hub: Hub, texts: dict[str, str]) -> Any:
    if hub.values_files is None:
        data: Any = _load(texts[entry])
        for key in (*hub.path, "config"):
            data = data[key] if isinstance(data, list) else (data or {}).get(key)
        return data
    folder = posixpath.dirname(entry)
    layers = [
        _load(texts[file])
        for name in hub.values_files
        if (file := posixpath.normpath(posixpath.join(folder, name))) in texts
    ]
    return independent_merge(layers)


def offers(entry: str, hub: Hub, texts: dict[str, str]) -> Any:
    values = hub_values(entry, hub, texts)
    return offered_images(values, chart_prefix(values, hub.chart))


@pytest.mark.parametrize("scope", ["source", "hub"])
@pytest.mark.parametrize("name", LISTS)
def test_each_hub_alone_reaches_only_that_hub_or_is_refused(
    hub_configs: Path, name: str, scope: str
) -> None:
    read = read_under(hub_configs)
    layout = find_layout(parse_document(read(name) or "", name))
    texts = {}
    for file in [name] + [
        posixpath.normpath(posixpath.join(posixpath.dirname(name), values))
        for hub in layout.hubs
        for values in hub.values_files or ()
    ]:
        text = read(file)
        if text is not None and not posixpath.basename(file).startswith("enc-"):
            texts[file] = text
    outcomes = {"bumped": 0, "refused": 0}
    for hub in layout.hubs:
        current = next((o.image for o in offers(name, hub, texts) if o.image), None)
        image = (current or "quay.io/2i2c/new-image").rsplit(":", 1)[0] + ":fixture-bump"
        if current and ":" not in current.rsplit("/", 1)[-1]:
            image = current + ":fixture-bump"
        try:
            result = edit_config_tree(name, read, hubs=[hub.name], image=image, scope=scope)  # type: ignore[arg-type]
        except ConfigError:
            outcomes["refused"] += 1
            continue
        outcomes["bumped"] += 1
        new = texts | {edit.file: edit.new_text for edit in result.edits}
        assert any(o.image == image for o in offers(name, hub, new)), hub.name
        for other in layout.hubs:
            if other.name != hub.name:
                assert offers(name, other, new) == offers(name, other, texts), (hub, other)
    assert outcomes["bumped"] + outcomes["refused"] == len(layout.hubs)
