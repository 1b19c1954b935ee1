"""repo2docker as a library, end to end, through hubimage's engine plugin (no buildx)."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import entrypoints
import pytest
import repo2docker
from repo2docker.app import Repo2Docker

from hubimage.engine import DockerEngine
from hubimage.errors import BuildError
from hubimage.imagebuild import BuildRequest, build_image
from hubimage.imagebuild.strategies.r2d_engine import ENGINE_ATTRIBUTE, DockerSDKEngine
from support.gitrepo import commit_files, git, init_repo

# The legacy builder: buildx made unavailable to the process (tests/support/buildx_fixtures.py).
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_buildx")]
IMAGE = "hie-test/repo2docker"


def test_engine_plugin_is_registered() -> None:
    plugin = entrypoints.get_group_named("repo2docker.engines")["hubimage-docker-sdk"]
    assert plugin.load() is DockerSDKEngine


def test_binder_dockerfile_end_to_end(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path, images: list[str]
) -> None:
    repo = init_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", "https://github.com/org/hub-image.git")
    commit_files(
        repo,
        {
            "binder/Dockerfile": f"FROM {singleuser_image}\nRUN echo built-by-r2d > /tmp/marker\n",
            "requirements.txt": "not-read-because-binder-exists\n",
        },
    )
    images.append(f"{IMAGE}:e2e")
    lines: list[str] = []
    result = build_image(
        docker_engine,
        BuildRequest(
            context=repo,
            image=IMAGE,
            tag="e2e",
            builder="repo2docker",
            labels={"org.example.team": "geo"},
        ),
        lines.append,
    )
    assert result.builder == "repo2docker"
    assert "Using DockerBuildPack builder" in lines
    assert any(line.startswith("Step 2/") for line in lines)  # build output streamed
    run = docker_engine.run(result.image, ["sh", "-c", "id -u; cat /tmp/marker"])
    assert run.output.split() == ["1000", "built-by-r2d"]
    labels = docker_engine.require_image(result.image)["Config"]["Labels"]
    assert labels["repo2docker.version"] == repo2docker.__version__
    assert labels["org.opencontainers.image.source"] == "https://github.com/org/hub-image"
    assert labels["org.opencontainers.image.revision"] == git(repo, "rev-parse", "HEAD")
    assert labels["org.example.team"] == "geo"
    record = json.loads(labels["io.hubimage.build"])
    assert record["builder"] == "repo2docker" and record["buildpack"] == "DockerBuildPack"
    assert record["repo2docker"] == repo2docker.__version__
    assert record["config"] == "binder" and record["dirty"] is False


def test_failing_step_through_repo2docker(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path, images: list[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {singleuser_image}\nRUN echo r2d-out && false\n")
    images.append(f"{IMAGE}:fails")
    with pytest.raises(BuildError) as caught:
        build_image(
            docker_engine,
            BuildRequest(context=tmp_path, image=IMAGE, tag="fails", builder="repo2docker"),
            lambda _: None,
        )
    assert "Step 2/" in caught.value.message and "RUN echo r2d-out && false" in caught.value.message
    assert "r2d-out" in caught.value.log_tail


def test_plugin_builds_copy_chmod_classically(
    docker_engine: DockerEngine, debian_python_image: str, images: list[str]
) -> None:
    # repo2docker's generated Dockerfiles use COPY --chmod, which the classic builder lacks.
    dockerfile = f"FROM {debian_python_image}\nCOPY --chmod=0755 /hello /usr/local/bin/hello\n"
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, text, mode in (
            ("Dockerfile", dockerfile, 0o644),
            ("hello", "#!/bin/sh\necho hello-from-chmod\n", 0o600),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(text), mode
            tar.addfile(info, io.BytesIO(text.encode()))
    context.seek(0)
    app = Repo2Docker()
    setattr(app, ENGINE_ATTRIBUTE, docker_engine)
    engine = DockerSDKEngine(parent=app)
    images.append(f"{IMAGE}:chmod")
    lines = list(
        engine.build(
            fileobj=context,
            custom_context=True,
            tag=f"{IMAGE}:chmod",
            dockerfile="Dockerfile",
            buildargs={"NB_UID": "1000"},
        )
    )
    assert any("COPY /hello /usr/local/bin/hello" in line for line in lines)
    run = docker_engine.run(
        f"{IMAGE}:chmod", ["sh", "-c", "stat -c %a /usr/local/bin/hello; hello"], user="1000"
    )
    assert run.output.split() == ["755", "hello-from-chmod"]
    assert engine.inspect_image(f"{IMAGE}:chmod").tags == [f"{IMAGE}:chmod"]
