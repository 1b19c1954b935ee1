"""Issue 13 layouts: multi-document files, hubploy deployments, the chart's own wrapper key;
issue 12 item 4: every file a bump reads or writes stays inside the config repository.

Each failed at b3ac158: multi-document files were "not valid YAML", hubploy.yaml was "not a
hub config" without --path, a 2021 daskhub got `base-hub:` whatever its Chart.yaml said, and
values files outside the repository were read and written.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hubimage.bump import bump_config_file
from hubimage.errors import ConfigError

MULTI = """\
# a ConfigMap kept beside the values
apiVersion: v1
kind: ConfigMap
data: {a: "1"}
---
jupyterhub:
  singleuser:
    image:
      name: quay.io/org/image
      tag: old
---
kind: Other
list: [1,
   2]
"""


def test_multi_document_file_edits_only_the_hub_document(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    file.write_text(MULTI)
    bump_config_file(file, hubs=[], image="quay.io/org/image:new")
    assert file.read_text() == MULTI.replace("tag: old", "tag: new")


def test_multi_document_file_creates_the_block_in_the_hub_document(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    text = MULTI.replace(
        "  singleuser:\n    image:\n      name: quay.io/org/image\n      tag: old\n", "  hub: {}\n"
    )
    file.write_text(text)
    bump_config_file(file, hubs=[], image="quay.io/org/image:new")
    assert file.read_text() == text.replace(
        "  hub: {}\n",
        "  hub: {}\n  singleuser:\n    image:\n      name: quay.io/org/image\n      tag: new\n",
    )


HUBPLOY = """\
images:
  images:
    - name: us-central1-docker.pkg.dev/proj/user-images/primary-image:9cb7ae26ffbe
    - name: us-central1-docker.pkg.dev/proj/user-images/secondary-image:df11f4f1caa1

cluster:
  provider: gcloud
"""


def test_hubploy_yaml_without_path(tmp_path: Path) -> None:
    hub = tmp_path / "deployments" / "dev"
    hub.mkdir(parents=True)
    (hub / "hubploy.yaml").write_text(HUBPLOY)
    image = "us-central1-docker.pkg.dev/proj/user-images/secondary-image:abc"
    bump_config_file(hub / "hubploy.yaml", hubs=["dev"], image=image)
    assert (hub / "hubploy.yaml").read_text() == HUBPLOY.replace("df11f4f1caa1", "abc")
    # The deployments folder with the hub's name works too.
    bump_config_file(tmp_path / "deployments", hubs=["dev"], image=image.replace("abc", "def"))
    assert (hub / "hubploy.yaml").read_text() == HUBPLOY.replace("df11f4f1caa1", "def")


def test_hubploy_image_name_form(tmp_path: Path) -> None:
    file = tmp_path / "hubploy.yaml"
    text = (
        "images:\n  image_name: gcr.io/p/astro-image:ffc76921fb47\n\ncluster: {provider: gcloud}\n"
    )
    file.write_text(text)
    bump_config_file(file, hubs=["astro"], image="gcr.io/p/astro-image:1")
    assert file.read_text() == text.replace("ffc76921fb47", "1")


HUBS_2021 = """\
clusters:
  - name: pangeo
    hubs:
      - name: dask-staging
        template: daskhub
        config:
          jupyterhub:
            custom: {}
          nfs:
            enabled: true
"""


@pytest.mark.parametrize("dependency", ["basehub", "base-hub"])
def test_2021_daskhub_wrapper_key_read_from_its_chart(tmp_path: Path, dependency: str) -> None:
    # hub-templates/daskhub/Chart.yaml names the basehub dependency (`base-hub` at 2i2c's
    # 0c3411e58, `basehub` later): its values go under that key. b3ac158 always wrote
    # `base-hub:` for `template:` layouts, dead where the chart reads `basehub`.
    chart = tmp_path / "hub-templates" / "daskhub"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: daskhub\ndependencies:\n"
        f" - name: {dependency}\n   version: 0.0.1\n   repository: file://../{dependency}\n"
        " - name: dask-gateway\n   version: 0.9.0\n"
    )
    (tmp_path / "hubs.yaml").write_text(HUBS_2021)
    bump_config_file(tmp_path / "hubs.yaml", hubs=["dask-staging"], image="org/img:1")
    assert (tmp_path / "hubs.yaml").read_text() == HUBS_2021 + (
        f"          {dependency}:\n            jupyterhub:\n              singleuser:\n"
        '                image:\n                  name: org/img\n                  tag: "1"\n'
    )


def test_chart_alias_names_the_wrapper_key(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: Chart.yaml is looked for up to it
    chart = tmp_path / "helm-charts" / "daskhub"
    chart.mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "name: daskhub\ndependencies:\n- name: basehub\n  alias: hub\n  version: 1.0.0\n"
    )
    folder = tmp_path / "config" / "clusters" / "c"
    folder.mkdir(parents=True)
    (folder / "cluster.yaml").write_text(
        "name: c\nhubs:\n- name: s\n  helm_chart: daskhub\n  helm_chart_values_files:\n"
        "  - s.values.yaml\n"
    )
    (folder / "s.values.yaml").write_text("hub:\n  jupyterhub:\n    custom: {}\n")
    bump_config_file(folder / "cluster.yaml", hubs=["s"], image="org/img:v1")
    assert (folder / "s.values.yaml").read_text() == (
        "hub:\n  jupyterhub:\n    custom: {}\n"
        "    singleuser:\n      image:\n        name: org/img\n        tag: v1\n"
    )


def repo_with_cluster(tmp_path: Path, values_file: str) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "cluster.yaml").write_text(
        f"name: c\nhubs:\n- name: s\n  helm_chart: basehub\n  helm_chart_values_files:\n"
        f"  - {values_file}\n"
    )
    return repo / "cluster.yaml"


VALUES = "jupyterhub:\n  singleuser:\n    image:\n      name: org/img\n      tag: old\n"


@pytest.mark.parametrize("listed", ["../outside.values.yaml", "sub/../../outside.values.yaml"])
def test_values_file_leaving_the_repository_is_refused(tmp_path: Path, listed: str) -> None:
    cluster = repo_with_cluster(tmp_path, listed)
    (tmp_path / "outside.values.yaml").write_text(VALUES)
    with pytest.raises(ConfigError, match="leaves the config repository"):
        bump_config_file(cluster, hubs=["s"], image="org/img:new")
    assert (tmp_path / "outside.values.yaml").read_text() == VALUES


def test_absolute_values_file_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.values.yaml"
    outside.write_text(VALUES)
    cluster = repo_with_cluster(tmp_path, str(outside))
    with pytest.raises(ConfigError, match="is an absolute path"):
        bump_config_file(cluster, hubs=["s"], image="org/img:new")
    assert outside.read_text() == VALUES


def test_symlink_leading_outside_is_neither_read_nor_written(tmp_path: Path) -> None:
    outside = tmp_path / "outside.values.yaml"
    outside.write_text(VALUES)
    cluster = repo_with_cluster(tmp_path, "s.values.yaml")
    os.symlink(outside, cluster.parent / "s.values.yaml")
    with pytest.raises(ConfigError, match="leads outside the config repository"):
        bump_config_file(cluster, hubs=["s"], image="org/img:new")
    with pytest.raises(ConfigError, match="outside the config repository"):
        bump_config_file(cluster.parent / "s.values.yaml", hubs=["s"], image="org/img:new")
    assert outside.read_text() == VALUES


def test_symlink_inside_the_repository_is_fine(tmp_path: Path) -> None:
    cluster = repo_with_cluster(tmp_path, "s.values.yaml")
    (cluster.parent / "real.values.yaml").write_text(VALUES)
    os.symlink("real.values.yaml", cluster.parent / "s.values.yaml")
    bump_config_file(cluster, hubs=["s"], image="org/img:new")
    assert (cluster.parent / "real.values.yaml").read_text() == VALUES.replace("old", "new")
    assert (cluster.parent / "s.values.yaml").is_symlink()
