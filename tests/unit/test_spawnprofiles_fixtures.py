"""Spawn profiles of every hub of the real config trees (../shared/fixtures/hub-configs).

Every fact asserted was read in the files: basehub's values.yaml (the GHSA wrapper cmd on its
line 537-542 and the script it mounts with `mode: 0755`, KubeSpawner.http_timeout 120 on line
883, the 1G limit), the hubs' values files, Berkeley's hub/values.yaml and deployments.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from hubimage.check.profile import SpawnProfile
from hubimage.spawnprofiles import HubSpawn
from support.spawnprofile_fixtures import applied, derive

INFRA = "trees/2i2c-infrastructure-2026-08"
BERKELEY = "trees/berkeley-datahub-2024-10"
CLUSTERS = [
    "2i2c", "utoronto", "hhmi", "2i2c-aws-us", "projectpythia", "awi-ciroh", "cloudbank",
    "leap", "opensci",
]  # fmt: skip
DEPLOYMENTS = ["a11y", "cee", "data100", "datahub", "gradebook", "ischool", "stat159"]
WRAPPER = ("/mnt/ghsa-w3vc-fx9p-wp4v/check-patch-run", "jupyterhub-singleuser")
BINDERS = {("opensci", "small-binder"), ("hhmi", "binder"), ("projectpythia", "pythia-binder")}


def _cluster(hub_configs: Path, cluster: str) -> dict[str, HubSpawn]:
    spawns = derive(hub_configs / INFRA, f"config/clusters/{cluster}/cluster.yaml")
    return {spawn.hub: spawn for spawn in spawns}


def _default(spawn: HubSpawn) -> SpawnProfile:
    return spawn.profiles[0]


@pytest.mark.parametrize("cluster", CLUSTERS)
def test_every_hub_of_every_cluster(hub_configs: Path, cluster: str) -> None:
    spawns = _cluster(hub_configs, cluster)
    listed = (hub_configs / INFRA / f"config/clusters/{cluster}/cluster.yaml").read_text()
    assert len(spawns) == _hub_count(listed)
    for hub, spawn in spawns.items():
        assert spawn.profiles, hub
        for profile in spawn.profiles:
            assert profile.http_timeout == 120, (hub, profile.name)
            assert "ENC[" not in repr(profile)
            script = next(f for f in profile.files if f.mount_path == WRAPPER[0])
            assert script.mode == 0o755
            assert script.content.startswith(b"#!/usr/bin/env python3\n")
            if (cluster, hub) in BINDERS:
                assert profile.cmd is not None and profile.cmd[:2] == ("python3", "-c")
                assert profile.home_mount_path is None
            else:
                assert profile.cmd == WRAPPER, (hub, profile.name)


def test_basehubs_wrapper_and_timeout_come_from_its_values(hub_configs: Path) -> None:
    profile = _default(_cluster(hub_configs, "2i2c")["staging"])
    assert applied(profile, "singleuser.cmd").source == "helm-charts/basehub/values.yaml:541"
    assert applied(profile, "hub.config.KubeSpawner.http_timeout").source == (
        "helm-charts/basehub/values.yaml:883"
    )
    assert applied(profile, "singleuser.extraFiles.ghsa-w3vc-fx9p-wp4v-check-patch-run").value == (
        "3771 bytes, mode 0755, at /mnt/ghsa-w3vc-fx9p-wp4v/check-patch-run"
    )
    assert profile.memory_limit == 1024**3
    assert (profile.default_url, profile.working_dir, profile.start_timeout) == (
        "/tree",
        "/home/jovyan",
        600,
    )
    assert dict(profile.environment) == {
        "JUPYTER_RUNTIME_DIR": "/tmp/.jupyter-runtime",
        "SHELL": "/bin/bash",
    }
    server_config = next(
        f for f in profile.files if f.mount_path.endswith("jupyter_server_config.json")
    )
    assert server_config.content.startswith(b'{"BaseFileIdManager":{"db_path":"/tmp/file_id_')


def test_hubs_own_default_urls_and_limits(hub_configs: Path) -> None:
    assert _default(_cluster(hub_configs, "2i2c")["mtu"]).default_url == "/lab"
    opensci = _cluster(hub_configs, "opensci")
    climaterisk = _default(opensci["climaterisk"])
    assert climaterisk.default_url == "/lab/tree/climaterisk/book/Startup.ipynb"
    hhmi = _default(_cluster(hub_configs, "hhmi")["spyglass"])
    assert hhmi.default_url is not None and hhmi.default_url.startswith("/git-pull?repo=https%3A")
    utoronto = _cluster(hub_configs, "utoronto")
    assert _default(utoronto["r-prod"]).default_url == "/rstudio"
    assert _default(utoronto["prod"]).memory_limit == 2 * 1024**3  # common.values.yaml
    assert _default(utoronto["highmem"]).memory_limit == 6 * 1024**3
    assert _default(utoronto["prod"]).cpu_limit == 4


def test_a_daskhub_lands_on_lab_through_daskhub_setup(hub_configs: Path) -> None:
    for profile in _cluster(hub_configs, "awi-ciroh")["prod"].profiles:
        assert profile.default_url == "/lab"
        assert applied(profile, "custom.daskhubSetup.enabled").source == (
            "config/clusters/awi-ciroh/common.values.yaml:31"
        )


def test_the_small_binder_hub(hub_configs: Path) -> None:
    spawn = _cluster(hub_configs, "opensci")["small-binder"]
    profile = _default(spawn)
    assert (profile.memory_limit, profile.cpu_limit) == (2 * 1024**3, 1.0)
    assert profile.args[:2] == ("--ip=0.0.0.0", "--port=8888")
    assert "--NotebookApp.allow_origin=*" in profile.args  # BinderSpawnerMixin.cors_allow_origin
    assert dict(profile.environment)["EARTHDATA_PASSWORD"] == "hubimage-encrypted-value"
    assert (
        "singleuser.extraEnv.EARTHDATA_PASSWORD: encrypted in "
        "enc-small-binder.secret.values.yaml; a placeholder was used"
    ) in spawn.notes
    big = _default(_cluster(hub_configs, "opensci")["big-binder"])
    assert big.args == ()  # BinderSpawnerMixin.auth_enabled: true
    assert big.default_url == "/lab"  # custom.daskhubSetup.enabled


def test_profile_choices_with_the_image_under_test(hub_configs: Path) -> None:
    spawns = derive(
        hub_configs / INFRA,
        "config/clusters/projectpythia/cluster.yaml",
        ["prod"],
        "quay.io/pangeo/pytorch-notebook:new",
    )
    [profile] = spawns[0].profiles
    assert profile.name == "NVIDIA Tesla T4, ~16 GB, ~4 CPUs (gpu) image=pytorch"
    assert profile.memory_limit is None  # the profile's kubespawner_override nulls mem_limit
    assert dict(profile.environment)["NVIDIA_DRIVER_CAPABILITIES"] == "compute,utility"
    modes = {f.mount_path: f.mode for f in profile.files}
    assert modes["/opt/github-credential-helper"] == 0o555
    leap = derive(hub_configs / INFRA, "config/clusters/leap/cluster.yaml", ["public"])
    welcome = next(f for f in leap[0].profiles[0].files if f.mount_path.endswith("welcome.txt"))
    assert (welcome.content, welcome.mode) == (b"Welcome to LEAP public hub!\n", 0o644)


def test_every_berkeley_deployment(hub_configs: Path) -> None:
    spawns = derive(hub_configs / BERKELEY, "deployments", DEPLOYMENTS)
    assert [spawn.hub for spawn in spawns] == DEPLOYMENTS
    by_hub = {spawn.hub: spawn for spawn in spawns}
    for spawn in spawns:
        [profile] = spawn.profiles  # staging and prod spawn alike
        assert profile.name == "default [staging, prod]"
        assert profile.http_timeout == 30  # JupyterHub's default: Berkeley does not set it
        assert profile.start_timeout == 600
        # hub/values.yaml says NotebookApp; every deployment sets ServerApp over it
        app = dict(profile.environment)["JUPYTERHUB_SINGLEUSER_APP"]
        assert app == "jupyter_server.serverapp.ServerApp"
        assert applied(profile, "singleuser.extraEnv.JUPYTERHUB_SINGLEUSER_APP").source.startswith(
            f"deployments/{spawn.hub}/config/common.yaml:"
        )
        assert profile.cpu_limit == 4
        assert profile.image is not None
        assert profile.image.startswith("us-central1-docker.pkg.dev/ucb-datahub-2018/user-images/")
    assert _default(by_hub["cee"]).default_url == "/desktop"
    gradebook = _default(by_hub["gradebook"])
    assert (gradebook.default_url, gradebook.home_mount_path) == ("/gradebook", "/home/rstudio")
    assert _default(by_hub["stat159"]).memory_limit == 8 * 1024**3
    assert _default(by_hub["stat159"]).cmd == (
        "jupyterhub-singleuser",
        "--LabApp.collaborative=true",
        "--YDocExtension.ystore_class=tmpystore.TmpYStore",
    )
    assert any(
        "extra containers: singleuser.extraContainers" in n for n in by_hub["gradebook"].notes
    )


def _hub_count(text: str) -> int:
    data = YAML(typ="safe").load(text)
    if "clusters" in data:
        return sum(len(cluster.get("hubs") or []) for cluster in data["clusters"])
    return len(data["hubs"])


@pytest.mark.parametrize(
    "name",
    [
        "2021/hubs.yaml",
        "2021/hubs-2021-04.yaml",
        "2022/2i2c.cluster.yaml",
        "2022/pangeo-hubs.cluster.yaml",
    ],
)
def test_every_hub_of_the_old_layouts(hub_configs: Path, name: str) -> None:
    spawns = derive(hub_configs, name)
    assert len(spawns) == _hub_count((hub_configs / name).read_text())
    for spawn in spawns:
        assert spawn.profiles, spawn.hub
        # the charts of that time are not in the fixtures: Zero to JupyterHub's command
        assert {profile.cmd for profile in spawn.profiles} == {("jupyterhub-singleuser",)}


def test_old_layout_facts(hub_configs: Path) -> None:
    by_hub = {spawn.hub: spawn for spawn in derive(hub_configs, "2021/hubs.yaml")}
    assert _default(by_hub["wageningen"]).memory_limit == 2 * 1024**3
    catalyst = _default(by_hub["catalyst-cooperative"])  # a daskhub: under base-hub
    assert catalyst.memory_limit == 6 * 1024**3
    assert applied(catalyst, "singleuser.memory.limit").source == "2021/hubs.yaml:289"
    pangeo = derive(hub_configs, "2022/pangeo-hubs.cluster.yaml", ["staging"])
    names = [profile.name for profile in pangeo[0].profiles]
    assert names[0] == "Small (1 GB - 4 GB)" and len(names) == 4
    small = pangeo[0].profiles[0]
    assert (small.memory_limit, small.cpu_limit) == (4 * 1024**3, 2.0)
    assert small.image == "pangeo/pangeo-notebook:bcfacc5"
