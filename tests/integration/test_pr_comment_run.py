"""`pr-comment` through the action, end to end: a pull request's image checked under its
hub's settings, pushed as pr-<N>, one comment on the pull request (GitHub stand-in) kept up to
date through pushes and a failed check, a fork left alone, and pr-<N> deleted on close (the
real registry, which allows manifest deletes)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from hubimage.engine import DockerEngine
from hubimage.tryout import MARKER
from support.action_runner import ActionRun, run_action
from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, config_repo_inputs
from support.github_standin import GitHubStandIn, payloads
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration

IMAGE_REPO = "my-org/hub-image"  # GITHUB_REPOSITORY of the action runner
FORK = "contributor/hub-image"
NUMBER = 7
# 2i2c's hub list of 2021, its staging hub running jupyterhub-fancy-profiles with an
# "Other..." image in its one profile (its options need `choices`, or the form breaks).
HUBS_YAML = """\
hubs:
  - name: staging
    domain: staging.hub.example.org
    template: base-hub
    config:
      jupyterhub:
        hub:
          extraConfig:
            01-fancy-profiles: |
              from jupyterhub_fancy_profiles import setup_ui
              setup_ui(c)
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
          profileList:
            - display_name: Small
              slug: small
              default: true
              profile_options:
                image:
                  display_name: Image
                  choices: {}
                  unlisted_choice:
                    enabled: true
                    display_name: Custom image
                    kubespawner_override:
                      image: "{value}"
"""
# What this run may skip: the browser and a second start are covered by the check tests.
SKIP = "landing-page,second-start"


@pytest.fixture
def standin(github_standin: GitHubStandIn) -> GitHubStandIn:
    github_standin.commit_file(CONFIG_REPO, "main", CONFIG_PATH, HUBS_YAML, "Hub configs")
    github_standin.add_repo(IMAGE_REPO, {"README.md": "The hub image\n"})
    github_standin.add_pull(IMAGE_REPO, NUMBER, "add-a-package", "alice")
    return github_standin


def image_repo(path: Path, base: str) -> Path:
    init_repo(path)
    commit_files(path, {"Dockerfile": f"FROM {base}\nRUN echo one > /tmp/change\n"}, "image")
    return path


def pull_request_run(
    workdir: Path,
    action: str,
    head_repo: str,
    registry: RunningRegistry,
    standin: GitHubStandIn,
    tmp_path: Path,
) -> ActionRun:
    """The action on a `pull_request` event of pull request NUMBER, with pr-comment."""
    pull = next(p for p in standin.repos[IMAGE_REPO].pulls if p.number == NUMBER)
    event = payloads.pull_request_event(
        payloads.GITHUB_COM, action, IMAGE_REPO, pull, head_repo=head_repo,
        head_sha="9b2f" * 10, base_sha="0d1a" * 10,
    )  # fmt: skip
    event_path = tmp_path / f"event-{action}-{len(list(tmp_path.iterdir()))}.json"
    event_path.write_text(json.dumps(event))
    inputs = {
        **config_repo_inputs(f"{registry.host}/pr/hub-image", registry),
        "hub-version": "6.1.1",
        "skip-checks": SKIP,
        "pr-comment": "true",
    }
    env = {"GITHUB_API_URL": standin.url, "GITHUB_EVENT_PATH": str(event_path)}
    return run_action(workdir, "pull_request", inputs, tmp_path, extra_env=env)


def our_comments(standin: GitHubStandIn) -> list[str]:
    return [c.body for c in standin.comments(IMAGE_REPO, NUMBER)]


def test_pushes_to_a_pull_request_keep_one_comment_and_closing_it_deletes_the_tag(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    standin: GitHubStandIn,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    first = pull_request_run(workdir, "opened", IMAGE_REPO, registry_htpasswd, standin, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    outputs = first.outputs
    assert (outputs["tag"], outputs["pushed"], outputs["pr-comment"]) == ("pr-7", "true", "created")
    assert outputs["bump-result"] == "skipped" and not standin.repos[CONFIG_REPO].pulls
    digest = served_digest(registry_htpasswd, "pr/hub-image", "pr-7")
    assert digest is not None and digest == outputs["digest"]
    [body] = our_comments(standin)
    assert body.startswith(MARKER) and digest in body
    # The staging hub's spawn form, opened with its profile, "Other..." and this image.
    link = "https://staging.hub.example.org/hub/login?next=/hub/spawn%23fancy-forms-config="
    assert link in body
    pinned = f"{registry_htpasswd.host}/pr/hub-image:pr-7@{digest}"
    assert quote(json.dumps(pinned)[1:-1], safe="") in body

    # A second push: the same comment, now naming the new digest.
    commit_files(workdir, {"Dockerfile": f"FROM {singleuser_image}\nRUN echo two > /tmp/c\n"})
    second = pull_request_run(
        workdir, "synchronize", IMAGE_REPO, registry_htpasswd, standin, tmp_path
    )
    assert second.returncode == 0, second.stderr[-3000:]
    assert second.outputs["pr-comment"] == "updated"
    new_digest = served_digest(registry_htpasswd, "pr/hub-image", "pr-7")
    assert new_digest not in (None, digest) and new_digest == second.outputs["digest"]
    [body] = our_comments(standin)
    assert new_digest in body and digest not in body

    # A push whose image runs as root: the comment says so; pr-7 stays what it was.
    as_root = f"FROM {singleuser_image}\nUSER root\n"
    commit_files(workdir, {"Dockerfile": as_root})
    failed = pull_request_run(
        workdir, "synchronize", IMAGE_REPO, registry_htpasswd, standin, tmp_path
    )
    assert failed.returncode == 1, failed.stderr[-3000:]
    assert failed.outputs["pushed"] == "false" and failed.outputs["pr-comment"] == "updated"
    [body] = our_comments(standin)
    assert "failed its checks: no tag was pushed" in body and "non-root-user" in body
    assert link not in body
    assert served_digest(registry_htpasswd, "pr/hub-image", "pr-7") == new_digest
    assert len(standin.calls("issues/create-comment")) == 1

    closed = pull_request_run(workdir, "closed", IMAGE_REPO, registry_htpasswd, standin, tmp_path)
    assert closed.returncode == 0, closed.stderr[-3000:]
    assert "::group::Build" not in closed.stderr
    assert served_digest(registry_htpasswd, "pr/hub-image", "pr-7") is None


def test_a_forks_pull_request_is_checked_but_gets_no_push_and_no_comment(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    standin: GitHubStandIn,
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    run = pull_request_run(workdir, "opened", FORK, registry_htpasswd, standin, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "pull request #7 comes from the fork contributor/hub-image" in run.stderr
    assert "::group::Check" in run.stderr
    assert run.outputs["pushed"] == "false" and run.outputs["pr-comment"] == ""
    assert served_digest(registry_htpasswd, "pr/hub-image", "pr-7") is None
    assert our_comments(standin) == []
    assert standin.calls("issues/list-comments") == []
