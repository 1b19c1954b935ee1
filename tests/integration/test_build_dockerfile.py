"""Real Dockerfile builds: build args and target, labels, streaming, failures, cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import BuildError, BuildInputError
from hubimage.imagebuild import BuildRequest, build_image, compute_tag
from support.gitrepo import commit_files, git, init_repo

# The legacy builder: buildx made unavailable to the process (tests/support/buildx_fixtures.py).
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_buildx")]
IMAGE = "hie-test/dockerfile"


def request(context: Path, tag: str, images: list[str], **options: object) -> BuildRequest:
    images.append(f"{IMAGE}:{tag}")
    return BuildRequest(context=context, image=IMAGE, tag=tag, **options)  # type: ignore[arg-type]


def multistage(base: str) -> str:
    return (
        f'FROM {base} AS base\nARG GREETING=hi\nRUN echo "$GREETING" > /greeting\n'
        "FROM base AS final\nRUN touch /final\n"
    )


def test_build_args_target_tag_and_labels(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path, images: list[str]
) -> None:
    repo = init_repo(tmp_path / "repo")
    git(repo, "remote", "add", "origin", "git@github.com:org/hub-image.git")
    head = commit_files(repo, {"image/Dockerfile": multistage(debian_python_image)})
    commit_files(repo, {"README.md": "not the image\n"})
    tag = compute_tag(repo / "image")
    lines: list[str] = []
    result = build_image(
        docker_engine,
        request(
            repo / "image",
            tag,
            images,
            build_args={"GREETING": "hello-hub"},
            target="base",
            labels={"org.example.team": "geo"},
        ),
        lines.append,
    )
    assert result.builder == "dockerfile" and result.image == f"{IMAGE}:{tag}"
    assert head.startswith(tag)
    assert any(line.startswith("Step 3/") and "RUN echo" in line for line in lines)
    assert docker_engine.run(result.image, ["cat", "/greeting"]).output.strip() == "hello-hub"
    assert docker_engine.run(result.image, ["test", "-e", "/final"]).exit_code == 1  # target
    labels = docker_engine.require_image(result.image)["Config"]["Labels"]
    assert labels["org.opencontainers.image.source"] == "https://github.com/org/hub-image"
    assert labels["org.opencontainers.image.revision"] == git(repo, "rev-parse", "HEAD")
    assert labels["org.opencontainers.image.created"].endswith("Z")
    assert labels["org.example.team"] == "geo"
    record = json.loads(labels["io.hubimage.build"])
    assert record["builder"] == "dockerfile" and record["target"] == "base"
    assert record["build_args"] == ["GREETING"] and record["context"] == "image"
    assert "hello-hub" not in labels["io.hubimage.build"]  # build-arg values stay out
    assert result.labels == labels
    assert docker_engine.require_image(result.image)["Id"] == result.image_id


def test_dockerfile_in_binder(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path, images: list[str]
) -> None:
    (tmp_path / "binder").mkdir()
    (tmp_path / "binder" / "Dockerfile").write_text(
        f"FROM {debian_python_image}\nCOPY binder/data.txt /data.txt\n"
    )
    (tmp_path / "binder" / "data.txt").write_text("from binder\n")
    result = build_image(docker_engine, request(tmp_path, "binder", images), lambda _: None)
    assert docker_engine.run(result.image, ["cat", "/data.txt"]).output == "from binder\n"
    assert json.loads(result.labels["io.hubimage.build"])["dockerfile"] == "binder/Dockerfile"


def test_failed_step_is_named_with_its_last_lines(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path, images: list[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(
        f"FROM {debian_python_image}\nRUN echo earlier-step-output\n"
        "RUN echo one && echo two-before-failing && false\n"
    )
    with pytest.raises(BuildError) as caught:
        build_image(docker_engine, request(tmp_path, "fails", images), lambda _: None)
    error = caught.value
    assert "Step 3/" in error.message and "RUN echo one && echo two-before-failing" in error.message
    assert "returned a non-zero code: 1" in error.message
    assert "two-before-failing" in error.log_tail
    assert "earlier-step-output" not in error.log_tail  # only the failing step's lines
    assert docker_engine.inspect_image(f"{IMAGE}:fails") is None


def test_unknown_instruction_is_bad_input_before_building(
    tmp_path: Path, images: list[str], docker_engine: DockerEngine
) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPPY . /srv\n")
    lines: list[str] = []
    with pytest.raises(BuildInputError, match="line 2: unknown instruction 'COPPY'") as caught:
        build_image(docker_engine, request(tmp_path, "typo", images), lines.append)
    assert str(tmp_path / "Dockerfile") in caught.value.message
    assert not any(line.startswith("Step") for line in lines)


def test_engine_parse_error_is_bad_input(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path, images: list[str]
) -> None:
    # Passes hubimage's own check; the engine's parser refuses it.
    (tmp_path / "Dockerfile").write_text(f"FROM {debian_python_image}\nEXPOSE\n")
    with pytest.raises(BuildInputError, match="EXPOSE requires at least one argument") as caught:
        build_image(docker_engine, request(tmp_path, "parse", images), lambda _: None)
    assert str(tmp_path / "Dockerfile") in caught.value.message


def test_cache_from_reaches_the_engine(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path, images: list[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {debian_python_image}\nRUN date +%N > /stamp\n")
    first = build_image(docker_engine, request(tmp_path, "c1", images), lambda _: None)

    def stamp_step_cached(cache_from: tuple[str, ...], tag: str) -> bool:
        lines: list[str] = []
        build_image(
            docker_engine, request(tmp_path, tag, images, cache_from=cache_from), lines.append
        )
        step = lines.index(next(line for line in lines if "RUN date" in line))
        return "Using cache" in lines[step + 1]

    assert stamp_step_cached((first.image,), "c2")
    # Given cache sources, the classic builder uses only them: an unrelated one misses.
    assert not stamp_step_cached((debian_python_image,), "c3")


@pytest.mark.parametrize(
    ("files", "options", "message"),
    [
        ({}, {}, "is empty"),
        ({"binder/Dockerfile": "FROM x\n", ".binder/Dockerfile": "FROM x\n"}, {}, "both binder/"),
        ({"Dockerfile": "FROM x\n"}, {"builder": "buildah"}, "unknown builder 'buildah'"),
        ({"requirements.txt": "six\n"}, {"builder": "dockerfile"}, "no Dockerfile in"),
        ({"Dockerfile": "FROM x AS a\n"}, {"target": "b"}, "'b' is not a stage"),
    ],
)
def test_bad_input_builds_nothing(
    docker_engine: DockerEngine,
    tmp_path: Path,
    images: list[str],
    files: dict[str, str],
    options: dict[str, object],
    message: str,
) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    lines: list[str] = []
    with pytest.raises(BuildInputError, match=message) as caught:
        build_image(docker_engine, request(tmp_path, "bad", images, **options), lines.append)
    assert caught.value.exit_code == 2
    assert lines == [] and docker_engine.inspect_image(f"{IMAGE}:bad") is None
