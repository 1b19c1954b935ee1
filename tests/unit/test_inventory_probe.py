"""Turning the inventory probe's output into an inventory (the container run itself is tested
in tests/integration/test_inventory.py)."""

from __future__ import annotations

from hubimage.inventory.probe import MARKER, inventory_from_probe, parse_probe_output


def _lines(*rows: tuple[str, ...]) -> str:
    return "\n".join("\t".join((MARKER, *row)) for row in rows) + "\n"


def test_only_installed_dpkg_packages_count_and_foreign_ones_carry_their_arch() -> None:
    output = _lines(
        ("dpkgarch", "amd64"),
        ("apt", "ii ", "python3", "amd64", "3.11.2-1+b1"),
        ("apt", "ii ", "tzdata", "all", "2024a-0+deb12u1"),
        ("apt", "hi ", "curl", "amd64", "7.88.1-10"),
        ("apt", "rc ", "oldpkg", "amd64", "1.0"),  # removed, config files left
        ("apt", "ii ", "libc6", "i386", "2.36-9"),
    )

    inventory = inventory_from_probe(parse_probe_output(output), size_bytes=5)

    assert dict(inventory.of("apt")) == {
        "python3": "3.11.2-1+b1",
        "tzdata": "2024a-0+deb12u1",
        "curl": "7.88.1-10",
        "libc6:i386": "2.36-9",
    }
    assert inventory.size_bytes == 5


def test_lines_without_the_marker_are_ignored() -> None:
    output = (
        "bash: warning: setlocale: LC_ALL: cannot change locale\n"
        "apt\tii \tfake\tamd64\t1\n"
        + _lines(("python", "/opt/venv"), ("pip", "/opt/venv", "six", "1.17.0", "pip", "/x"))
        + f"{MARKER}\tpip\ttoo\tfew\n"
    )

    inventory = inventory_from_probe(parse_probe_output(output), size_bytes=0)

    assert dict(inventory.of("pip")) == {"six": "1.17.0"}
    assert inventory.total == 1


def test_conda_records_split_name_version_build_from_the_right() -> None:
    output = _lines(
        ("condaenv", "/srv/conda/envs/notebook"),
        ("conda", "/srv/conda/envs/notebook", "python-dateutil-2.9.0.post0-pyhff2d567_1.json"),
        ("conda", "/srv/conda/envs/notebook", "_libgcc_mutex-0.1-conda_forge.json"),
        ("conda", "/srv/conda/envs/notebook", "broken.json"),
        ("condaenv", "/srv/conda"),
        ("conda", "/srv/conda", "mamba-1.5.8-py311h3072747_0.json"),
    )

    inventory = inventory_from_probe(parse_probe_output(output), size_bytes=0)

    assert dict(inventory.of("conda")) == {
        "python-dateutil": "2.9.0.post0=pyhff2d567_1",
        "_libgcc_mutex": "0.1=conda_forge",
        "mamba (/srv/conda)": "1.5.8=py311h3072747_0",
    }


def test_pip_leaves_out_what_conda_or_apt_installed_and_qualifies_other_pythons() -> None:
    env = "/srv/conda/envs/notebook"
    site = f"{env}/lib/python3.11/site-packages"
    output = _lines(
        ("python", env),
        ("condaenv", env),
        ("conda", env, "numpy-1.26.4-py311h64a7726_0.json"),
        ("conda", env, "ruamel.yaml-0.18.6-py311h459d7ec_0.json"),
        ("pip", env, "numpy", "1.26.4", "conda", site),
        ("pip", env, "ruamel.yaml", "0.18.6", "", site),  # old conda package, no INSTALLER
        ("pip", env, "Jupyter_Server", "2.17.0", "pip", site),
        ("pip", env, "six", "1.17.0", "uv", "/home/jovyan/.local/lib/python3.11/site-packages"),
        ("pip", env, "six", "1.16.0", "pip", site),  # shadowed by the user site copy
        ("python", "/usr"),
        ("pip", "/usr", "requests", "2.28.1", "", "/usr/lib/python3/dist-packages"),
        ("pip", "/usr", "black", "24.1.0", "pip", "/usr/local/lib/python3.11/dist-packages"),
    )

    inventory = inventory_from_probe(parse_probe_output(output), size_bytes=0)

    assert dict(inventory.of("pip")) == {
        "jupyter-server": "2.17.0",
        "six": "1.17.0",
        "black (/usr)": "24.1.0",
    }
    assert dict(inventory.of("conda")) == {
        "numpy": "1.26.4=py311h64a7726_0",
        "ruamel.yaml": "0.18.6=py311h459d7ec_0",
    }


def test_pip_keeps_a_package_pip_upgraded_over_the_conda_one() -> None:
    env = "/opt/conda"
    output = _lines(
        ("python", env),
        ("condaenv", env),
        ("conda", env, "tornado-6.3.3-py311h459d7ec_1.json"),
        ("pip", env, "tornado", "6.4.1", "", f"{env}/lib/python3.11/site-packages"),
    )

    inventory = inventory_from_probe(parse_probe_output(output), size_bytes=0)

    assert dict(inventory.of("pip")) == {"tornado": "6.4.1"}
    assert dict(inventory.of("conda")) == {"tornado": "6.3.3=py311h459d7ec_1"}


def test_an_image_with_nothing_to_list_gives_an_empty_inventory() -> None:
    inventory = inventory_from_probe(parse_probe_output(""), size_bytes=1234)

    assert inventory.total == 0
    assert set(inventory.packages) == {"apt", "conda", "pip"}
