"""Bump hubs in the 2021 real hub configs under ../shared/fixtures/hub-configs.

Each expected diff below was checked by hand against the fixture file: it is the minimal
edit (the changed or inserted lines, nothing else), written out here, not read back from
what the code produced. The diffs quote the fixtures' own long lines, hence the E501 waiver.
"""

# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump import edit_config_text
from hubimage.errors import ConfigError
from support.hub_config_fixtures import bump_fixture


def test_2021_hubs_creates_image_blocks_where_each_template_wants_them(hub_configs: Path) -> None:
    # staging (base-hub) has no singleuser yet; ephemeral (ephemeral-hub) has a singleuser
    # without image; catalyst-cooperative (daskhub) has singleuser.memory only.
    diff, _ = bump_fixture(
        hub_configs,
        "2021/hubs.yaml",
        hubs=["staging", "ephemeral", "catalyst-cooperative"],
        image="quay.io/2i2c/custom:1234567",
    )
    assert (
        diff
        == """\
--- a/2021/hubs.yaml
+++ b/2021/hubs.yaml
@@ -83,6 +83,9 @@
                 activeServerLimit: 5
               singleuser:
                 events: false
+                image:
+                  name: quay.io/2i2c/custom
+                  tag: "1234567"
       - name: staging
         cluster: 2i2c
         domain: staging.pilot.2i2c.cloud
@@ -121,6 +124,10 @@
                   - user2@example.org
                   - user3@example.org
                   - user4@example.org
+            singleuser:
+              image:
+                name: quay.io/2i2c/custom
+                tag: "1234567"
       - name: pfw
         cluster: 2i2c
         domain: pfw.pilot.2i2c.cloud
@@ -288,6 +295,9 @@
                 memory:
                   limit: 6G
                   guarantee: 4G
+                image:
+                  name: quay.io/2i2c/custom
+                  tag: "1234567"
               homepage:
                 templateVars:
                   org:
"""
    )


def test_2021_hubs_daskhub_tag_under_base_hub(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2021/hubs.yaml",
        hubs=["dask-staging"],
        image="pangeo/pangeo-notebook:2021.01.01",
    )
    assert (
        diff
        == """\
--- a/2021/hubs.yaml
+++ b/2021/hubs.yaml
@@ -38,7 +38,7 @@
               singleuser:
                 image:
                   name: pangeo/pangeo-notebook
-                  tag: 2020.12.08
+                  tag: 2021.01.01
               auth:
                 # Admin names need to be listed wtice here, unfortunately
                 # 'whitelist' will be removed by next jupyterhub release
"""
    )


def test_2021_04_hubs_base_hub_and_daskhub_in_different_clusters(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2021/hubs-2021-04.yaml",
        hubs=["paleohack2021", "grenoble"],
        image="quay.io/2i2c/paleohack-2021:e1b2c3d4",
    )
    assert (
        diff
        == """\
--- a/2021/hubs-2021-04.yaml
+++ b/2021/hubs-2021-04.yaml
@@ -49,7 +49,7 @@
                 limit: 2
               image:
                 name: quay.io/2i2c/paleohack-2021
-                tag: d8c26cd01c8a
+                tag: e1b2c3d4
             hub:
               config:
                 Authenticator:
@@ -432,8 +432,8 @@
             jupyterhub:
               singleuser:
                 image:
-                  name: pangeo/pangeo-notebook
-                  tag: 2021.02.19
+                  name: quay.io/2i2c/paleohack-2021
+                  tag: e1b2c3d4
               homepage:
                 templateVars:
                   org:
"""
    )


def test_2021_04_hubs_create_after_aliases_and_at_end_of_file(hub_configs: Path) -> None:
    # clovis and sbcc end with an alias (`*clovis_users`, at an odd indentation in clovis);
    # mills is the last hub of the file. "2021.04" would read as a float: it is quoted.
    diff, _ = bump_fixture(
        hub_configs,
        "2021/hubs-2021-04.yaml",
        hubs=["clovis", "sbcc", "mills"],
        image="localhost:5000/2i2c/clovis:2021.04",
    )
    assert (
        diff
        == """\
--- a/2021/hubs-2021-04.yaml
+++ b/2021/hubs-2021-04.yaml
@@ -754,6 +754,10 @@
                     - user12@example.org
                     - user24@example.org
               admin_users: *clovis_users
+            singleuser:
+              image:
+                name: localhost:5000/2i2c/clovis
+                tag: "2021.04"
       - name: sbcc
         cluster: cloudbank
         domain: sbcc.cloudbank.2i2c.cloud
@@ -788,6 +792,10 @@
                     - user12@example.org
                     - user25@example.org
                   admin_users: *sbcc_users
+            singleuser:
+              image:
+                name: localhost:5000/2i2c/clovis
+                tag: "2021.04"
       - name: mills
         cluster: cloudbank
         domain:
@@ -825,3 +833,7 @@
                     - user28@example.org
                     - user29@example.org
                   username_pattern: '^(.+@mills\\.edu|user1@example\\.org|user2@example\\.org|deployment-service-check)$'
+            singleuser:
+              image:
+                name: localhost:5000/2i2c/clovis
+                tag: "2021.04"
"""
    )


def test_2021_chart_values_file(hub_configs: Path) -> None:
    diff, _ = bump_fixture(
        hub_configs,
        "2021/base-hub-values.yaml",
        hubs=[],
        image="quay.io/2i2c/2i2c-hubs-image:0e5c6a1",
    )
    assert (
        diff
        == """\
--- a/2021/base-hub-values.yaml
+++ b/2021/base-hub-values.yaml
@@ -100,8 +100,8 @@
     nodeSelector:
       hub.jupyter.org/pool-name: user-pool
     image:
-      name: set_automatically_by_automation
-      tag: 4066a62
+      name: quay.io/2i2c/2i2c-hubs-image
+      tag: 0e5c6a1
     storage:
       type: static
       static:
"""
    )


def test_2021_schema_is_not_a_hub_config(hub_configs: Path) -> None:
    text = (hub_configs / "2021/cluster-schema.yaml").read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="JSON schema"):
        edit_config_text(text, filename="cluster-schema.yaml", hubs=["x"], image="a/b:1")
