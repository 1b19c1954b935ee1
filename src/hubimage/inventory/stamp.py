"""Store an inventory in the image it describes, without rebuilding it.

A classic build of a generated context whose Dockerfile is only `FROM <image id>`, with the
label passed as a build label, adds metadata and no layer: the new image has the same layers
and size, and the old image stays its parent.
"""

from __future__ import annotations

from hubimage.engine import ContainerEngine, DockerEngine, image_labels
from hubimage.errors import ImageNotFoundError, ImageReferenceError
from hubimage.inventory.model import (
    LABEL_NAME,
    PackageInventory,
    encode_inventory,
    read_inventory_label,
)
from hubimage.inventory.probe import take_inventory
from hubimage.reference import ImageReference


def stamp_inventory(engine: DockerEngine, image_ref: str, inventory: PackageInventory) -> str:
    """Label the local image `image_ref` with `inventory`, move the tag, return the new id."""
    reference = ImageReference.parse(image_ref)
    if reference.digest is not None:
        raise ImageReferenceError(
            f"cannot stamp {image_ref}: a reference with a digest cannot be re-tagged",
            hint="pass the image's name:tag",
        )
    # Refused (EngineError, an OperationError) for images with ONBUILD triggers.
    return engine.add_labels(str(reference), {LABEL_NAME: encode_inventory(inventory)})


def inventory_of_image(engine: ContainerEngine, image_ref: str) -> PackageInventory:
    """The inventory stamped on a local image, or else one taken by running it."""
    info = engine.inspect_image(image_ref)
    if info is None:
        raise ImageNotFoundError(f"image {image_ref} is not in the local image store")
    stamped = read_inventory_label(image_labels(info))
    return stamped if stamped is not None else take_inventory(engine, image_ref)
