"""An image's package inventory, and its encoding as an image label.

The inventory is stored in the image it describes, under the label `io.hubimage.packages`
(LABEL_NAME), so a later rebuild can compare against the image a hub config points at without
running it. The label value is compact JSON, gzip-compressed and base64-encoded:

    {"format": 1, "size": <image size in bytes>,
     "packages": {"apt": {name: version}, "conda": {...}, "pip": {...}}}

A Debian image with a few hundred packages gives a label of a few kilobytes.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from hubimage.errors import InventoryFormatError

Ecosystem = Literal["apt", "conda", "pip"]
ECOSYSTEMS: Final[tuple[Ecosystem, ...]] = get_args(Ecosystem)
LABEL_NAME: Final = "io.hubimage.packages"
LABEL_FORMAT: Final = 1
# A label bigger than this is not ours (or is damaged): refuse it before decompressing it.
_MAX_LABEL_CHARS: Final = 4 * 1024 * 1024

_PEP503_SEPARATORS = re.compile(r"[-_.]+")


def normalize_name(ecosystem: Ecosystem, name: str) -> str:
    """The name a package is compared by: PEP 503 for pip, lower case for apt and conda.

    Debian and conda package names are lower case by policy; lowering them only guards
    against hand-made metadata. An environment qualifier (`name (prefix)`) is kept as is.
    """
    base, qualifier = split_qualified(name)
    base = base.strip()
    base = _PEP503_SEPARATORS.sub("-", base).lower() if ecosystem == "pip" else base.lower()
    return f"{base} ({qualifier})" if qualifier else base


def qualify(name: str, prefix: str | None) -> str:
    """`name` for the image's main environment, `name (prefix)` for any other one."""
    return f"{name} ({prefix})" if prefix else name


def split_qualified(key: str) -> tuple[str, str | None]:
    if key.endswith(")") and " (" in key:
        base, _, rest = key.partition(" (")
        return base, rest[:-1]
    return key, None


def _normalized(packages: Mapping[Ecosystem, Mapping[str, str]]) -> dict[Ecosystem, dict[str, str]]:
    result: dict[Ecosystem, dict[str, str]] = {ecosystem: {} for ecosystem in ECOSYSTEMS}
    for ecosystem, names in packages.items():
        if ecosystem not in result:  # a guard for data read from JSON
            raise ValueError(f"unknown package ecosystem {ecosystem!r}")
        result[ecosystem] = {
            normalize_name(ecosystem, name): str(version) for name, version in names.items()
        }
    return result


@dataclass(frozen=True)
class PackageInventory:
    """What an image holds: ecosystem -> {normalized package name: version}, and its size.

    Every ecosystem is present (empty when the image has none of it). Packages of the image's
    main Python/conda environment go by their plain name; packages of any other environment
    are qualified with its prefix, as `name (/srv/conda)`. Conda versions carry the build
    string (`1.26.4=py311h64a7726_0`): a rebuilt package is a different artifact.
    """

    packages: Mapping[Ecosystem, Mapping[str, str]] = field(default_factory=dict)
    size_bytes: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "packages", _normalized(self.packages))

    def of(self, ecosystem: Ecosystem) -> Mapping[str, str]:
        return self.packages[ecosystem]

    @property
    def total(self) -> int:
        return sum(len(names) for names in self.packages.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": LABEL_FORMAT,
            "size": self.size_bytes,
            "packages": {eco: dict(sorted(self.packages[eco].items())) for eco in ECOSYSTEMS},
        }


def encode_inventory(inventory: PackageInventory) -> str:
    """The label value: compact JSON, gzip (no timestamp, so equal inputs give equal labels)."""
    text = json.dumps(inventory.as_dict(), sort_keys=True, separators=(",", ":"))
    packed = gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)
    return base64.b64encode(packed).decode("ascii")


def decode_inventory(value: str) -> PackageInventory:
    """Read a label value written by `encode_inventory`; InventoryFormatError if it is not one."""
    if len(value) > _MAX_LABEL_CHARS:
        raise InventoryFormatError(f"the {LABEL_NAME} label is too large ({len(value)} chars)")
    try:
        packed = base64.b64decode(value.encode("ascii"), validate=True)
        document = json.loads(gzip.decompress(packed).decode("utf-8"))
    except (ValueError, OSError, EOFError, binascii.Error) as error:
        raise InventoryFormatError(f"the {LABEL_NAME} label is not readable: {error}") from error
    if not isinstance(document, dict) or document.get("format") != LABEL_FORMAT:
        found = document.get("format") if isinstance(document, dict) else None
        raise InventoryFormatError(
            f"the {LABEL_NAME} label has format {found!r}, this hubimage reads {LABEL_FORMAT}"
        )
    return _inventory_from_document(document)


def _inventory_from_document(document: dict[str, Any]) -> PackageInventory:
    size, packages = document.get("size"), document.get("packages")
    if not isinstance(size, int) or not isinstance(packages, dict):
        raise InventoryFormatError(f"the {LABEL_NAME} label lacks 'size' or 'packages'")
    for ecosystem, names in packages.items():
        valid = isinstance(names, dict) and all(
            isinstance(key, str) and isinstance(version, str) for key, version in names.items()
        )
        if ecosystem not in ECOSYSTEMS or not valid:
            raise InventoryFormatError(f"the {LABEL_NAME} label has a bad {ecosystem!r} entry")
    return PackageInventory(packages=packages, size_bytes=size)


def read_inventory_label(labels: Mapping[str, str]) -> PackageInventory | None:
    """The inventory stored in an image's labels; None when there is none or it is unreadable.

    An unreadable label (damaged, or written by another format version) counts as absent, so
    a scheduled rebuild proposes its image instead of failing or claiming nothing changed.
    """
    value = labels.get(LABEL_NAME)
    if not value:
        return None
    try:
        return decode_inventory(value)
    except InventoryFormatError:
        return None
