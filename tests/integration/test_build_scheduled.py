"""Scheduled rebuilds that really rebuild, with the default (content) tag scheme.

The image repository does not change between the runs; its base image does, as an upstream
release would (a local image re-tagged under the same name, which the build resolves anew).
Driven like the action (tests/support/action_runner.py); real engine with buildx, registry,
git, and the GitHub API stand-in holding the hub config.
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
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, STANDIN_TOKEN
from support.github_standin import GitHubStandIn
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


def upstream_release(engine: DockerEngine, base: str, name: str, six: str) -> None:
    """`name` now means the singleuser base with `six==<six>`, as a new upstream tag would."""
    dockerfile = f"FROM {base}\nUSER root\nRUN pip install six=={six}\nUSER 1000\n"
    spec = BuildSpec(tag=name, context_tar=context_tar({"Dockerfile": dockerfile}))
    engine.build(spec, on_log=lambda _line: None)


def test_scheduled_rebuild_publishes_a_new_tag_only_when_packages_changed(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    github_standin: GitHubStandIn,
) -> None:
    github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, HUBS_YAML, "Hub configs")
    upstream = f"hie-test/upstream-base:{secrets.token_hex(4)}"
    upstream_release(docker_engine, singleuser_image, upstream, "1.16.0")
    repository = f"scheduled/rebuild-{secrets.token_hex(3)}"
    workdir = init_repo(tmp_path / "hub-image")
    commit_files(workdir, {"Dockerfile": f"FROM {upstream}\nRUN echo built\n"}, "image")
    values = {
        "image": f"{registry_htpasswd.host}/{repository}",
        "registry-username": registry_htpasswd.username,
        "registry-password": registry_htpasswd.password,
        "hub-config": CONFIG_PATH,
        "hubs": "staging",
        "bump-repository": CONFIG_REPO,
        "github-token": STANDIN_TOKEN,
    }

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
    upstream_release(docker_engine, singleuser_image, upstream, "1.17.0")
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
    upstream_release(docker_engine, singleuser_image, upstream, "1.15.0")
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
    for ref in (tag, dated, later):
        docker_engine.remove_image(f"{values['image']}:{ref}")
    docker_engine.remove_image(upstream)
