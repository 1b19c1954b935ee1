"""What repo2docker generates for conda and pip repositories, captured without building."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
import repo2docker

from hubimage.errors import BuildInputError
from hubimage.imagebuild import BuildRequest, capture_repo2docker, inspect_context
from hubimage.imagebuild.strategies.r2d_engine import without_copy_chmod
from hubimage.imagebuild.strategies.repo2docker import Repo2DockerStrategy

ENVIRONMENT_YML = "channels: [conda-forge]\ndependencies:\n  - python=3.12\n  - xarray\n"


def repository(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def capture(root: Path, **options: object):  # type: ignore[no-untyped-def]
    request = BuildRequest(context=root, image="hie/r2d", tag="t1", **options)  # type: ignore[arg-type]
    return capture_repo2docker(request, inspect_context(root, request.subdir))


def test_requirements_txt(tmp_path: Path) -> None:
    root = repository(tmp_path, {"requirements.txt": "six==1.16.0\n", "notebook.ipynb": "{}"})
    captured = capture(root, labels={"org.example.team": "geo"})
    dockerfile = captured.dockerfile
    assert dockerfile.lstrip().startswith("FROM docker.io/library/buildpack-deps:24.04")
    assert 'pip install --no-cache-dir -r "requirements.txt"' in dockerfile
    assert "COPY --chown=1000:1000 src/requirements.txt ${REPO_DIR}/requirements.txt" in dockerfile
    assert 'LABEL org.example.team="geo"' in dockerfile
    assert captured.files["src/requirements.txt"] == b"six==1.16.0\n"
    assert "src/notebook.ipynb" in captured.files
    assert "repo2docker-entrypoint" in captured.files


def test_always_jovyan_1000_in_srv_repo(tmp_path: Path) -> None:
    # repo2docker's own default is the caller's uid: 0 in CI containers, which it refuses.
    root = repository(tmp_path, {"requirements.txt": "six\n"})
    captured = capture(root, build_args={"EXTRA": "1"})
    assert captured.kwargs["buildargs"] == {
        "NB_USER": "jovyan",
        "NB_UID": "1000",
        "REPO_DIR": "/srv/repo",
        "EXTRA": "1",
    }
    assert captured.kwargs["tag"] == "hie/r2d:t1"


def test_environment_yml_in_binder(tmp_path: Path) -> None:
    root = repository(
        tmp_path,
        {"binder/environment.yml": ENVIRONMENT_YML, "binder/postBuild": "#!/bin/sh\necho hi\n"},
    )
    captured = capture(root, cache_from=("quay.io/org/img:previous",))
    dockerfile = captured.dockerfile
    assert "COPY --chown=1000:1000 src/binder/environment.yml" in dockerfile
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "binder/environment.yml"' in dockerfile
    # python=3.12 in environment.yml selects repo2docker's 3.12 base environment
    assert "environment-2epy-2d3-2e12-2dlinux-2d64-2elock" in dockerfile
    assert "binder/postBuild" in dockerfile
    assert captured.files["src/binder/environment.yml"].decode() == ENVIRONMENT_YML
    assert captured.kwargs["cache_from"] == ["quay.io/org/img:previous"]


def test_subdir_and_appendix(tmp_path: Path) -> None:
    root = repository(tmp_path, {"images/geo/requirements.txt": "six\n", "README.md": "top\n"})
    captured = capture(root, subdir="images/geo", appendix="RUN echo appendix-was-here")
    assert "RUN echo appendix-was-here" in captured.dockerfile
    assert "src/requirements.txt" in captured.files
    assert "src/README.md" not in captured.files  # only the subdir is the repository


def test_inputs_record_version_and_buildpack(tmp_path: Path) -> None:
    root = repository(tmp_path, {"environment.yml": ENVIRONMENT_YML})
    request = BuildRequest(context=root, image="hie/r2d", tag="t")
    prepared = Repo2DockerStrategy().prepare(request, inspect_context(root))
    inputs = json.loads(json.dumps(prepared.inputs))
    assert inputs["repo2docker"] == repo2docker.__version__
    assert inputs["buildpack"] == "CondaBuildPack"
    assert inputs["user"] == "jovyan:1000"


def test_no_environment_files_warns(tmp_path: Path) -> None:
    root = repository(tmp_path, {"README.md": "hi\n"})
    request = BuildRequest(context=root, image="hie/r2d", tag="t")
    prepared = Repo2DockerStrategy().prepare(request, inspect_context(root))
    assert any("default Python environment" in warning for warning in prepared.warnings)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"repo2docker_version": "2023.6.0"}, "2023.6.0 was asked for"),
        ({"user_id": 0}, "must not be root"),
        ({"user_name": "Bad Name"}, "not a valid Linux user name"),
        ({"target_repo_dir": "srv/repo"}, "must be absolute"),
        ({"target": "final"}, "needs a Dockerfile"),
    ],
)
def test_bad_options(tmp_path: Path, options: dict[str, object], message: str) -> None:
    root = repository(tmp_path, {"requirements.txt": "six\n"})
    request = BuildRequest(context=root, image="hie/r2d", tag="t", **options)  # type: ignore[arg-type]
    with pytest.raises(BuildInputError, match=message):
        Repo2DockerStrategy().prepare(request, inspect_context(root))


def test_copy_chmod_becomes_file_modes_for_the_classic_builder(tmp_path: Path) -> None:
    root = repository(tmp_path, {"requirements.txt": "six\n"})
    captured = capture(root)
    assert "COPY --chmod=0755 /repo2docker-entrypoint" in captured.dockerfile
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, data in captured.files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    context.seek(0)
    with tarfile.open(fileobj=without_copy_chmod(context, "Dockerfile")) as tar:
        modes = {member.name: member.mode for member in tar.getmembers()}
        dockerfile = tar.extractfile("Dockerfile").read().decode()  # type: ignore[union-attr]
    assert "--chmod" not in dockerfile
    assert "COPY /repo2docker-entrypoint /usr/local/bin/repo2docker-entrypoint" in dockerfile
    assert modes["repo2docker-entrypoint"] == modes["python3-login"] == 0o755
    assert modes["src/requirements.txt"] == 0o644
