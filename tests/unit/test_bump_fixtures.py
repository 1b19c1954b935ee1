"""Bump hubs in every real hub config under ../shared/fixtures/hub-configs.

Each expected diff below was checked by hand against the fixture file: it is the minimal
edit (the changed or inserted lines, nothing else), written out here, not read back from
what the code produced.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hubimage.bump import bump_config_file, edit_config_text, edit_config_tree
from hubimage.errors import BadInputError, ConfigError

FIXTURES = Path(__file__).parents[2].parent / "shared" / "fixtures" / "hub-configs"


@pytest.fixture
def hub_configs() -> Path:
    if not FIXTURES.is_dir():
        pytest.skip(f"the real hub-config fixtures are not here ({FIXTURES} is absent)")
    return FIXTURES


def bump_fixture(hub_configs: Path, name: str, **options: object) -> tuple[str, str]:
    """(diff, new text) of bumping the fixture `name` (the file itself is never written)."""
    text = (hub_configs / name).read_text(encoding="utf-8")
    edit = edit_config_text(text, filename=name, **options)  # type: ignore[arg-type]
    assert edit.changed
    return edit.unified_diff(text), edit.new_text


def read_under(root: Path):  # type: ignore[no-untyped-def]
    def read(name: str) -> str | None:
        file = root / name
        return file.read_text(encoding="utf-8") if file.exists() else None

    return read


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
    diff, new_text = bump_fixture(
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


FIXTURE_NAMES = (
    sorted(str(f.relative_to(FIXTURES)) for f in FIXTURES.rglob("*.yaml"))
    if FIXTURES.is_dir()
    else []
)


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_file_takes_a_bump_or_is_refused_cleanly(
    hub_configs: Path, name: str
) -> None:
    """Whatever the layout, a bump with no hub named either works or is bad input."""
    text = (hub_configs / name).read_text(encoding="utf-8")
    try:
        edit_config_tree(name, read_under(hub_configs), hubs=[], image="quay.io/2i2c/x:1.2.3")
    except BadInputError as error:
        assert name in error.message or "hub" in error.message
    assert (hub_configs / name).read_text(encoding="utf-8") == text
