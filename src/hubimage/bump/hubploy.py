"""hubploy deployments (berkeley-dsep-infra/datahub): `deployments/<hub>/hubploy.yaml`.

hubploy names the user image itself, and passes it to the chart at deploy time:
`images.images[].name` ("name:tag", a hub may build several images) or, in older files,
`images.image_name`. The hub's values files under `config/` never hold it.
"""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, SequenceNode

from hubimage.bump.document import Document, own_child
from hubimage.bump.layout import scalar_text
from hubimage.errors import ConfigError, ImageReferenceError
from hubimage.reference import ImageReference
from hubimage.yamlpaths import YamlPath, format_path

FILE_NAME = "hubploy.yaml"


def is_hubploy(document: Document) -> bool:
    root = document.root
    if not isinstance(root, MappingNode) or own_child(document, root, "jupyterhub"):
        return False
    images = own_child(document, root, "images")
    return (
        images is not None
        and isinstance(images[1], MappingNode)
        and bool(
            own_child(document, images[1], "images") or own_child(document, images[1], "image_name")
        )
    )


def hubploy_image_path(document: Document, image: ImageReference) -> YamlPath | None:
    """The path of the image to bump in a hubploy.yaml; None if it is not one."""
    if not is_hubploy(document):
        return None
    assert document.root is not None
    images_entry = own_child(document, document.root, "images")
    assert images_entry is not None
    images = images_entry[1]
    if own_child(document, images, "image_name"):
        return ("images", "image_name")
    listed = own_child(document, images, "images")
    assert listed is not None
    entries = listed[1].value if isinstance(listed[1], SequenceNode) else []
    names: list[tuple[YamlPath, str]] = []
    for index, entry in enumerate(entries):
        name = own_child(document, entry, "name") if isinstance(entry, MappingNode) else None
        text = scalar_text(name[1]) if name else None
        if text is not None:
            names.append((("images", "images", index, "name"), text))
    matching = [path for path, text in names if _same_name(text, image)]
    if len(matching) == 1:
        return matching[0]
    if len(names) == 1 and not matching:
        return names[0][0]  # the hub's one image, renamed
    listed_names = ", ".join(f"{format_path(path)}: {text}" for path, text in names) or "none"
    raise ConfigError(
        f"{document.filename}: hubploy lists {len(names)} images and "
        f"{'several' if matching else 'none'} of them is {image.name} ({listed_names})",
        hint="pass --path with the one to change, e.g. --path images.images[0].name",
    )


def _same_name(text: str, image: ImageReference) -> bool:
    try:
        return ImageReference.parse(text).qualified_name == image.qualified_name
    except ImageReferenceError:
        return False
