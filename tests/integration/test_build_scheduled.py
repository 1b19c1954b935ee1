"""Scheduled rebuilds that really rebuild, with the default (content) tag scheme.

The image repository does not change between the runs; upstream does, as it does for hub
admins: a new release of the base image pushed to its registry under the same tag, or a new
release of an unpinned package on a real package index (PEP 503, served on loopback). A
scheduled run builds fresh (`--pull`, no cached step), so both are picked up. Driven like the
action (tests/support/action_runner.py); real engine with buildx, registry, git, and the
GitHub API stand-in holding the hub config.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import Path

import pytest

from hubimage.engine import BuildSpec, DockerEngine
from support.action_runner import ActionRun, run_action
from support.fixture_images import context_tar
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, config_repo_inputs
from support.github_standin import GitHubStandIn
from support.gitrepo import commit_files, init_repo
from support.package_index import serving_index
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration
# The hub waits 120 s for a server, as 2i2c's do: these tests are about package changes, and
# a loaded two-core machine may start the server slower than JupyterHub's own 30 s.
HUBS_YAML = """\
hubs:
  - name: staging
    config:
      jupyterhub:
        hub:
          config:
            KubeSpawner:
              http_timeout: 120
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
"""


def upstream_release(
    engine: DockerEngine, registry: RunningRegistry, base: str, name: str, six: str
) -> None:
    """`name` (in `registry`) now means the singleuser base with `six==<six>`, as a new
    upstream release of a base image pushed under the same tag would."""
    dockerfile = f"FROM {base}\nUSER root\nRUN pip install six=={six}\nUSER 1000\n"
    spec = BuildSpec(tag=name, context_tar=context_tar({"Dockerfile": dockerfile}))
    engine.build(spec, on_log=lambda _line: None)
    push_to(engine, registry, name)


def push_to(engine: DockerEngine, registry: RunningRegistry, name: str) -> None:
    repository, _, tag = name.rpartition(":")
    auth = {"username": registry.username, "password": registry.password}
    for event in engine.client.api.push(
        repository, tag, stream=True, decode=True, auth_config=auth
    ):
        assert "error" not in event, event
    engine.remove_image(name)  # a build finds it in the registry, as on a fresh runner


def test_scheduled_rebuild_publishes_a_new_tag_only_when_packages_changed(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    github_standin: GitHubStandIn,
) -> None:
    github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, HUBS_YAML, "Hub configs")
    upstream = f"{registry_htpasswd.host}/upstream/base-{secrets.token_hex(3)}:latest"
    upstream_release(docker_engine, registry_htpasswd, singleuser_image, upstream, "1.16.0")
    repository = f"scheduled/rebuild-{secrets.token_hex(3)}"
    workdir = init_repo(tmp_path / "hub-image")
    commit_files(workdir, {"Dockerfile": f"FROM {upstream}\nRUN echo built\n"}, "image")
    values = config_repo_inputs(f"{registry_htpasswd.host}/{repository}", registry_htpasswd)

    def run(event: str, **more: str) -> ActionRun:
        env = {"GITHUB_API_URL": github_standin.url}
        return run_action(workdir, event, {**values, **more}, tmp_path, extra_env=env)

    first = run("push", **{"bump-mode": "commit"})
    assert first.returncode == 0, first.stderr[-3000:]
    tag = first.outputs["tag"]  # the content tag
    assert re.fullmatch(r"[0-9a-f]{12,}", tag)
    dated = f"{tag}-{dt.datetime.now(dt.timezone.utc):%Y.%m.%d}"

    # Nothing changed upstream: rebuilt, compared, nothing pushed.
    quiet = run("schedule")
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "::group::Build" in quiet.stderr  # it did rebuild, though the tag exists
    assert quiet.outputs["bump-result"] == "unchanged"
    assert quiet.outputs["pushed"] == "false"
    assert quiet.outputs["tag"] == tag and quiet.outputs["digest"] == first.outputs["digest"]
    assert served_digest(registry_htpasswd, repository, dated) is None
    assert "no package changed" in quiet.summary
    assert not github_standin.repos[CONFIG_REPO].pulls

    # An upstream release moves six: published under the dated tag, bump pull request opened.
    upstream_release(docker_engine, registry_htpasswd, singleuser_image, upstream, "1.17.0")
    changed = run("schedule")
    assert changed.returncode == 0, changed.stderr[-3000:]
    assert changed.outputs["pushed"] == "true"
    assert changed.outputs["tag"] == dated and dated > tag
    assert changed.outputs["digest"] == served_digest(registry_htpasswd, repository, dated)
    assert served_digest(registry_htpasswd, repository, tag) == first.outputs["digest"]
    assert changed.outputs["bump-result"] == "created"
    pulls = github_standin.repos[CONFIG_REPO].pulls
    pull = next(p for p in pulls if p.number == int(changed.outputs["pr-number"]))
    assert re.search(r"\| pip \| `six` \| `1\.16\.0` \| `1\.17\.0` \|", pull.body or "")
    new_config = github_standin.repos[CONFIG_REPO].store.git(
        "show", f"hubimage/staging:{CONFIG_PATH}"
    )
    assert f'tag: "{dated}"' in new_config

    # Another upstream release the same day: the dated tag is never moved; a later one is
    # published, sorting after it, and the open pull request is updated to name it.
    upstream_release(docker_engine, registry_htpasswd, singleuser_image, upstream, "1.15.0")
    again = run("schedule")
    assert again.returncode == 0, again.stderr[-3000:]
    later = again.outputs["tag"]
    assert re.fullmatch(re.escape(dated) + r"-[0-2][0-9][0-5][0-9][0-6][0-9]", later)
    assert later > dated
    assert served_digest(registry_htpasswd, repository, dated) == changed.outputs["digest"]
    assert again.outputs["digest"] == served_digest(registry_htpasswd, repository, later)
    assert again.outputs["bump-result"] == "updated"
    new_config = github_standin.repos[CONFIG_REPO].store.git(
        "show", f"hubimage/staging:{CONFIG_PATH}"
    )
    assert f'tag: "{later}"' in new_config
    assert "fresh build (a scheduled rebuild)" in again.summary
    for ref in (tag, dated, later):
        docker_engine.remove_image(f"{values['image']}:{ref}")


def test_a_scheduled_rebuild_picks_up_a_new_release_of_an_unpinned_package(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
) -> None:
    # requirements.txt names the package without a version: what a fresh build installs is
    # whatever the index holds that day.
    base = f"{registry_htpasswd.host}/upstream/singleuser-{secrets.token_hex(3)}:1"
    docker_engine.tag(singleuser_image, base.rpartition(":")[0], "1")
    push_to(docker_engine, registry_htpasswd, base)
    repository = f"scheduled/index-{secrets.token_hex(3)}"
    dockerfile = f"""\
FROM {base}
ARG PIP_INDEX_URL
COPY requirements.txt /tmp/requirements.txt
USER root
RUN pip install --index-url "$PIP_INDEX_URL" -r /tmp/requirements.txt
USER 1000
"""
    workdir = init_repo(tmp_path / "hub-image")
    commit_files(
        workdir, {"Dockerfile": dockerfile, "requirements.txt": "hubimage-probe-pkg\n"}, "i"
    )
    hubs = tmp_path / "hubs.yaml"
    hubs.write_text(HUBS_YAML)
    with serving_index(tmp_path / "index") as index:
        index.publish("hubimage-probe-pkg", "1.0")
        values = {
            "image": f"{registry_htpasswd.host}/{repository}",
            "registry-username": registry_htpasswd.username,
            "registry-password": registry_htpasswd.password,
            "hub-config": str(hubs),
            "hubs": "staging",
            "bump-mode": "file",
            "build-args": f"PIP_INDEX_URL={index.url}",
            "check": "false",  # the checks are tested elsewhere; the packages matter here
        }

        def run(event: str) -> ActionRun:
            done = run_action(workdir, event, values, tmp_path)
            assert done.returncode == 0, done.stderr[-3000:]
            return done

        first = run("push")
        tag = first.outputs["tag"]
        assert f'tag: "{tag}"' in hubs.read_text()

        index.publish("hubimage-probe-pkg", "1.1")  # upstream releases 1.1
        changed = run("schedule")
        dated = f"{tag}-{dt.datetime.now(dt.timezone.utc):%Y.%m.%d}"
        assert changed.outputs["pushed"] == "true" and changed.outputs["tag"] == dated
        assert changed.outputs["digest"] == served_digest(registry_htpasswd, repository, dated)
        assert re.search(r"\| pip \| `hubimage-probe-pkg` \| `1\.0` \| `1\.1` \|", changed.summary)
        assert "fresh build (a scheduled rebuild)" in changed.summary
        assert f'tag: "{dated}"' in hubs.read_text()

        quiet = run("schedule")  # nothing new upstream: nothing pushed
        assert quiet.outputs["pushed"] == "false"
        assert quiet.outputs["bump-result"] == "unchanged"
        assert "no package changed" in quiet.summary
    for ref in (tag, dated):
        docker_engine.remove_image(f"{values['image']}:{ref}")
