"""The whole pipeline under faults: a hub is never pointed at an image the registry lacks.

The registry is the real one behind the fault-injecting proxy; the hub config is a local file
(file mode), so "never half-written" and "never pointing at a missing image" are checked on
real bytes and against the Registry HTTP API.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from support.action_runner import HUBIMAGE_RUN, action_environment, run_action, secrets_found
from support.fault_proxy import Fault, FaultProxy
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

HUBS_YAML = """\
hubs:
  - name: staging
    template: base-hub
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/example/old
            tag: "2026.01.01"
"""


def hub_repo(tmp_path: Path, base_image: str) -> Path:
    workdir = init_repo(tmp_path / "hub-image")
    dockerfile = f"FROM {base_image}\nUSER root\nRUN echo {tmp_path.name} > /etc/nonce\nUSER 1000\n"
    commit_files(workdir, {"image/Dockerfile": dockerfile}, "image")
    (tmp_path / "hubs.yaml").write_text(HUBS_YAML)
    return workdir


def inputs(host: str, registry: RunningRegistry, tmp_path: Path, **more: str) -> dict[str, str]:
    return {
        "context": "image",
        "image": f"{host}/safety/img",
        "registry-username": registry.username,
        "registry-password": registry.password,
        "hub-config": str(tmp_path / "hubs.yaml"),
        "hubs": "staging",
        "bump-mode": "file",
        "check": "false",  # the checks are tested elsewhere; here the push and bump matter
        **more,
    }


def test_a_registry_that_keeps_failing_means_no_bump(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
) -> None:
    workdir = hub_repo(tmp_path, singleuser_image)
    # Every blob upload start fails (the containerd store pings no /v2/ before a push).
    fault_proxy.inject(
        Fault("status", count=10_000, status=500, methods=("POST",), path_pattern="/blobs/uploads/")
    )
    run = run_action(
        workdir, "push", inputs(fault_proxy.host, registry_htpasswd, tmp_path), tmp_path
    )

    assert run.returncode == 1, run.stderr[-2000:]
    assert fault_proxy.host in run.stderr  # the error names the registry
    assert run.outputs["pushed"] == "false"
    assert run.outputs["bump-result"] == "skipped"
    assert (tmp_path / "hubs.yaml").read_text() == HUBS_YAML
    assert registry_htpasswd.password not in run.everything


def test_a_burst_of_503_is_retried_and_the_hub_is_bumped(
    docker_engine: DockerEngine,
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
) -> None:
    workdir = hub_repo(tmp_path, singleuser_image)
    fault_proxy.inject(Fault("status", count=2, status=503, path_pattern=r"/manifests/"))
    run = run_action(
        workdir, "push", inputs(fault_proxy.host, registry_htpasswd, tmp_path), tmp_path
    )

    assert run.returncode == 0, run.stderr[-2000:]
    assert fault_proxy.outcomes().count("status 503") == 2
    tag = run.outputs["tag"]
    assert run.outputs["digest"] == served_digest(registry_htpasswd, "safety/img", tag)
    assert f'tag: "{tag}"' in (tmp_path / "hubs.yaml").read_text()
    assert secrets_found(run, docker_engine, [registry_htpasswd.password]) == []


def test_wrong_credentials_fail_naming_the_registry_and_leak_nothing(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
) -> None:
    workdir = hub_repo(tmp_path, singleuser_image)
    secret = "wrong-Secret-0123456789"
    values = inputs(
        registry_htpasswd.host, registry_htpasswd, tmp_path, **{"registry-password": secret}
    )
    run = run_action(workdir, "push", values, tmp_path)

    assert run.returncode == 1, run.stderr[-2000:]
    assert registry_htpasswd.host in run.stderr
    assert secret not in run.everything
    for path in tmp_path.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            assert secret.encode() not in path.read_bytes(), path
    assert (tmp_path / "hubs.yaml").read_text() == HUBS_YAML


@pytest.mark.parametrize("stage", ["::group::Build and push", "::group::Bump"])
def test_killed_at_a_stage_then_rerun_finishes_and_never_points_at_a_missing_image(
    stage: str,
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
) -> None:
    workdir = hub_repo(tmp_path, singleuser_image)
    values = inputs(registry_htpasswd.host, registry_htpasswd, tmp_path)
    env, _, _ = action_environment(workdir, "push", values, tmp_path)
    process = subprocess.Popen(
        HUBIMAGE_RUN,
        cwd=workdir,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    for line in process.stderr:
        if line.startswith(stage):
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL

    config = (tmp_path / "hubs.yaml").read_text()
    assert config == HUBS_YAML  # killed before the bump wrote: the old bytes, whole

    rerun = run_action(workdir, "push", values, tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    tag = rerun.outputs["tag"]
    assert served_digest(registry_htpasswd, "safety/img", tag) == rerun.outputs["digest"]
    assert f'tag: "{tag}"' in (tmp_path / "hubs.yaml").read_text()


def test_killed_mid_push_then_rerun_finishes_and_never_points_at_a_missing_image(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
) -> None:
    workdir = hub_repo(tmp_path, singleuser_image)
    values = inputs(fault_proxy.host, registry_htpasswd, tmp_path)
    # Uploads hang: the run is inside the push when it is killed.
    stall = fault_proxy.inject(Fault("stall", count=50, seconds=20, methods=("PATCH", "PUT")))
    env, _, _ = action_environment(workdir, "push", values, tmp_path)
    process = subprocess.Popen(
        HUBIMAGE_RUN,
        cwd=workdir,
        env=env,
        stderr=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while stall.hits == 0 and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
    assert stall.hits > 0, "the push never reached the registry's upload"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert (tmp_path / "hubs.yaml").read_text() == HUBS_YAML

    fault_proxy.clear()
    rerun = run_action(workdir, "push", values, tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    tag = rerun.outputs["tag"]
    assert served_digest(registry_htpasswd, "safety/img", tag) == rerun.outputs["digest"]
    assert f'tag: "{tag}"' in (tmp_path / "hubs.yaml").read_text()
