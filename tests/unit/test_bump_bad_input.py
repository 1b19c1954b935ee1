"""Bad input to bump_config_file: a clear BadInputError (exit 2) and the file byte-identical."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hubimage.bump import bump_config_file
from hubimage.errors import (
    EXIT_BAD_INPUT,
    BadInputError,
    ConfigError,
    ImageReferenceError,
    exit_code_for,
)

GOOD = """\
hubs:
  - name: staging
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/org/image
            tag: abc123
  - name: prod
    helm_chart: basehub
    config:
      jupyterhub: {}
"""


def refused(file: Path, **options: object) -> BadInputError:
    """Bump `file`, expecting bad input; check nothing in its folder changed."""
    before = {f.name: f.read_bytes() for f in file.parent.iterdir()}
    options.setdefault("hubs", ["staging"])
    options.setdefault("image", "quay.io/org/image:def456")
    with pytest.raises(BadInputError) as raised:
        bump_config_file(file, **options)  # type: ignore[arg-type]
    assert {f.name: f.read_bytes() for f in file.parent.iterdir()} == before
    assert exit_code_for(raised.value) == EXIT_BAD_INPUT
    return raised.value


def write(tmp_path: Path, content: str | bytes, name: str = "hubs.yaml") -> Path:
    file = tmp_path / name
    file.write_bytes(content.encode() if isinstance(content, str) else content)
    return file


def test_malformed_yaml_names_line_and_column(tmp_path: Path) -> None:
    file = write(
        tmp_path, GOOD.replace("    helm_chart: basehub\n", "    helm_chart: [basehub\n", 1)
    )
    error = refused(file)
    assert isinstance(error, ConfigError)
    assert error.location is not None
    assert error.location.file == str(file)
    # The parser notices at `config:` (line 4) that the list opened on line 3 never closed.
    assert (error.location.line, error.location.column) == (4, 11)
    assert f"{file}:4:11: not valid YAML" in error.message
    assert "flow sequence, from line 3, column 17" in error.message


def test_duplicate_key_names_the_key_not_the_values(tmp_path: Path) -> None:
    file = write(tmp_path, GOOD.replace("tag: abc123\n", "tag: abc123\n            tag: s3cr3t\n"))
    error = refused(file)
    assert 'duplicate key "tag"' in error.message
    assert error.location is not None and error.location.line == 10
    assert "s3cr3t" not in str(error) and "abc123" not in str(error)


@pytest.mark.parametrize(
    "key", ["[a, {b: c}]", "[a, [b, c]]", "{a: 1}"], ids=["map-in-list", "list-in-list", "map"]
)
def test_mapping_key_that_cannot_be_data_names_its_line(tmp_path: Path, key: str) -> None:
    # Valid YAML that Python data cannot hold: a key that is a map, or a list holding one.
    file = write(tmp_path, GOOD.replace("    helm_chart: basehub\n", f"    ? {key}\n    : 1\n", 1))
    error = refused(file)
    assert isinstance(error, ConfigError)
    assert error.location is not None and error.location.line == 3
    assert f"{file}:3:" in error.message


def test_non_utf8_file(tmp_path: Path) -> None:
    file = write(tmp_path, GOOD.encode().replace(b"quay.io", b"qu\xe9y.io"))
    error = refused(file)
    assert "not UTF-8" in error.message and ":8:" in error.message


def test_unknown_hub_suggests_close_names(tmp_path: Path) -> None:
    error = refused(write(tmp_path, GOOD), hubs=["stagign"])
    assert "no hub named 'stagign'; did you mean 'staging'?" in error.message
    assert error.hint is not None and "prod, staging" in error.hint


def test_one_unknown_hub_among_good_ones_changes_nothing(tmp_path: Path) -> None:
    refused(write(tmp_path, GOOD), hubs=["staging", "prdo"])


@pytest.mark.parametrize(
    "image",
    [
        "quay.io/org/image:def456;rm -rf /",
        "quay.io/org/image:def456\nmalicious: true",
        "quay.io/org/image:$(id)",
        "quay.io/org/image:`id`",
        "quay.io/org/image:a b",
        "quay.io/org/image:-leading-dash",
        "quay.io/org/image:" + "x" * 129,
        "quay.io/org/Image:upper-case-name",
        "quay.io/org/image",  # no tag
        "quay.io/org/image:t@sha256:" + "a" * 64,  # digests are not how hubs pin
        "",
        " quay.io/org/image:t",
        "quay.io/org/image:t # comment",
    ],
)
def test_invalid_image_reference(tmp_path: Path, image: str) -> None:
    error = refused(write(tmp_path, GOOD), image=image)
    assert isinstance(error, ImageReferenceError)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        bump_config_file(tmp_path / "nope.yaml", hubs=["staging"], image="org/x:1")
    assert list(tmp_path.iterdir()) == []


def test_directory_instead_of_file(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    with pytest.raises(ConfigError, match="is a directory"):
        bump_config_file(tmp_path / "dir.yaml", hubs=["staging"], image="org/x:1")


def test_path_that_does_not_exist(tmp_path: Path) -> None:
    error = refused(write(tmp_path, GOOD), path="jupyterhub.singleuser.imag.tag")
    assert "no 'imag' under jupyterhub.singleuser" in error.message
    assert error.hint is not None and "image" in error.hint


def test_malformed_path(tmp_path: Path) -> None:
    for path in ["jupyterhub..image", ".jupyterhub", "jupyterhub.", "a[x]", "a b"]:
        error = refused(write(tmp_path, GOOD), path=path)
        assert "invalid path" in error.message


def test_path_to_something_that_is_not_an_image(tmp_path: Path) -> None:
    error = refused(write(tmp_path, GOOD), path="jupyterhub.singleuser")
    assert "jupyterhub.singleuser is not an image" in error.message
    text = GOOD.replace("{}", "{x: 'not an image!'}")
    error = refused(write(tmp_path, text), hubs=["prod"], path="jupyterhub.x")
    assert "hubs[1].config.jupyterhub.x is not an image" in error.message


def test_several_documents_that_each_hold_hubs(tmp_path: Path) -> None:
    # One document with hubs and another is edited (test_bump_layouts); two are ambiguous.
    error = refused(write(tmp_path, GOOD + "---\n" + GOOD))
    assert "of its 2 YAML documents, several hold hub configuration" in error.message


def test_empty_file(tmp_path: Path) -> None:
    refused(write(tmp_path, ""))


def test_block_scalar_image_is_not_rewritten(tmp_path: Path) -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: org/x\n      tag: |\n        abc\n"
    error = refused(write(tmp_path, text, "values.yaml"), image="org/x:def")
    assert "block scalar" in error.message


def test_hub_named_for_a_cluster_file_whose_hub_keeps_values_elsewhere(tmp_path: Path) -> None:
    text = (
        "hubs:\n- name: h\n  helm_chart: basehub\n  helm_chart_values_files:\n  - h.values.yaml\n"
    )
    cluster = write(tmp_path, text, "cluster.yaml")
    # Only through bump_config_file's tree resolution: the listed file does not exist.
    error = refused(cluster, hubs=["h"])
    assert "h.values.yaml" in error.message


def test_dry_run_and_failed_runs_leave_no_temporary_files(tmp_path: Path) -> None:
    file = write(tmp_path, GOOD)
    result = bump_config_file(file, hubs=["staging"], image="org/image:zz", dry_run=True)
    assert result.changed
    assert file.read_text() == GOOD
    assert sorted(os.listdir(tmp_path)) == ["hubs.yaml"]
