"""Bump hubs in the 2022 real hub configs under ../shared/fixtures/hub-configs.

Each expected diff below was checked by hand against the fixture file: it is the minimal
edit (the changed or inserted lines, nothing else), written out here, not read back from
what the code produced. The diffs quote the fixtures' own long lines, hence the E501 waiver.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump import edit_config_text
from hubimage.errors import ConfigError
from support.hub_config_fixtures import bump_fixture


def test_2022_create_then_other_references_reported(hub_configs: Path) -> None:
    name = "2022/2i2c.cluster.yaml"
    text = (hub_configs / name).read_text(encoding="utf-8")
    edit = edit_config_text(
        text, filename=name, hubs=["staging"], image="pangeo/pangeo-notebook:2022.01.20"
    )
    assert (
        edit.unified_diff(text)
        == """\
--- a/2022/2i2c.cluster.yaml
+++ b/2022/2i2c.cluster.yaml
@@ -53,6 +53,10 @@
                 - <staff_google_ids>
                 - user2@example.org
               admin_users: *staging_users
+        singleuser:
+          image:
+            name: pangeo/pangeo-notebook
+            tag: 2022.01.20
   - name: dask-staging
     domain: dask-staging.pilot.2i2c.cloud
     helm_chart: daskhub
"""
    )
    [change_name, change_tag] = edit.changes
    assert (change_name.path, change_name.line, change_name.old) == (
        "hubs[0].config.jupyterhub.singleuser.image.name",
        58,
        None,
    )
    assert (change_tag.line, change_tag.new) == (59, "2022.01.20")
    [reference] = edit.other_references
    assert reference.path == "hubs[1].config.basehub.jupyterhub.singleuser.image"
    assert (reference.line, reference.value) == (92, "pangeo/pangeo-notebook:2021.02.19")
    assert not reference.updated


def test_2022_several_hubs_and_charts(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2022/2i2c.cluster.yaml",
        hubs=["ohw", "paleohack2021", "demo"],
        image="ghcr.io/oceanhackweek/jupyer-image:2022.01.01",
    )
    assert (
        diff
        == """\
--- a/2022/2i2c.cluster.yaml
+++ b/2022/2i2c.cluster.yaml
@@ -123,6 +123,10 @@
               admin_users:
                 - <staff_google_ids>
               username_pattern: '^(.+@2i2c\\.org|deployment-service-check)$'
+        singleuser:
+          image:
+            name: ghcr.io/oceanhackweek/jupyer-image
+            tag: 2022.01.01
   - name: ohw
     domain: ohw.pilot.2i2c.cloud
     helm_chart: daskhub
@@ -159,7 +163,7 @@
                       protocol: TCP
             image:
               name: ghcr.io/oceanhackweek/jupyer-image
-              tag: 9efd4fb
+              tag: 2022.01.01
             memory:
               # Increase memory alloted during the workshop
               #  https://github.com/2i2c-org/pilot-hubs/issues/549#issuecomment-891264570
@@ -403,8 +407,8 @@
             guarantee: 0.1
             limit: 2
           image:
-            name: quay.io/2i2c/paleohack-2021
-            tag: 7534858b1098
+            name: ghcr.io/oceanhackweek/jupyer-image
+            tag: 2022.01.01
         hub:
           config:
             Authenticator:
"""
    )


def test_2022_anchor_shared_with_prod_is_refused(hub_configs: Path) -> None:
    name = "2022/pangeo-hubs.cluster.yaml"
    text = (hub_configs / name).read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match=r"&staging_jhub_singleuser .*hub prod") as raised:
        edit_config_text(text, filename=name, hubs=["staging"], image="pangeo/pangeo-notebook:1")
    assert raised.value.location is not None and raised.value.location.line == 92
    with pytest.raises(ConfigError, match=r"which hub staging also"):
        edit_config_text(text, filename=name, hubs=["prod"], image="pangeo/pangeo-notebook:1")


def test_2022_anchor_shared_by_both_hubs_bumped_together(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2022/pangeo-hubs.cluster.yaml",
        hubs=["prod", "staging"],
        image="pangeo/pangeo-notebook:2022.01.13",
    )
    assert (
        diff
        == """\
--- a/2022/pangeo-hubs.cluster.yaml
+++ b/2022/pangeo-hubs.cluster.yaml
@@ -92,7 +92,7 @@
           singleuser: &staging_jhub_singleuser
             image:
               name: pangeo/pangeo-notebook
-              tag: bcfacc5
+              tag: 2022.01.13
             profileList:
               # The mem-guarantees are here so k8s doesn't schedule other pods
               # on these nodes. They need to be just under total allocatable
"""
    )


def test_2022_explicit_path_keeps_double_quotes(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2022/pangeo-hubs.cluster.yaml",
        hubs=["staging", "prod"],
        image="pangeo/ml-notebook:2022.01.13",
        path="basehub.jupyterhub.singleuser.profileList[3].kubespawner_override.image",
    )
    assert (
        diff
        == """\
--- a/2022/pangeo-hubs.cluster.yaml
+++ b/2022/pangeo-hubs.cluster.yaml
@@ -125,7 +125,7 @@
               - display_name: "ML Image - Large (12 GB - 16 GB)"
                 description: "https://github.com/pangeo-data/pangeo-docker-images/tree/master/ml-notebook"
                 kubespawner_override:
-                  image: "pangeo/ml-notebook:master"
+                  image: "pangeo/ml-notebook:2022.01.13"
                   cpu_limit: 2
                   cpu_guarantee: 1
                   mem_limit: 16G
"""
    )
