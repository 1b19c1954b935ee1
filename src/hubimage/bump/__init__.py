"""Bump a hub's user image tag in a hub config, changing only the text of the changed values.

Public API:
- `edit_config_text(text, filename=, hubs=, image=, ...) -> ConfigEdit` — pure text -> text;
- `edit_config_tree(entry, read, hubs=, image=, ...) -> BumpResult` — from a cluster.yaml
  through the values files it lists, reading with any `read(path) -> text | None`;
- `bump_config_file(config_file, hubs=, image=, ..., dry_run=) -> BumpResult` — file mode.
"""

from hubimage.bump.edit import edit_config_text
from hubimage.bump.files import bump_config_file
from hubimage.bump.result import BumpResult, ConfigEdit, ImageChange, OtherReference, SkippedFile
from hubimage.bump.tree import edit_config_tree

__all__ = [
    "BumpResult",
    "ConfigEdit",
    "ImageChange",
    "OtherReference",
    "SkippedFile",
    "bump_config_file",
    "edit_config_text",
    "edit_config_tree",
]
