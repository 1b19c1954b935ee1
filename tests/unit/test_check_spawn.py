"""The server container a spawn profile gives, as KubeSpawner would make the pod (no engine)."""

from __future__ import annotations

import os
import stat
from dataclasses import replace
from pathlib import Path

from hubimage.check.hub_api import HubApiStandIn
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE as Z2JH
from hubimage.check.profile import MountedFile, VolumeMount
from hubimage.check.spawn import container_environment, server_container, written_files

HUB = HubApiStandIn(version="6.1.1", user="ada", url="http://127.0.0.1:9/hub/api")

TWO_I2C = replace(
    Z2JH,
    hub="staging",
    cmd=("/mnt/wrap/run", "jupyterhub-singleuser"),
    args=("--SingleUserNotebookApp.base_url=$(JUPYTERHUB_SERVICE_PREFIX)",),
    files=(MountedFile("/mnt/wrap/run", b'#!/bin/sh\nexec "$@"\n', 0o755),),
    environment=(
        ("SCRATCH_BUCKET", "gs://scratch/$(JUPYTERHUB_USER)"),
        ("PERSIST", "$(SCRATCH_BUCKET)/keep"),
        ("LITERAL", "$$(JUPYTERHUB_USER) $(UNKNOWN)"),
    ),
    default_url="/lab",
    memory_limit=2**30,
    cpu_limit=0.5,
    http_timeout=120.0,
    volume_mounts=(VolumeMount("/home/jovyan/shared", read_only=True), VolumeMount("/srv/scratch")),
    working_dir="/home/jovyan",
)


def test_the_environment_is_the_spawners_then_extra_env_expanded_as_the_kubelet_does() -> None:
    env = container_environment(HUB, 8888, TWO_I2C)
    assert env["JUPYTERHUB_USER"] == "ada"
    assert env["SCRATCH_BUCKET"] == "gs://scratch/ada"
    assert env["PERSIST"] == "gs://scratch/ada/keep"  # a variable listed before it
    assert env["LITERAL"] == "$(JUPYTERHUB_USER) $(UNKNOWN)"  # `$$` escapes; unknown stays
    assert env["JUPYTERHUB_DEFAULT_URL"] == "/lab"
    assert env["MEM_LIMIT"] == str(2**30) and env["CPU_LIMIT"] == "0.5"


def test_extra_env_fills_kubespawners_user_fields_before_the_kubelet_expands_it() -> None:
    profile = replace(
        Z2JH,
        environment=(
            ("HOME_COPY", "/home/{username}"),
            ("POD", "{pod_name}"),
            ("JSON", '{"a": 1}'),  # not a format KubeSpawner can fill: kept as written
        ),
    )
    env = container_environment(HUB, 8888, profile, "quay.io/org/img:1")
    assert env["HOME_COPY"] == "/home/ada" and env["POD"] == "jupyter-ada"
    assert env["JSON"] == '{"a": 1}'
    assert env["JUPYTER_IMAGE"] == env["JUPYTER_IMAGE_SPEC"] == "quay.io/org/img:1"


def test_the_defaults_set_no_limits_and_no_default_url() -> None:
    env = container_environment(HUB, 8888, Z2JH)
    assert not {"MEM_LIMIT", "CPU_LIMIT", "JUPYTERHUB_DEFAULT_URL"} & set(env)


def test_the_container_is_the_pods() -> None:
    env = container_environment(HUB, 8888, TWO_I2C)
    spec = server_container("img:1", TWO_I2C, env, "home-vol", None)
    # The image's ENTRYPOINT is kept (None); cmd + args replace its CMD, args expanded too.
    assert spec.entrypoint is None
    assert spec.command == [
        "/mnt/wrap/run",
        "jupyterhub-singleuser",
        "--SingleUserNotebookApp.base_url=/user/ada/",
    ]
    assert (spec.user, tuple(spec.group_add)) == ("1000", ("100",))
    assert spec.named_volumes == {"home-vol": "/home/jovyan"}
    assert spec.tmpfs == {
        "/home/jovyan/shared": "uid=1000,gid=100,mode=0755,ro",
        "/srv/scratch": "uid=1000,gid=100,mode=0755",
    }
    assert (spec.mem_limit, spec.nano_cpus) == (2**30, 500_000_000)
    assert spec.no_new_privileges and spec.working_dir == "/home/jovyan"
    assert not spec.start  # the caller starts it, to time the start


def test_no_cmd_keeps_the_images_cmd_and_drops_args_as_kubespawner_does() -> None:
    profile = replace(Z2JH, cmd=None, args=("--debug",), uid=None, fs_gid=None)
    spec = server_container("img:1", profile, {}, None, None)
    assert spec.command is None and spec.user is None and tuple(spec.group_add) == ()


def test_storage_none_mounts_no_home_and_privilege_escalation_is_kept_when_allowed() -> None:
    profile = replace(Z2JH, home_mount_path=None, allow_privilege_escalation=True)
    spec = server_container("img:1", profile, {}, "home-vol", None)
    assert spec.named_volumes == {} and not spec.no_new_privileges


def test_files_are_written_with_their_modes_and_bound_read_only_then_removed() -> None:
    profile = replace(
        TWO_I2C,
        files=(
            *TWO_I2C.files,
            MountedFile("/etc/jupyter/jupyter_server_config.json", b'{"a": 1}', 0o644),
        ),
    )
    with written_files(profile) as folder:
        assert folder is not None
        spec = server_container("img:1", profile, {}, None, folder)
        binds = {bind["bind"]: (host, bind["mode"]) for host, bind in spec.volumes.items()}
        script, mode = binds["/mnt/wrap/run"]
        assert mode == "ro" and stat.S_IMODE(os.stat(script).st_mode) == 0o755
        config, _ = binds["/etc/jupyter/jupyter_server_config.json"]
        assert Path(config).read_bytes() == b'{"a": 1}'
        assert stat.S_IMODE(os.stat(config).st_mode) == 0o644
    assert not folder.exists()


def test_a_profile_without_files_writes_nothing() -> None:
    with written_files(Z2JH) as folder:
        assert folder is None
