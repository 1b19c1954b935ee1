"""Today's layout through bump_config_file: a cluster.yaml and the values files it lists."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from hubimage.bump import bump_config_file
from hubimage.errors import ConfigError

CLUSTER = """\
name: test
hubs:
- name: staging
  helm_chart: daskhub
  helm_chart_values_files:
  - common.values.yaml
  - staging.values.yaml
  - enc-staging.secret.values.yaml
- name: prod
  helm_chart: daskhub
  helm_chart_values_files:
  - common.values.yaml
  - prod.values.yaml
  - enc-prod.secret.values.yaml
"""
COMMON_WITH_IMAGE = """\
basehub:
  jupyterhub:
    singleuser:
      image:
        name: quay.io/org/image
        tag: old
"""
HUB_OWN = "basehub:\n  jupyterhub:\n    custom:\n      homepage: {}\n"


def make_cluster(tmp_path: Path, common: str, staging: str, prod: str) -> Path:
    (tmp_path / "cluster.yaml").write_text(CLUSTER)
    (tmp_path / "common.values.yaml").write_text(common)
    (tmp_path / "staging.values.yaml").write_text(staging)
    (tmp_path / "prod.values.yaml").write_text(prod)
    # Not YAML at all (sops output is not read): proves these files are never opened.
    (tmp_path / "enc-staging.secret.values.yaml").write_bytes(b"\xff\xfe{{not: yaml")
    return tmp_path / "cluster.yaml"


def contents(folder: Path) -> dict[str, bytes]:
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def test_image_in_a_file_shared_with_another_hub_is_refused(tmp_path: Path) -> None:
    cluster = make_cluster(tmp_path, COMMON_WITH_IMAGE, HUB_OWN, HUB_OWN)
    before = contents(tmp_path)
    with pytest.raises(
        ConfigError, match=r"common.values.yaml: this edit changes the image of hub\(s\) prod too"
    ):
        bump_config_file(cluster, hubs=["staging"], image="quay.io/org/image:new")
    assert contents(tmp_path) == before


def test_shared_file_bumped_for_both_hubs_or_when_allowed(tmp_path: Path) -> None:
    cluster = make_cluster(tmp_path, COMMON_WITH_IMAGE, HUB_OWN, HUB_OWN)
    result = bump_config_file(cluster, hubs=["staging", "prod"], image="quay.io/org/image:new")
    [edit] = result.edits
    assert edit.file == str(tmp_path / "common.values.yaml")
    assert [change.hub for change in edit.changes] == ["staging, prod"]
    assert (tmp_path / "common.values.yaml").read_text() == COMMON_WITH_IMAGE.replace("old", "new")
    bump_config_file(cluster, hubs=["prod"], image="quay.io/org/image:newer", allow_shared=True)
    assert "tag: newer" in (tmp_path / "common.values.yaml").read_text()


def test_the_last_file_holding_the_image_is_edited(tmp_path: Path) -> None:
    staging = COMMON_WITH_IMAGE.replace("tag: old", "tag: staging-only")
    cluster = make_cluster(tmp_path, COMMON_WITH_IMAGE, staging, HUB_OWN)
    before = contents(tmp_path)
    result = bump_config_file(cluster, hubs=["staging"], image="quay.io/org/image:new")
    after = contents(tmp_path)
    assert [name for name in after if after[name] != before[name]] == ["staging.values.yaml"]
    assert after["staging.values.yaml"] == staging.replace("staging-only", "new").encode()
    assert {skipped.reason.split(" ")[0] for skipped in result.skipped_files} == {"encrypted"}


def test_missing_image_is_created_in_the_hubs_own_file(tmp_path: Path) -> None:
    cluster = make_cluster(tmp_path, "basehub:\n  nfs: {enabled: true}\n", HUB_OWN, HUB_OWN)
    before = contents(tmp_path)
    bump_config_file(cluster, hubs=["staging"], image="quay.io/org/image:0123")
    after = contents(tmp_path)
    assert [name for name in after if after[name] != before[name]] == ["staging.values.yaml"]
    assert after["staging.values.yaml"].decode() == HUB_OWN + (
        '    singleuser:\n      image:\n        name: quay.io/org/image\n        tag: "0123"\n'
    )


def test_two_hubs_two_files_and_dry_run(tmp_path: Path) -> None:
    staging = COMMON_WITH_IMAGE.replace("tag: old", "tag: s")
    prod = COMMON_WITH_IMAGE.replace("tag: old", "tag: p")
    cluster = make_cluster(tmp_path, "basehub: {}\n", staging, prod)
    before = contents(tmp_path)
    result = bump_config_file(
        cluster, hubs=["staging", "prod"], image="quay.io/org/image:v2", dry_run=True
    )
    assert contents(tmp_path) == before
    assert [Path(edit.file).name for edit in result.edits if edit.changed] == [
        "staging.values.yaml",
        "prod.values.yaml",
    ]
    assert result.unified_diff().count("\n-        tag:") == 2
    bump_config_file(cluster, hubs=["staging", "prod"], image="quay.io/org/image:v2")
    assert (tmp_path / "prod.values.yaml").read_text() == prod.replace("tag: p", "tag: v2")
    assert (tmp_path / "staging.values.yaml").read_text() == staging.replace("tag: s", "tag: v2")


def test_write_keeps_mode_and_crlf(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    file.write_bytes(COMMON_WITH_IMAGE.replace("\n", "\r\n").encode())
    file.chmod(0o640)
    result = bump_config_file(file, hubs=[], image="quay.io/org/image:new")
    assert result.changed
    assert (
        file.read_bytes() == COMMON_WITH_IMAGE.replace("old", "new").replace("\n", "\r\n").encode()
    )
    assert stat.S_IMODE(file.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.yaml"]


def test_unchanged_file_is_not_rewritten(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    file.write_text(COMMON_WITH_IMAGE)
    file.chmod(0o444)  # a rewrite would have to replace it; none must happen
    mtime = file.stat().st_mtime_ns
    result = bump_config_file(file, hubs=[], image="quay.io/org/image:old")
    assert not result.changed
    assert file.stat().st_mtime_ns == mtime


def test_explicit_path_found_in_whichever_file_has_it(tmp_path: Path) -> None:
    staging = HUB_OWN + "    prePuller:\n      extraImages:\n        x: {name: org/y, tag: a}\n"
    cluster = make_cluster(tmp_path, COMMON_WITH_IMAGE, staging, HUB_OWN)
    bump_config_file(
        cluster,
        hubs=["staging"],
        image="org/y:b",
        path="basehub.jupyterhub.prePuller.extraImages.x",
    )
    assert (tmp_path / "staging.values.yaml").read_text() == staging.replace("tag: a", "tag: b")
    with pytest.raises(ConfigError, match="exists in none of hub prod's values files"):
        bump_config_file(
            cluster,
            hubs=["prod"],
            image="org/y:b",
            path="basehub.jupyterhub.prePuller.extraImages.x",
        )
