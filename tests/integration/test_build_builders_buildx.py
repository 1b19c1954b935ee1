"""Every builder on buildx, and no git credential in any image, whichever builder made it.

Real parts: the Docker engine with buildx, repo2docker's own buildx engine, a pangeo
stand-in base image with ONBUILD triggers, a distribution registry, git checkouts carrying
credentials the way actions/checkout and `git clone https://user:token@...` leave them.
"""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest
import repo2docker

from hubimage.engine import DockerEngine
from hubimage.imagebuild import BuildRequest, build_image
from support.action_runner import run_action
from support.fixture_images import build_cached
from support.gitrepo import commit_files, git, init_repo
from support.image_search import image_hits
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration
IMAGE = "hie-test/buildx-builders"
PANGEO_STANDIN = """\
FROM {base}
USER root
ONBUILD USER root
ONBUILD COPY --chown=1000:100 . /home/jovyan
ONBUILD RUN echo "pangeo trigger ran" > /srv/trigger
ONBUILD USER 1000
USER 1000
"""


@pytest.fixture(scope="module")
def pangeo_base(docker_engine: DockerEngine, singleuser_image: str) -> tuple[str, str]:
    ref = build_cached(
        docker_engine, "hie-pangeo-onbuild", PANGEO_STANDIN.format(base=singleuser_image)
    )
    name, tag = ref.rsplit(":", 1)
    return name, tag


def test_pangeo_triggers_fire_under_buildkit(
    docker_engine: DockerEngine, pangeo_base: tuple[str, str], tmp_path: Path, images: list[str]
) -> None:
    (tmp_path / "start").write_text('#!/bin/sh\nexec "$@"\n')
    (tmp_path / "notes.md").write_text("hello\n")
    images.append(f"{IMAGE}:pangeo")
    lines: list[str] = []
    request = BuildRequest(
        context=tmp_path,
        image=IMAGE,
        tag="pangeo",
        builder="pangeo",
        base_image=pangeo_base[0],
        base_tag=pangeo_base[1],
    )
    result = build_image(docker_engine, request, lines.append)
    assert result.backend == "buildx" and result.builder == "pangeo"
    assert any(line.startswith("#") and "[1/1] FROM" in line for line in lines)  # buildx output
    run = docker_engine.run(result.image, ["sh", "-c", "cat /srv/trigger; ls /home/jovyan"])
    assert run.output.split() == ["pangeo", "trigger", "ran", "notes.md", "start"]


def test_repo2docker_through_its_own_buildx_engine_checked_and_pushed(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
) -> None:
    repository = f"buildx/r2d-{secrets.token_hex(3)}"
    workdir = init_repo(tmp_path / "hub-image")
    dockerfile = f'FROM {singleuser_image}\nARG GREETING\nRUN echo "$GREETING" > /tmp/greeting\n'
    commit_files(workdir, {"binder/Dockerfile": dockerfile}, "binder")
    run = run_action(
        workdir,
        "push",
        {
            "image": f"{registry_htpasswd.host}/{repository}",
            "registry-username": registry_htpasswd.username,
            "registry-password": registry_htpasswd.password,
            "builder": "repo2docker",
            "build-args": "GREETING=hello-from-r2d-buildx",
            "bump-mode": "none",
        },
        tmp_path,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "build backend: buildx (" in run.stderr
    assert "Using DockerBuildPack builder" in run.stderr
    assert "Step 1/" not in run.stderr  # not the legacy builder's output
    assert run.outputs["pushed"] == "true"
    tag = run.outputs["tag"]
    assert run.outputs["digest"] == served_digest(registry_htpasswd, repository, tag)
    image = f"{registry_htpasswd.host}/{repository}:{tag}"
    assert docker_engine.run(image, ["cat", "/tmp/greeting"]).output == "hello-from-r2d-buildx\n"
    labels = docker_engine.require_image(image)["Config"]["Labels"]
    assert labels["repo2docker.version"] == repo2docker.__version__
    assert '"backend":"buildx"' in labels["io.hubimage.build"]
    docker_engine.remove_image(image)


def checkout_with_credentials(path: Path, files: dict[str, str]) -> list[str]:
    """A repository as actions/checkout leaves it, plus a token in the remote URL and a
    credential-store file; returns every form of the tokens to search for."""
    header_token, url_token, store_token = (f"ghs_{secrets.token_hex(12)}" for _ in range(3))
    init_repo(path)
    commit_files(path, files, "image")
    basic = base64.b64encode(f"x-access-token:{header_token}".encode()).decode()
    git(path, "config", "http.https://github.com/.extraheader", f"AUTHORIZATION: basic {basic}")
    git(path, "remote", "add", "origin", f"https://x-access-token:{url_token}@github.com/o/r")
    (path / ".git-credentials").write_text(f"https://user:{store_token}@github.com\n")
    return [header_token, basic, url_token, store_token]


COPY_ALL = "COPY . /srv/repo\n"


@pytest.mark.parametrize(
    ("builder", "backend"),
    [
        ("dockerfile", "buildx"),
        ("repo2docker", "buildx"),
        ("pangeo", "buildx"),
        ("dockerfile", "legacy"),
        ("repo2docker", "legacy"),
        ("pangeo", "legacy"),
    ],
)
def test_no_git_credential_reaches_the_image(
    builder: str,
    backend: str,
    docker_engine: DockerEngine,
    singleuser_image: str,
    pangeo_base: tuple[str, str],
    tmp_path: Path,
    images: list[str],
) -> None:
    root = tmp_path / "checkout"
    user_root = "USER root\n"
    files = {
        "dockerfile": {"Dockerfile": f"FROM {singleuser_image}\n{user_root}{COPY_ALL}"},
        "repo2docker": {"binder/Dockerfile": f"FROM {singleuser_image}\n{user_root}{COPY_ALL}"},
        "pangeo": {"start": '#!/bin/sh\nexec "$@"\n'},
    }[builder]
    tokens = checkout_with_credentials(root, files)
    config_before = (root / ".git" / "config").read_bytes()
    images.append(f"{IMAGE}:creds-{builder}-{backend}")
    lines: list[str] = []
    request = BuildRequest(
        context=root,
        image=IMAGE,
        tag=f"creds-{builder}-{backend}",
        builder=builder,  # type: ignore[arg-type]
        build_backend=backend,  # type: ignore[arg-type]
        base_image=pangeo_base[0],
        base_tag=pangeo_base[1],
    )
    result = build_image(docker_engine, request, lines.append)
    assert result.backend == backend
    assert any("carries git credentials" in line for line in lines)
    assert image_hits(docker_engine, result.image, tokens) == []
    # .git is still there, its config still a git config; the checkout itself is unchanged.
    where = "/home/jovyan" if builder == "pangeo" else "/srv/repo"
    shown = docker_engine.run(result.image, ["sh", "-c", f"cat {where}/.git/config"]).output
    assert "[core]" in shown and "https://github.com/o/r" in shown
    assert (root / ".git" / "config").read_bytes() == config_before
    assert (root / ".git-credentials").is_file()
