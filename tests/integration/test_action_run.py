"""`hubimage run` driven exactly as the composite action drives it, for each kind of event.

Real parts: the Docker engine, a distribution registry with htpasswd auth, git repositories,
and the GitHub API stand-in (which checks every request against GitHub's OpenAPI description)
holding the hub config. Recorded event payloads come from tests/data/events/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine, image_labels
from hubimage.inventory import read_inventory_label
from hubimage.policy import CHECKS_LABEL
from hubimage.reference import ImageReference
from hubimage.registry import RegistryClient, login_for, push_image
from support import bad_images
from support.action_runner import ActionRun, assert_nothing_published, run_action, secrets_found
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, STANDIN_TOKEN, config_repo_inputs
from support.github_standin import GitHubStandIn
from support.github_standin.payloads import PullState
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration


def image_repo(path: Path, base_image: str, requirements: str) -> Path:
    """A hub admin's image repository: a Dockerfile on a hub-ready base, and requirements."""
    dockerfile = f"""\
FROM {base_image}
USER root
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
USER 1000
"""
    init_repo(path)
    commit_files(path, {"Dockerfile": dockerfile, "requirements.txt": requirements}, "image")
    return path


# The layout of 2i2c's hubs.yaml in the days of the "custom image" docs (written for this test).
HUBS_YAML = """\
hubs:
  # The staging hub gets every new image first
  - name: staging
    domain: staging.hub.example.org
    template: base-hub
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
  - name: prod
    domain: hub.example.org
    template: base-hub
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2025.12.01"
"""


@pytest.fixture
def config_repo(github_standin: GitHubStandIn) -> GitHubStandIn:
    """The stand-in, its config repository holding HUBS_YAML on main."""
    github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, HUBS_YAML, "Hub configs")
    return github_standin


def config_text(standin: GitHubStandIn, ref: str) -> str:
    return standin.repos[CONFIG_REPO].store.git("show", f"{ref}:{CONFIG_PATH}")


def pull_request(standin: GitHubStandIn, number: str) -> PullState:
    return next(p for p in standin.repos[CONFIG_REPO].pulls if p.number == int(number))


@pytest.fixture
def repository(request: pytest.FixtureRequest) -> str:
    return "e2e/" + re.sub(r"[^a-z0-9]+", "-", request.node.name.lower())[-40:].strip("-")


def push_inputs(registry: RunningRegistry, repository: str) -> dict[str, str]:
    return {**config_repo_inputs(f"{registry.host}/{repository}", registry), "hub-version": "6.1.1"}


def run_with_config_repo(
    workdir: Path,
    event: str,
    registry: RunningRegistry,
    repository: str,
    config_repo: GitHubStandIn,
    tmp_path: Path,
    extra_env: Mapping[str, str] | None = None,
    **inputs: str,
) -> ActionRun:
    """A run that pushes to `registry` and bumps the hub config in the stand-in."""
    values = {**push_inputs(registry, repository), **inputs}
    env = {"GITHUB_API_URL": config_repo.url, **(extra_env or {})}
    return run_action(workdir, event, values, tmp_path, extra_env=env)


def imported_modules(stderr: str) -> set[str]:
    """The modules a run loaded, from Python's `-X importtime` lines on its stderr."""
    found = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", stderr, re.MULTILINE)
    assert found, "no -X importtime lines: was PYTHONPROFILEIMPORTTIME passed on?"
    return set(found)


def assert_config_repository_read_once_before_the_build(standin: GitHubStandIn) -> None:
    """One connection per run (a request each, spaced 0.25 s apart against api.github.com).
    The config is read 3 times: once before the build, for the plan, the hub's current
    image and its spawn profiles; afresh for the bump; and at the branch head the commit
    goes onto. Beside it, each place a chart of the config repository could be is looked
    at once (this repository has none, so the chart's defaults are Zero to JupyterHub's)."""
    assert len(standin.calls("repos/get")) == 1
    reads = [call.path for call in standin.calls("repos/get-content")]
    config = f"/repos/{CONFIG_REPO}/contents/{CONFIG_PATH}"
    assert reads.count(config) == 3
    probes = [path for path in reads if path != config]
    chart_file = r".*/(helm-charts|hub-templates)/[^/]+/(Chart|values|requirements)\.yaml"
    assert [path for path in probes if not re.fullmatch(chart_file, path)] == []
    assert len(probes) == len(set(probes))


def test_push_event_builds_checks_pushes_and_opens_a_bump_pull_request(
    docker_engine: DockerEngine,
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    team = {"pr-team-reviewers": "hub-admins"}
    push = (workdir, "push", registry_htpasswd, repository, config_repo, tmp_path)
    run = run_with_config_repo(*push, **team)
    assert run.returncode == 0, run.stderr[-3000:]

    outputs = run.outputs
    tag = outputs["tag"]
    assert outputs["image"] == f"{registry_htpasswd.host}/{repository}"
    assert outputs["pushed"] == "true"
    assert outputs["digest"] == served_digest(registry_htpasswd, repository, tag)
    assert outputs["image-ref"] == f"{outputs['image']}@{outputs['digest']}"
    checks = json.loads(outputs["checks"])
    assert not checks["failed"]
    assert {r["name"]: r["status"] for r in checks["results"]}["server-starts"] == "pass"

    assert outputs["bump-result"] == "created"
    pull = pull_request(config_repo, outputs["pr-number"])
    assert outputs["pr-url"].endswith(f"/pull/{outputs['pr-number']}")
    assert pull.title == f"Bump staging image to {tag}"
    assert outputs["digest"] in (pull.body or "")
    assert pull.team_reviewers == ["hub-admins"]
    new_config = config_text(config_repo, "hubimage/staging")
    assert f"name: {outputs['image']}" in new_config
    # Exactly two lines change: the staging hub's name and tag; prod is untouched.
    # (git show drops the final newline; the quoting of the old tag is kept)
    assert new_config == HUBS_YAML.rstrip("\n").replace(
        'name: registry.example.org/team/user-image\n            tag: "2026.01.01"',
        f'name: {outputs["image"]}\n            tag: "{tag}"',
    )

    assert "| `server-starts` | ✅ pass |" in run.summary
    # The size the summary gives is the one the package inventory saw beside the checks.
    labels = image_labels(docker_engine.require_image(f"{outputs['image']}:{tag}"))
    inventory = read_inventory_label(labels)
    assert inventory is not None and inventory.size_bytes > 0
    assert f"| size | {inventory.size_bytes / 1e6:,.1f} MB |" in run.summary
    assert outputs["digest"] in run.summary
    assert_config_repository_read_once_before_the_build(config_repo)
    assert "::group::Build" in run.stderr
    assert secrets_found(run, docker_engine, [registry_htpasswd.password, STANDIN_TOKEN]) == []

    # The same commit again: the tag is in the registry, so nothing is built or pushed,
    # the registry's digest is reused, and the open pull request already says it all.
    again = run_with_config_repo(*push, extra_env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert again.returncode == 0, again.stderr[-3000:]
    # ... and it loads only what that needs: no Docker SDK, no builder, no check runner.
    loaded = imported_modules(again.stderr)
    assert {"requests", "hubimage.phases.tagging"} <= loaded
    unneeded = {"docker", "hubimage.engine.docker_engine", "hubimage.imagebuild.build"}
    assert loaded & {*unneeded, "hubimage.check.runner"} == set()
    assert again.outputs["tag"] == tag
    assert again.outputs["pushed"] == "false"
    assert again.outputs["digest"] == outputs["digest"]
    assert again.outputs["bump-result"] == "unchanged"
    assert "::group::Build" not in again.stderr
    assert "::group::Check" not in again.stderr  # its label says hubimage checked it
    assert len(config_repo.repos[CONFIG_REPO].pulls) == 1


def test_pull_request_event_builds_and_checks_but_pushes_nothing_and_needs_no_secret(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    repository: str,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    inputs = {
        "image": f"{registry_htpasswd.host}/{repository}",
        "hub-config": CONFIG_PATH,
        "hubs": "staging",
        "bump-repository": CONFIG_REPO,
    }
    run = run_action(workdir, "pull_request", inputs, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]

    assert_nothing_published(run, registry_htpasswd, repository)
    assert not json.loads(run.outputs["checks"])["failed"]
    assert "pull request: build and check only" in run.summary


@pytest.mark.parametrize("event", ["pull_request_target", "merge_group"])
def test_events_that_can_carry_outside_code_push_nothing_even_with_secrets(
    event: str,
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    # pull_request_target hands the base repository's secrets to a workflow that may build
    # a fork's code: with `push: auto` nothing it builds may reach the registry or a hub.
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    run = run_with_config_repo(workdir, event, registry_htpasswd, repository, config_repo, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_nothing_published(run, registry_htpasswd, repository)
    assert f"event {event}: push: auto pushes only on" in run.summary
    assert not config_repo.repos[CONFIG_REPO].pulls


def test_failed_check_is_never_pushed(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    dockerfile = workdir / "Dockerfile"
    commit_files(workdir, {"Dockerfile": dockerfile.read_text() + "USER root\n"}, "root")
    run = run_with_config_repo(
        workdir, "push", registry_htpasswd, repository, config_repo, tmp_path
    )
    assert run.returncode == 1
    assert_nothing_published(run, registry_htpasswd, repository)
    assert "::error title=check non-root-user::" in run.stderr
    assert "USER" in run.stderr  # the hint says what to change
    assert not config_repo.repos[CONFIG_REPO].pulls
    # Every container the run started (checks, the inventory beside them) is gone.
    built = f"{registry_htpasswd.host}/{repository}:{run.outputs['tag']}"
    assert docker_engine.client.containers.list(all=True, filters={"ancestor": built}) == []


def test_scheduled_rebuild_proposes_only_real_package_changes(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")

    def run(event: str, **inputs: str) -> ActionRun:
        # The cache kept on schedule (fresh-rebuild: false): this base image exists only on
        # this engine, which a fresh build's --pull cannot reach (test_build_scheduled.py
        # has the fresh rebuild, on a base image released through the registry).
        inputs.setdefault("fresh-rebuild", "false")
        return run_with_config_repo(
            workdir, event, registry_htpasswd, repository, config_repo, tmp_path, **inputs
        )

    # The hub runs an image built and rolled out by an earlier push (commit mode: on main).
    first = run("push", **{"bump-mode": "commit"})
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.outputs["bump-result"] == "created"  # a new commit on main
    assert f'tag: "{first.outputs["tag"]}"' in config_text(config_repo, "main")

    # A week later nothing changed: no push, no bump, and the summary says why.
    quiet = run("schedule", tag="weekly-1")
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert quiet.outputs["bump-result"] == "unchanged"
    assert quiet.outputs["pushed"] == "false"
    assert served_digest(registry_htpasswd, repository, "weekly-1") is None
    assert "no package changed" in quiet.summary
    assert not config_repo.repos[CONFIG_REPO].pulls

    # Then a requirement moves: the rebuild is pushed and the pull request lists the change.
    commit_files(workdir, {"requirements.txt": "six==1.17.0\n"}, "six 1.17")
    changed = run("schedule", tag="weekly-2")
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert changed.outputs["pushed"] == "true"
    assert changed.outputs["digest"] == served_digest(registry_htpasswd, repository, "weekly-2")
    assert changed.outputs["bump-result"] == "created"
    pull = pull_request(config_repo, changed.outputs["pr-number"])
    assert re.search(r"\| pip \| `six` \| `1\.16\.0` \| `1\.17\.0` \|", (pull.body or ""))
    assert "six" in changed.summary
    docker_engine.remove_image(f"{registry_htpasswd.host}/{repository}:weekly-1")


def test_a_published_tag_hubimage_did_not_check_is_checked_before_any_bump(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    # Someone pushed an image by hand under the tag this run is asked to roll out.
    by_hand = bad_images.root_user(docker_engine, singleuser_image)
    target = ImageReference.parse(f"{registry_htpasswd.host}/{repository}")
    push_image(docker_engine, by_hand, target, ["by-hand"], registry_htpasswd.credentials)
    docker_engine.remove_image(f"{target}:by-hand")

    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    run = run_with_config_repo(
        workdir, "push", registry_htpasswd, repository, config_repo, tmp_path, tag="by-hand"
    )
    assert run.returncode == 1, run.stderr[-3000:]
    assert "carries no passed checks" in run.stderr
    assert "::error title=check non-root-user::" in run.stderr
    assert run.outputs["bump-result"] == "skipped"
    assert not config_repo.repos[CONFIG_REPO].pulls
    assert "2026.01.01" in config_text(config_repo, "main")


def test_a_checks_label_written_for_another_spawn_does_not_skip_the_checks(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    # A first run publishes the image, checked for uid 1000 (the image's user) and labelled so.
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    first = run_with_config_repo(
        workdir,
        "push",
        registry_htpasswd,
        repository,
        config_repo,
        tmp_path,
        **{"bump-mode": "none"},
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.outputs["pushed"] == "true"
    docker_engine.remove_image(f"{first.outputs['image']}:{first.outputs['tag']}")

    # The hub now runs users as 1001 (its config says so): that record says nothing about
    # it. The image is pulled and checked again, fails non-root-user, and no hub is pointed
    # at it.
    as_1001 = HUBS_YAML.replace(
        "        singleuser:\n", "        singleuser:\n          uid: 1001\n", 1
    )
    config_repo.commit_file(CONFIG_REPO, "main", CONFIG_PATH, as_1001, "Users run as 1001")
    second = run_with_config_repo(
        workdir, "push", registry_htpasswd, repository, config_repo, tmp_path
    )
    assert second.returncode == 1, second.stderr[-3000:]
    assert "its checks label was written for other spawns" in second.stderr
    assert "::error title=check non-root-user::" in second.stderr
    assert second.outputs["bump-result"] == "skipped"
    assert not config_repo.repos[CONFIG_REPO].pulls


def test_dry_run_plans_the_bump_and_prints_its_diff_but_writes_nothing(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    before = config_text(config_repo, "main")
    run = run_with_config_repo(
        workdir, "push", registry_htpasswd, repository, config_repo, tmp_path, **{"dry-run": "true"}
    )
    assert run.returncode == 0, run.stderr[-3000:]
    tag = run.outputs["tag"]
    assert_nothing_published(run, registry_htpasswd, repository, tag)
    # The diff of exactly the two lines the bump would change, in the log.
    log = run.stderr.splitlines()
    assert "-            name: registry.example.org/team/user-image" in log
    assert f"+            name: {registry_htpasswd.host}/{repository}" in log
    assert '-            tag: "2026.01.01"' in log
    assert f'+            tag: "{tag}"' in log
    # Nothing written: no branch, no commit, no pull request.
    assert config_text(config_repo, "main") == before
    assert list(config_repo.repos[CONFIG_REPO].store.branches()) == ["main"]
    assert not config_repo.repos[CONFIG_REPO].pulls
    assert "dry run" in run.summary


def test_check_false_builds_and_pushes_in_one_buildx_call_then_bumps_the_served_digest(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    # A `docker` on PATH that writes down each command line, then runs the real client.
    calls, shim = tmp_path / "docker-calls", tmp_path / "shim" / "docker"
    shim.parent.mkdir()
    real = shutil.which("docker")
    shim.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {calls}\nexec {real} "$@"\n')
    shim.chmod(0o755)
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    values = {**push_inputs(registry_htpasswd, repository), "check": "false"}
    values["extra-tags"] = "latest"
    env = {"GITHUB_API_URL": config_repo.url, "PATH": f"{shim.parent}:{os.environ['PATH']}"}
    run = run_action(workdir, "push", values, tmp_path, extra_env=env)
    assert run.returncode == 0, run.stderr[-3000:]

    builds = [line for line in calls.read_text().splitlines() if line.startswith("buildx build")]
    assert len(builds) == 1 and " --push " in builds[0], builds
    assert " --load " not in builds[0] and "type=cacheonly" not in builds[0]
    assert "::group::Push" not in run.stderr  # no push through the engine
    assert "::group::Export the build cache" not in run.stderr
    outputs = run.outputs
    assert outputs["pushed"] == "true"
    assert outputs["digest"] == served_digest(registry_htpasswd, repository, outputs["tag"])
    assert outputs["digest"] == served_digest(registry_htpasswd, repository, "latest")
    assert served_digest(registry_htpasswd, repository, "buildcache") is not None
    assert outputs["bump-result"] == "created"
    pull = pull_request(config_repo, outputs["pr-number"])
    assert outputs["digest"] in (pull.body or "")
    assert f'tag: "{outputs["tag"]}"' in config_text(config_repo, "hubimage/staging")
    target = ImageReference.parse(outputs["image"])
    login = login_for(target, registry_htpasswd.credentials)
    with RegistryClient(target.registry_host, login) as client:
        labels = client.image_labels(repository, outputs["digest"]) or {}
    record = json.loads(labels[CHECKS_LABEL])
    assert (record["checked"], record["spawns"], record["checks"]) == (False, [], [])
    assert "checking as staging spawn" not in run.stderr  # no profile derived for no check
    assert registry_htpasswd.password not in run.everything + calls.read_text()


def test_a_hub_config_the_run_cannot_read_means_the_defaults_and_a_warning_saying_why(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    config_repo: GitHubStandIn,
    repository: str,
) -> None:
    # A pull request's token that cannot reach the config repository: the checks still run,
    # under Zero to JupyterHub's defaults, and the run says so instead of staying silent.
    workdir = image_repo(tmp_path / "hub-image", singleuser_image, "six==1.16.0\n")
    run = run_with_config_repo(
        workdir,
        "pull_request",
        registry_htpasswd,
        repository,
        config_repo,
        tmp_path,
        **{"github-token": "not-a-token-of-this-repository", "skip-checks": "landing-page"},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"::warning title=checks::the hub config {CONFIG_PATH} cannot be read" in run.stderr
    checks = json.loads(run.outputs["checks"])
    assert checks["profiles"][0]["profile"] == "Zero to JupyterHub defaults"
    assert any("checked under the defaults" in note for note in checks["notes"])
    assert not checks["failed"]
