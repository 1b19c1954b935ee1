"""Runs that must stay safe: a re-run of a job, an event that may build others' code, the
scratch folders of today's runners, and the buildx builder the workflow names. Driven like the
action (tests/support/action_runner.py) against the real engine and registry."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from support.action_runner import HUBIMAGE_RUN, action_environment, run_action
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration

HUBS_YAML = """\
hubs:
  - name: staging
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
"""
QUICK_CHECKS = "landing-page,kernel-runs,second-start,server-extensions,server-log,image-tests"


def image_repo(path: Path, base: str, dockerfile_tail: str = "") -> Path:
    init_repo(path)
    commit_files(path, {"Dockerfile": f"FROM {base}\n{dockerfile_tail}"}, "image")
    return path


def registry_inputs(registry: RunningRegistry, repository: str) -> dict[str, str]:
    return {
        "image": f"{registry.host}/{repository}",
        "registry-username": registry.username,
        "registry-password": registry.password,
    }


def test_a_rerun_never_bumps_an_image_over_its_budget(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    hubs = tmp_path / "hubs.yaml"
    hubs.write_text(HUBS_YAML)
    values = {
        **registry_inputs(registry_htpasswd, f"rerun/budget-{secrets.token_hex(3)}"),
        "hub-config": str(hubs),
        "hubs": "staging",
        "bump-mode": "file",
        "skip-checks": QUICK_CHECKS,
        "max-compressed-size": "1MB",
    }
    first = run_action(workdir, "push", values, tmp_path)
    assert first.returncode == 1, first.stderr[-3000:]
    assert first.outputs["pushed"] == "true" and first.outputs["bump-result"] == "skipped"
    assert hubs.read_text() == HUBS_YAML

    # The job is run again: the tag is there, its checks record matches; the size is
    # judged again, and it is still over: no bump, and the run says why.
    second = run_action(workdir, "push", values, tmp_path)
    assert second.returncode == 1, second.stderr[-3000:]
    assert "already exists; build and push skipped" in second.summary
    assert "its compressed size is judged again before any bump" in second.stderr
    assert "above its budget of 1.0 MB (max-compressed-size)" in second.stderr
    assert second.outputs["bump-result"] == "skipped"
    assert hubs.read_text() == HUBS_YAML


@pytest.mark.parametrize("event", ["pull_request_target", "workflow_run", "merge_group"])
def test_build_secrets_on_an_event_that_may_build_others_code_are_refused_before_the_build(
    event: str, tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    values = {
        **registry_inputs(registry_htpasswd, "trust/secrets"),
        "build-secrets": "pip_token=env:HUBIMAGE_TEST_PIP_TOKEN",
    }
    env = {"HUBIMAGE_TEST_PIP_TOKEN": secrets.token_hex(16)}
    run = run_action(workdir, event, values, tmp_path, extra_env=env)
    assert run.returncode == 2, run.stderr[-3000:]
    assert f"input 'build-secrets' on a {event} event" in run.stderr
    assert "trusted-code: true" in run.stderr
    assert "::group::Build" not in run.stderr  # refused at the door: nothing built


def test_with_trusted_code_the_secrets_reach_the_build_and_nothing_is_pushed(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry
) -> None:
    dockerfile = "RUN --mount=type=secret,id=pip_token test -s /run/secrets/pip_token\n"
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, dockerfile)
    repository = "trust/vouched"
    values = {
        **registry_inputs(registry_htpasswd, repository),
        "build-secrets": "pip_token=env:HUBIMAGE_TEST_PIP_TOKEN",
        "trusted-code": "true",
        "check": "false",
    }
    env = {"HUBIMAGE_TEST_PIP_TOKEN": secrets.token_hex(16)}
    run = run_action(workdir, "pull_request_target", values, tmp_path, extra_env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "::group::Build" in run.stderr  # built, with the secret (the RUN tests it)
    assert run.outputs["pushed"] == "false"  # push: auto never pushes on this event
    assert served_digest(registry_htpasswd, repository, run.outputs["tag"]) is None


@pytest.fixture
def outside_tmp() -> Iterator[Path]:
    """A folder on another file system than the /tmp the run will see (below)."""
    folder = Path(tempfile.mkdtemp(prefix="hubimage-test-", dir="/var/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_with_runner_temp_set_a_run_leaves_nothing_in_tmp(
    outside_tmp: Path, singleuser_image: str, registry_htpasswd: RunningRegistry
) -> None:
    # The run gets a /tmp of its own, an empty tmpfs (as ubuntu-latest's /tmp is a RAM disk),
    # and RUNNER_TEMP elsewhere, as on GitHub's runners; afterwards that /tmp is empty.
    workdir = image_repo(outside_tmp / "hub-image", singleuser_image)
    runner_temp = outside_tmp / "runner-temp"
    runner_temp.mkdir()
    values = {**registry_inputs(registry_htpasswd, "scratch/where"), "skip-checks": "image-tests"}
    # (unshare and mount need root, as the Docker socket does on these machines)
    env, _, _ = action_environment(workdir, "pull_request", values, runner_temp)
    report = outside_tmp / "tmp-after.json"
    script = (
        'mount -t tmpfs -o size=64m tmpfs /tmp && "$@"; code=$?; '
        f"python3 -c \"import json, os; print(json.dumps(os.listdir('/tmp')))\" > {report}; "
        "exit $code"
    )
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *HUBIMAGE_RUN],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(report.read_text()) == []
    # What the run kept is where the action uploads it from; its scratch is on that disk.
    assert (runner_temp / "hubimage-artifacts" / "landing-page.png").is_file()
    assert (runner_temp / "hubimage-scratch").is_dir()


def test_buildx_builder_names_the_builder_every_build_uses(
    tmp_path: Path, docker_engine: DockerEngine, singleuser_image: str
) -> None:
    # The workflow's own builder (docker/setup-buildx-action makes a docker-container one),
    # in a Docker config of its own, not the one `buildx use` made current. buildx refuses
    # a docker context's name as a builder unless it is the current context, so only such a
    # builder is a real second one. It cannot boot here (no moby/buildkit image can be
    # pulled; on GitHub's runners it does): that the build boots *it* is what shows the run
    # used it.
    folder = tmp_path / "docker-config"
    folder.mkdir()
    name = f"hubimage-test-{secrets.token_hex(3)}"
    env = {"DOCKER_CONFIG": str(folder)}
    docker = shutil.which("docker") or "docker"
    created = subprocess.run(
        [docker, "buildx", "create", "--name", name, "--driver", "docker-container"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    values = {"image": "example/builder-test", "check": "false", "buildx-builder": name}
    run = run_action(workdir, "pull_request", values, tmp_path, extra_env=env)
    assert f'building with "{name}" instance using docker-container driver' in run.stderr
    assert "booting buildkit" in run.stderr
    refused = run_action(
        workdir, "pull_request", {**values, "buildx-builder": "no such"}, tmp_path, extra_env=env
    )
    assert refused.returncode == 2 and "input 'buildx-builder'" in refused.stderr
