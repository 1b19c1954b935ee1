"""Faults during a whole `hubimage` run, through the CLI.

GitHub faults come from the API stand-in (`.inject`); registry faults from the fault proxy put
in front of the real registry as the registry host. Module-level retry behaviour is covered in
test_push_faults.py and test_deliver_retries_and_errors.py; these check the process boundary:
exit codes, messages, and that a failed push never leads to a bump.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.action_runner import ActionRun, run_action
from support.fault_proxy import Fault, FaultProxy
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, STANDIN_TOKEN, config_repo_inputs
from support.github_standin import GitHubStandIn
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

HUBS_YAML = """\
hubs:
  - name: staging
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
  - name: prod
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2025.12.01"
"""
PUT_CONTENTS = "repos/create-or-update-file-contents"
SECONDARY = "You have exceeded a secondary rate limit. Please wait a few minutes."


@pytest.fixture
def config_repo(github_standin: GitHubStandIn) -> GitHubStandIn:
    github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, HUBS_YAML, "Hub configs")
    return github_standin


def main_config(standin: GitHubStandIn) -> str:
    return standin.repos[CONFIG_REPO].store.git("show", f"main:{CONFIG_PATH}")


def bump_command(standin: GitHubStandIn, hub: str, tag: str) -> list[str]:
    return [
        sys.executable, "-m", "hubimage", "bump",
        "--config", CONFIG_PATH, "--hub", hub,
        "--image", f"registry.example.org/team/user-image:{tag}",
        "--mode", "commit", "--repository", CONFIG_REPO, "--branch", "main",
        "--github-api-url", standin.url,
    ]  # fmt: skip


def bump_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env["HUBIMAGE_GITHUB_TOKEN"] = STANDIN_TOKEN
    return env


def run_bump(
    standin: GitHubStandIn, hub: str, tag: str, cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        bump_command(standin, hub, tag), cwd=cwd, env=bump_env(),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


# --- GitHub faults during the bump ---------------------------------------------------------


@pytest.mark.no_engine
@pytest.mark.timeout(90)
def test_bump_retries_502_then_commits(config_repo: GitHubStandIn, tmp_path: Path) -> None:
    config_repo.inject(PUT_CONTENTS, 502, times=2)
    done = run_bump(config_repo, "staging", "2026.02.02", tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'tag: "2026.02.02"' in main_config(config_repo)
    assert [c.status for c in config_repo.calls(PUT_CONTENTS)] == [502, 502, 200]


@pytest.mark.no_engine
@pytest.mark.timeout(90)
def test_bump_waits_out_secondary_rate_limit(config_repo: GitHubStandIn, tmp_path: Path) -> None:
    config_repo.inject(PUT_CONTENTS, 403, headers={"Retry-After": "1"}, message=SECONDARY)
    done = run_bump(config_repo, "staging", "2026.02.03", tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'tag: "2026.02.03"' in main_config(config_repo)
    assert [c.status for c in config_repo.calls(PUT_CONTENTS)] == [403, 200]


@pytest.mark.no_engine
@pytest.mark.timeout(90)
def test_bump_recovers_from_409_conflict(config_repo: GitHubStandIn, tmp_path: Path) -> None:
    config_repo.inject(PUT_CONTENTS, 409, message="is at abc but expected def")
    done = run_bump(config_repo, "staging", "2026.02.04", tmp_path)
    assert done.returncode == 0, done.stderr
    assert 'tag: "2026.02.04"' in main_config(config_repo)


@pytest.mark.no_engine
@pytest.mark.timeout(90)
def test_bump_refuses_an_unbounded_rate_limit_wait_without_committing(
    config_repo: GitHubStandIn, tmp_path: Path
) -> None:
    # Retry-After beyond the policy's cap: fail now rather than hang the job for an hour.
    config_repo.inject(PUT_CONTENTS, 403, headers={"Retry-After": "3600"}, message=SECONDARY)
    before = config_repo.repos[CONFIG_REPO].store.branch_head("main")
    env = bump_env()
    done = subprocess.run(
        bump_command(config_repo, "staging", "2026.02.05"), cwd=tmp_path, env=env,
        capture_output=True, text=True, timeout=85, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert CONFIG_REPO in done.stderr
    assert config_repo.repos[CONFIG_REPO].store.branch_head("main") == before


@pytest.mark.no_engine
@pytest.mark.timeout(120)
def test_two_concurrent_commit_bumps_both_land(config_repo: GitHubStandIn, tmp_path: Path) -> None:
    processes = [
        subprocess.Popen(
            bump_command(config_repo, hub, tag),
            cwd=tmp_path,
            env=bump_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for hub, tag in (("staging", "2026.03.01"), ("prod", "2026.03.02"))
    ]
    results = [process.communicate(timeout=100) for process in processes]
    for process, (_, stderr) in zip(processes, results, strict=True):
        assert process.returncode == 0, stderr
    final = main_config(config_repo)
    assert 'tag: "2026.03.01"' in final
    assert 'tag: "2026.03.02"' in final
    history = config_repo.repos[CONFIG_REPO].store.git("log", "--format=%s", "main")
    assert sorted(line for line in history.splitlines() if line.startswith("Bump")) == [
        "Bump prod image to 2026.03.02",
        "Bump staging image to 2026.03.01",
    ]


# --- registry faults during `hubimage run` --------------------------------------------------


def image_repo(path: Path, base_image: str, marker: str) -> Path:
    init_repo(path)
    dockerfile = f"FROM {base_image}\nRUN echo {marker} > /tmp/marker\n"
    commit_files(path, {"Dockerfile": dockerfile}, "image")
    return path


def run_through_proxy(
    workdir: Path,
    proxy: FaultProxy,
    registry: RunningRegistry,
    repository: str,
    standin: GitHubStandIn,
    tmp_path: Path,
) -> ActionRun:
    inputs = {**config_repo_inputs(f"{proxy.host}/{repository}", registry), "bump-mode": "commit"}
    return run_action(
        workdir, "push", inputs, tmp_path, extra_env={"GITHUB_API_URL": standin.url}, timeout=240
    )


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_run_retries_a_503_burst_and_bumps(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy, config_repo: GitHubStandIn, unique_repository: str,
) -> None:  # fmt: skip
    workdir = image_repo(tmp_path / "image", singleuser_image, "burst")
    # Fewer 503s than the run's push attempts (3): the containerd store uploads blobs in
    # parallel and gives up an attempt at its first failure, so an attempt may use up one
    # fault or several; two are always retried away, whichever way they fall.
    fault_proxy.inject(Fault("status", count=2, status=503, methods=("PUT", "PATCH", "POST")))
    run = run_through_proxy(
        workdir, fault_proxy, registry_htpasswd, unique_repository, config_repo, tmp_path
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "status 503" in fault_proxy.outcomes()
    assert (
        served_digest(registry_htpasswd, unique_repository, run.outputs["tag"])
        == run.outputs["digest"]
    )
    assert f'tag: "{run.outputs["tag"]}"' in main_config(config_repo)


@pytest.mark.integration
@pytest.mark.timeout(240)
def test_run_with_wrong_registry_password_names_registry_and_leaks_nothing(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy, config_repo: GitHubStandIn, unique_repository: str,
) -> None:  # fmt: skip
    import base64
    import dataclasses

    wrong = "Wr0ng-s3cret-PASSWORD-9f8e7d"
    workdir = image_repo(tmp_path / "image", singleuser_image, "wrong")
    registry = dataclasses.replace(registry_htpasswd, password=wrong)
    run = run_through_proxy(
        workdir, fault_proxy, registry, unique_repository, config_repo, tmp_path
    )
    assert run.returncode == 1, run.stderr[-3000:]
    assert fault_proxy.host in run.stderr
    basic = base64.b64encode(f"{registry.username}:{wrong}".encode()).decode()
    forms = (wrong, base64.b64encode(wrong.encode()).decode(), basic, STANDIN_TOKEN)
    for form in forms:
        assert form not in run.everything
    for path in tmp_path.rglob("*"):
        if path.is_file() and not path.is_relative_to(workdir / ".git"):
            data = path.read_bytes()
            assert not any(form.encode() in data for form in forms), path
    assert not config_repo.repos[CONFIG_REPO].pulls
