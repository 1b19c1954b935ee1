"""Package inventories of real images built here, their diff, and the stamped label."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest

from hubimage.engine import DockerEngine, image_labels
from hubimage.inventory import (
    LABEL_NAME,
    PackageInventory,
    diff_inventories,
    inventory_of_image,
    read_inventory_label,
    stamp_inventory,
    take_inventory,
)
from support import fixture_images

pytestmark = pytest.mark.integration

# A conda-meta record as conda writes it (conda-meta/<name>-<version>-<build>.json).
CONDA_RECORD = {
    "build": "0",
    "build_number": 0,
    "channel": "https://conda.anaconda.org/conda-forge/noarch",
    "depends": [],
    "files": [],
    "fn": "{name}-{version}-0.conda",
    "license": "BSD-3-Clause",
    "name": "{name}",
    "subdir": "noarch",
    "version": "{version}",
}


def _conda_record(name: str, version: str) -> str:
    text = json.dumps(CONDA_RECORD)
    return text.replace("{name}", name).replace("{version}", version)


@pytest.fixture(scope="module")
def fixture_inventory(docker_engine: DockerEngine, singleuser_image: str) -> PackageInventory:
    return take_inventory(docker_engine, singleuser_image)


def _read_dpkg_version(engine: DockerEngine, image: str, package: str) -> str:
    """Ask dpkg directly, independently of the inventory's own script."""
    result = engine.run(image, ["-W", "-f", "${Version}", package], entrypoint=["dpkg-query"])
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_fixture_inventory_lists_jupyterhub_and_debian_packages(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    inventory = take_inventory(docker_engine, singleuser_image)

    assert inventory.of("pip")["jupyterhub"] == fixture_images.JUPYTERHUB_VERSION
    assert inventory.of("pip")["jupyter-server"] == fixture_images.JUPYTER_SERVER_VERSION
    for package in ("python3", "python3-venv", "ca-certificates", "bash"):
        version = _read_dpkg_version(docker_engine, singleuser_image, package)
        assert inventory.of("apt")[package] == version
    assert inventory.of("conda") == {}
    # The venv is the python first on PATH: its packages carry no environment qualifier.
    assert not [name for name in inventory.of("pip") if "(" in name]
    assert inventory.size_bytes == docker_engine.require_image(singleuser_image)["Size"]


def _child_dockerfile(base: str, conda_record: str) -> str:
    return f"""\
FROM {base}
USER root
RUN /opt/venv/bin/pip uninstall --yes --quiet jupyterhub \\
 && mkdir -p /opt/conda/conda-meta
COPY x.json /opt/conda/conda-meta/{conda_record}
USER 1000
"""


def test_diff_against_a_child_image_shows_exactly_its_changes(
    docker_engine: DockerEngine, singleuser_image: str, fixture_inventory: PackageInventory
) -> None:
    child = fixture_images.build_cached(
        docker_engine,
        "inventory-child",
        _child_dockerfile(singleuser_image, "x-1.0-0.json"),
        {"x.json": _conda_record("x", "1.0")},
    )
    grandchild = fixture_images.build_cached(
        docker_engine,
        "inventory-grandchild",
        f"FROM {child}\nUSER root\nRUN rm /opt/conda/conda-meta/x-1.0-0.json\n"
        "COPY x.json /opt/conda/conda-meta/x-1.1-0.json\nUSER 1000\n",
        {"x.json": _conda_record("x", "1.1")},
    )
    child_inventory = take_inventory(docker_engine, child)

    diff = diff_inventories(fixture_inventory, child_inventory)
    assert not diff.empty
    assert diff.as_dict()["ecosystems"] == {
        "apt": {"added": {}, "removed": {}, "changed": {}},
        "conda": {"added": {"x": "1.0=0"}, "removed": {}, "changed": {}},
        "pip": {
            "added": {},
            "removed": {"jupyterhub": fixture_images.JUPYTERHUB_VERSION},
            "changed": {},
        },
    }
    table = diff.render_markdown()
    assert f"| pip | `jupyterhub` | `{fixture_images.JUPYTERHUB_VERSION}` | — |" in table

    later = diff_inventories(child_inventory, take_inventory(docker_engine, grandchild))
    assert later.counts() == {"added": 0, "removed": 0, "changed": 1}
    assert dict(later.ecosystems["conda"].changed) == {"x": ("1.0=0", "1.1=0")}


def test_the_same_image_twice_gives_an_empty_diff(
    docker_engine: DockerEngine, singleuser_image: str, fixture_inventory: PackageInventory
) -> None:
    again = take_inventory(docker_engine, singleuser_image)

    assert diff_inventories(fixture_inventory, again).empty
    assert "No package changed." in diff_inventories(fixture_inventory, again).render_markdown()


def test_an_image_without_dpkg_or_python_lists_what_it_has(
    docker_engine: DockerEngine, debian_python_image: str
) -> None:
    bare = fixture_images.build_cached(
        docker_engine,
        "inventory-bare",
        f"FROM {debian_python_image}\n"
        "RUN rm -f /usr/bin/dpkg-query /usr/bin/python3* && mkdir -p /srv/conda/conda-meta\n"
        "COPY y.json /srv/conda/conda-meta/y-2.0-0.json\n",
        {"y.json": _conda_record("y", "2.0")},
    )

    inventory = take_inventory(docker_engine, bare)

    assert inventory.of("apt") == {}
    assert inventory.of("pip") == {}
    assert dict(inventory.of("conda")) == {"y": "2.0=0"}


@pytest.fixture
def scratch_tag(docker_engine: DockerEngine, singleuser_image: str) -> Iterator[str]:
    """A tag of our own on the fixture image, removed (with what was stamped) afterwards."""
    ref = f"hif-inventory-test/stamp:{uuid.uuid4().hex[:12]}"
    name, tag = ref.rsplit(":", 1)
    docker_engine.tag(singleuser_image, name, tag)
    yield ref
    docker_engine.remove_image(ref)


def test_stamp_adds_the_label_without_a_layer_and_moves_the_tag(
    docker_engine: DockerEngine,
    singleuser_image: str,
    fixture_inventory: PackageInventory,
    scratch_tag: str,
) -> None:
    before = docker_engine.require_image(scratch_tag)

    new_id = stamp_inventory(docker_engine, scratch_tag, fixture_inventory)

    after = docker_engine.require_image(scratch_tag)
    assert after["Id"] == new_id != before["Id"]
    assert after["RootFS"]["Layers"] == before["RootFS"]["Layers"]
    # No layer, so no content: the classic store reports the same size; the containerd store
    # counts the image config and manifest too, and the config carries the label twice (its
    # labels, and the history entry of the LABEL step), so it grows by about that much.
    growth = after["Size"] - before["Size"]
    assert 0 <= growth <= 3 * len(image_labels(after)[LABEL_NAME]) + 4096
    for key in ("User", "Env", "Entrypoint", "Cmd", "WorkingDir"):
        assert after["Config"][key] == before["Config"][key], key
    labels = image_labels(after)
    assert len(labels[LABEL_NAME]) < 8192
    assert read_inventory_label(labels) == fixture_inventory
    assert read_inventory_label(image_labels(before)) is None
    # The fixture image itself keeps its id and carries no label.
    assert docker_engine.require_image(singleuser_image)["Id"] == before["Id"]
    # A stamped image is read from its label: same packages as running it.
    assert diff_inventories(inventory_of_image(docker_engine, scratch_tag), fixture_inventory).empty
