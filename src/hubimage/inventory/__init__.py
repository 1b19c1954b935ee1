"""Package inventories of images, stored as a label, and the diff a scheduled rebuild reports.

A scheduled rebuild takes the new image's inventory (`take_inventory`), compares it with the
inventory of the image the hub config points at (`inventory_of_image` reads the label, or runs
the image when it has none) and proposes the new image only when `diff_inventories(...)` is not
`.empty`; `render_markdown()` gives the pull request's table. `stamp_inventory` stores the
inventory in the new image under the label `io.hubimage.packages` before it is pushed.
"""

from hubimage.errors import InventoryFormatError
from hubimage.inventory.diff import EcosystemDiff, InventoryDiff, diff_inventories, format_size
from hubimage.inventory.model import (
    ECOSYSTEMS,
    LABEL_NAME,
    Ecosystem,
    PackageInventory,
    decode_inventory,
    encode_inventory,
    normalize_name,
    read_inventory_label,
)
from hubimage.inventory.probe import take_inventory
from hubimage.inventory.stamp import inventory_of_image, stamp_inventory

__all__ = [
    "ECOSYSTEMS",
    "LABEL_NAME",
    "Ecosystem",
    "EcosystemDiff",
    "InventoryDiff",
    "InventoryFormatError",
    "PackageInventory",
    "decode_inventory",
    "diff_inventories",
    "encode_inventory",
    "format_size",
    "inventory_of_image",
    "normalize_name",
    "read_inventory_label",
    "stamp_inventory",
    "take_inventory",
]
