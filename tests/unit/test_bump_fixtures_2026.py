"""Bump hubs in the 2026 (today's layout) real hub configs under ../shared/fixtures/hub-configs.

Each expected diff below was checked by hand against the fixture file: it is the minimal
edit (the changed or inserted lines, nothing else), written out here, not read back from
what the code produced. The diffs quote the fixtures' own long lines, hence the E501 waiver.
"""

# ruff: noqa: E501

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubimage.bump import bump_config_file, edit_config_text, edit_config_tree
from hubimage.errors import ConfigError
from support.hub_config_fixtures import bump_fixture, read_under

MTU_DIFF = """\
--- a/2026/2i2c/mtu.values.yaml
+++ b/2026/2i2c/mtu.values.yaml
@@ -21,7 +21,7 @@
   singleuser:
     image:
       name: quay.io/2i2c/cloudbank-data8-image
-      tag: 6286b77ae45c
+      tag: 4e2d1c0
     defaultUrl: /lab
   hub:
     config:
"""


def test_2026_values_file_directly(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2026/2i2c/mtu.values.yaml",
        hubs=["mtu"],
        image="quay.io/2i2c/cloudbank-data8-image:4e2d1c0",
    )
    assert diff == MTU_DIFF


def test_2026_cluster_file_leads_to_the_values_file(hub_configs: Path) -> None:
    result = edit_config_tree(
        "2026/2i2c/cluster.yaml",
        read_under(hub_configs),
        hubs=["mtu"],
        image="quay.io/2i2c/cloudbank-data8-image:4e2d1c0",
    )
    assert [edit.file for edit in result.edits] == ["2026/2i2c/mtu.values.yaml"]
    assert result.unified_diff() == MTU_DIFF
    assert {(s.file, s.reason.split(" ")[0]) for s in result.skipped_files} == {
        ("2026/2i2c/common.values.yaml", "listed"),
        ("2026/2i2c/enc-mtu.secret.values.yaml", "encrypted"),
    }


def test_2026_quotes_a_tag_yaml_would_read_as_a_boolean(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2026/2i2c/mtu.values.yaml",
        hubs=["mtu"],
        image="quay.io/2i2c/cloudbank-data8-image:true",
    )
    assert '-      tag: 6286b77ae45c\n+      tag: "true"\n' in diff
    assert diff.count("\n+") == 2  # the +++ header and the one changed line


def test_2026_registry_with_port_replaces_name_and_tag(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2026/utoronto/python-common.values.yaml",
        hubs=["prod"],
        image="localhost:5000/utoronto/image:2026.11.28",
    )
    assert (
        diff
        == """\
--- a/2026/utoronto/python-common.values.yaml
+++ b/2026/utoronto/python-common.values.yaml
@@ -1,8 +1,8 @@
 jupyterhub:
   singleuser:
     image:
-      name: quay.io/2i2c/utoronto-image
-      tag: c2d316fa18d9
+      name: localhost:5000/utoronto/image
+      tag: 2026.11.28
   hub:
     config:
       Authenticator:
"""
    )


def test_2026_daskhub_values_file_gets_a_block_under_basehub(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2026/awi-ciroh/common.values.yaml",
        hubs=["staging", "prod"],
        image="quay.io/2i2c/awi-ciroh-image:1e5",
        chart="daskhub",
    )
    assert (
        diff
        == """\
--- a/2026/awi-ciroh/common.values.yaml
+++ b/2026/awi-ciroh/common.values.yaml
@@ -61,6 +61,9 @@
           002-scratch-session:
             name: scratch-session
             mountPath: /tmp
+      image:
+        name: quay.io/2i2c/awi-ciroh-image
+        tag: "1e5"
     hub:
       loadRoles:
         server:
"""
    )


def test_2026_profile_choices_with_the_same_name_are_ambiguous(hub_configs: Path) -> None:
    text = (hub_configs / "2026/awi-ciroh/staging.values.yaml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="several of them") as raised:
        edit_config_text(
            text,
            filename="staging.values.yaml",
            hubs=["staging"],
            image="quay.io/2i2c/awi-ciroh-image:x",
        )
    assert "choices.old.kubespawner_override.image" in raised.value.message
    assert "choices.new.kubespawner_override.image" in raised.value.message
    assert "tensorflow" not in raised.value.message


def test_2026_cluster_explicit_choice_in_anchored_options(hub_configs: Path) -> None:
    # `&profile_options` is aliased by four profiles of the same hub: not shared with others.
    result = edit_config_tree(
        "2026/awi-ciroh/cluster.yaml",
        read_under(hub_configs),
        hubs=["staging"],
        image="quay.io/2i2c/awi-ciroh-image:1234",
        path="basehub.jupyterhub.singleuser.profileList[0].profile_options.image.choices.new"
        ".kubespawner_override.image",
    )
    assert (
        result.unified_diff()
        == """\
--- a/2026/awi-ciroh/staging.values.yaml
+++ b/2026/awi-ciroh/staging.values.yaml
@@ -47,7 +47,7 @@
                 default: true
                 slug: new
                 kubespawner_override:
-                  image: quay.io/2i2c/awi-ciroh-image:091bf802ad3d
+                  image: quay.io/2i2c/awi-ciroh-image:1234
             unlisted_choice:
               enabled: true
               display_name: Custom image
"""
    )
    [reference] = result.edits[0].other_references
    assert reference.path.endswith("choices.old.kubespawner_override.image")
    assert (reference.line, reference.updated) == (44, False)


def test_2026_cluster_hub_whose_values_file_is_missing(hub_configs: Path) -> None:
    with pytest.raises(ConfigError, match="hub prod has no image"):
        edit_config_tree(
            "2026/awi-ciroh/cluster.yaml",
            read_under(hub_configs),
            hubs=["prod"],
            image="quay.io/2i2c/awi-ciroh-image:1234",
        )


def test_2026_profile_choice_and_prepuller_reference_updated(hub_configs: Path) -> None:
    name = "2026/cloudbank/emich.values.yaml"
    text = (hub_configs / name).read_text(encoding="utf-8")
    edit = edit_config_text(
        text,
        filename=name,
        hubs=["emich"],
        image="pangeo/pytorch-notebook:2026.11.01",
        update_references=True,
    )
    assert (
        edit.unified_diff(text)
        == """\
--- a/2026/cloudbank/emich.values.yaml
+++ b/2026/cloudbank/emich.values.yaml
@@ -23,7 +23,7 @@
         tag: 2026.01.30
       02-pytorch:
         name: pangeo/pytorch-notebook
-        tag: 2026.01.30
+        tag: 2026.11.01
   singleuser:
     nodeSelector:
       node.kubernetes.io/instance-type: n1-highmem-8
@@ -83,7 +83,7 @@
               display_name: Pangeo PyTorch ML Notebook (2026.01.30)
               slug: pytorch
               kubespawner_override:
-                image: pangeo/pytorch-notebook:2026.01.30
+                image: pangeo/pytorch-notebook:2026.11.01
       kubespawner_override:
         environment:
           NVIDIA_DRIVER_CAPABILITIES: compute,utility
"""
    )
    [reference] = edit.other_references
    assert reference.path == "jupyterhub.prePuller.extraImages.02-pytorch"
    assert (reference.value, reference.updated) == ("pangeo/pytorch-notebook:2026.01.30", True)


def test_2026_prepuller_reference_only_reported_by_default(hub_configs: Path) -> None:
    name = "2026/cloudbank/emich.values.yaml"
    text = (hub_configs / name).read_text(encoding="utf-8")
    image = "us-central1-docker.pkg.dev/cal-icor-hubs/user-images/workshop-gpu-image:0x1F"
    edit = edit_config_text(text, filename=name, hubs=["emich"], image=image)
    assert (
        edit.unified_diff(text)
        == """\
--- a/2026/cloudbank/emich.values.yaml
+++ b/2026/cloudbank/emich.values.yaml
@@ -73,7 +73,7 @@
               display_name: Small Models and Pangeo PyTorch ML Notebook (2026.01.30)
               slug: small_models
               kubespawner_override:
-                image: us-central1-docker.pkg.dev/cal-icor-hubs/user-images/workshop-gpu-image:ed76dadfea20
+                image: us-central1-docker.pkg.dev/cal-icor-hubs/user-images/workshop-gpu-image:0x1F
             01-tensorflow:
               display_name: Pangeo Tensorflow ML Notebook (2026.01.30)
               slug: tensorflow
"""
    )
    [reference] = edit.other_references
    assert (reference.path, reference.line, reference.updated) == (
        "jupyterhub.prePuller.extraImages.00-sml-pytorch",
        19,
        False,
    )


def test_file_mode_on_a_copy_of_a_2026_cluster(hub_configs: Path, tmp_path: Path) -> None:
    cluster = tmp_path / "awi-ciroh"
    shutil.copytree(hub_configs / "2026" / "awi-ciroh", cluster)
    before = {file.name: file.read_bytes() for file in cluster.iterdir()}
    choice = "basehub.jupyterhub.singleuser.profileList[0].profile_options.image.choices.new"
    result = bump_config_file(
        cluster / "cluster.yaml",
        hubs=["staging"],
        image="quay.io/2i2c/awi-ciroh-image:5a6b7c8",
        path=f"{choice}.kubespawner_override.image",
    )
    assert result.changed
    after = {file.name: file.read_bytes() for file in cluster.iterdir()}
    assert after.keys() == before.keys()
    assert [name for name in after if after[name] != before[name]] == ["staging.values.yaml"]
    assert after["staging.values.yaml"] == before["staging.values.yaml"].replace(
        b"image: quay.io/2i2c/awi-ciroh-image:091bf802ad3d",
        b"image: quay.io/2i2c/awi-ciroh-image:5a6b7c8",
    )
