"""Inventory diffs, their Markdown and JSON forms, and the label encoding."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from hubimage.errors import InventoryFormatError, OperationError
from hubimage.inventory import (
    LABEL_NAME,
    PackageInventory,
    decode_inventory,
    diff_inventories,
    encode_inventory,
    format_size,
    read_inventory_label,
)

OLD = PackageInventory(
    packages={
        "apt": {"python3": "3.11.2-1+b1", "curl": "7.88.1-10+deb12u5"},
        "conda": {"numpy": "1.26.4=py311h64a7726_0", "python (/srv/conda)": "3.11.9=h_0"},
        "pip": {"jupyterhub": "5.4.3", "fqdn": "1.5.1"},
    },
    size_bytes=360_000_000,
)
NEW = PackageInventory(
    packages={
        "apt": {"python3": "3.11.2-1+b1", "curl": "7.88.1-10+deb12u6"},
        "conda": {"numpy": "1.26.4=py311h64a7726_1", "python (/srv/conda)": "3.11.9=h_0"},
        "pip": {"jupyterhub": "6.1.1", "altair": "5.4.0"},
    },
    size_bytes=372_500_000,
)


def test_diff_lists_added_removed_and_changed_per_ecosystem() -> None:
    diff = diff_inventories(OLD, NEW)

    assert not diff.empty
    assert dict(diff.ecosystems["apt"].changed) == {
        "curl": ("7.88.1-10+deb12u5", "7.88.1-10+deb12u6")
    }
    assert not diff.ecosystems["apt"].added and not diff.ecosystems["apt"].removed
    assert dict(diff.ecosystems["conda"].changed) == {
        "numpy": ("1.26.4=py311h64a7726_0", "1.26.4=py311h64a7726_1")
    }
    pip = diff.ecosystems["pip"]
    assert dict(pip.added) == {"altair": "5.4.0"}
    assert dict(pip.removed) == {"fqdn": "1.5.1"}
    assert dict(pip.changed) == {"jupyterhub": ("5.4.3", "6.1.1")}
    assert diff.counts() == {"added": 1, "removed": 1, "changed": 3}
    assert diff.size_change == 12_500_000


def test_same_packages_give_an_empty_diff_even_when_the_size_moved() -> None:
    rebuilt = PackageInventory(packages=OLD.packages, size_bytes=OLD.size_bytes + 4096)

    diff = diff_inventories(OLD, rebuilt)

    assert diff.empty
    assert diff.size_change == 4096
    assert diff.render_markdown().startswith("No package changed.")
    assert "| ecosystem |" not in diff.render_markdown()


def test_names_that_normalize_alike_are_one_package() -> None:
    old = PackageInventory(packages={"pip": {"Jupyter_Server": "2.17.0", "ruamel.yaml": "0.18"}})
    new = PackageInventory(packages={"pip": {"jupyter-server": "2.17.0", "Ruamel-YAML": "0.18"}})

    assert diff_inventories(old, new).empty
    assert set(new.of("pip")) == {"jupyter-server", "ruamel-yaml"}


def test_pip_names_follow_pep_503_and_conda_names_are_lowered() -> None:
    inventory = PackageInventory(
        packages={
            "pip": {"Foo__Bar.baz": "1", "A-B (/usr)": "2"},
            "conda": {"LibGCC-NG": "13=h_0"},
            "apt": {"libc6:i386": "2.36-9"},
        }
    )

    assert dict(inventory.of("pip")) == {"foo-bar-baz": "1", "a-b (/usr)": "2"}
    assert dict(inventory.of("conda")) == {"libgcc-ng": "13=h_0"}
    assert dict(inventory.of("apt")) == {"libc6:i386": "2.36-9"}


def test_unknown_ecosystems_are_refused() -> None:
    with pytest.raises(ValueError, match="npm"):
        PackageInventory(packages={"npm": {"left-pad": "1.3.0"}})  # type: ignore[dict-item]


def test_markdown_table_has_one_row_per_change_in_ecosystem_order() -> None:
    text = diff_inventories(OLD, NEW).render_markdown()
    lines = text.splitlines()

    header = lines.index("| ecosystem | package | old | new |")
    assert lines[header + 1] == "| --- | --- | --- | --- |"
    rows = lines[header + 2 : header + 7]
    assert rows == [
        "| apt | `curl` | `7.88.1-10+deb12u5` | `7.88.1-10+deb12u6` |",
        "| conda | `numpy` | `1.26.4=py311h64a7726_0` | `1.26.4=py311h64a7726_1` |",
        "| pip | `altair` | — | `5.4.0` |",
        "| pip | `fqdn` | `1.5.1` | — |",
        "| pip | `jupyterhub` | `5.4.3` | `6.1.1` |",
    ]
    assert lines[0] == "Packages: 3 changed, 1 added, 1 removed."
    assert lines[-1] == "Image size: 360.0 MB → 372.5 MB (+12.5 MB, +3.5%)"


def test_markdown_escapes_pipes_and_caps_the_rows() -> None:
    old = PackageInventory(packages={"pip": {f"pkg{i:03}": "1" for i in range(30)}})
    new = PackageInventory(packages={"pip": {f"pkg{i:03}": "2|x" for i in range(30)}})

    text = diff_inventories(old, new).render_markdown(max_rows=10)

    assert text.count("| pip |") == 10
    assert "`2\\|x`" in text
    assert "…and 20 more changes not shown." in text


def test_as_dict_is_json_with_the_same_changes() -> None:
    document = json.loads(json.dumps(diff_inventories(OLD, NEW).as_dict()))

    assert document["empty"] is False
    assert document["size"] == {"old": 360_000_000, "new": 372_500_000, "change": 12_500_000}
    assert document["ecosystems"]["pip"] == {
        "added": {"altair": "5.4.0"},
        "removed": {"fqdn": "1.5.1"},
        "changed": {"jupyterhub": {"old": "5.4.3", "new": "6.1.1"}},
    }
    assert document["ecosystems"]["conda"]["added"] == {}


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1500, "1.5 kB"),
        (-2_300_000, "-2.3 MB"),
        (7 * 10**12, "7000.0 GB"),
    ],
)
def test_sizes_read_like_docker_images(size: int, text: str) -> None:
    assert format_size(size) == text


def test_size_line_when_the_image_shrank() -> None:
    smaller = PackageInventory(packages=OLD.packages, size_bytes=300_000_000)

    assert (
        "360.0 MB → 300.0 MB (-60.0 MB, -16.7%)" in diff_inventories(OLD, smaller).render_markdown()
    )


# --- the label ------------------------------------------------------------------------------


def test_label_round_trip_keeps_every_package_and_the_size() -> None:
    decoded = decode_inventory(encode_inventory(NEW))

    assert decoded == NEW
    assert diff_inventories(NEW, decoded).empty
    assert decoded.size_bytes == 372_500_000


def test_label_is_deterministic_and_compressed_json() -> None:
    big = PackageInventory(
        packages={"apt": {f"lib-package-{i}": f"1.{i}.0-1+deb12u1" for i in range(400)}},
        size_bytes=1,
    )

    value = encode_inventory(big)
    raw = gzip.decompress(base64.b64decode(value))

    assert value == encode_inventory(PackageInventory(packages=big.packages, size_bytes=1))
    assert len(value) < len(raw) / 3
    assert json.loads(raw)["packages"]["apt"]["lib-package-7"] == "1.7.0-1+deb12u1"
    assert b" " not in raw  # compact separators


def test_reading_labels_without_the_inventory_gives_none() -> None:
    assert read_inventory_label({}) is None
    assert read_inventory_label({"org.opencontainers.image.title": "x"}) is None
    assert read_inventory_label({LABEL_NAME: ""}) is None
    assert read_inventory_label({LABEL_NAME: encode_inventory(OLD)}) == OLD


@pytest.mark.parametrize(
    "value",
    [
        "not base64!",
        base64.b64encode(b"not gzip").decode(),
        base64.b64encode(gzip.compress(b"[1, 2]")).decode(),
        base64.b64encode(gzip.compress(b'{"format": 2, "size": 1, "packages": {}}')).decode(),
        base64.b64encode(gzip.compress(b'{"format": 1, "packages": {}}')).decode(),
        base64.b64encode(
            gzip.compress(b'{"format": 1, "size": 1, "packages": {"pip": {"x": 1}}}')
        ).decode(),
    ],
)
def test_unreadable_labels_are_errors_and_read_as_absent(value: str) -> None:
    with pytest.raises(InventoryFormatError) as raised:
        decode_inventory(value)

    assert isinstance(raised.value, OperationError)
    assert LABEL_NAME in str(raised.value)
    assert read_inventory_label({LABEL_NAME: value}) is None
