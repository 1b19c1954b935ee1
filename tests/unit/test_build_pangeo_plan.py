"""The pangeo strategy without Docker: base tags, warnings, the generated context."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from hubimage.errors import BuildInputError, ImageReferenceError
from hubimage.imagebuild import BuildRequest, inspect_context
from hubimage.imagebuild.strategies.pangeo import (
    GENERATED_DOCKERFILE,
    PangeoStrategy,
    generated_context,
    newest_calendar_tag,
    qualified_repository,
)

PANGEO_TAGS = ["master", "latest", "2025.12.30", "2026.01.21", "2026.01.09", "2026.1.30", "x"]


def context_with(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def request(tmp_path: Path, **options: object) -> BuildRequest:
    return BuildRequest(context=tmp_path, image="hie/pangeo", tag="t", builder="pangeo", **options)  # type: ignore[arg-type]


def test_newest_calendar_tag() -> None:
    assert newest_calendar_tag(PANGEO_TAGS) == "2026.01.21"
    assert newest_calendar_tag(["master", "latest"]) is None


def test_unpinned_base_tag_is_resolved_from_the_registry(tmp_path: Path) -> None:
    asked: list[str] = []

    def list_tags(repository: str) -> list[str]:
        asked.append(repository)
        return PANGEO_TAGS

    context = inspect_context(context_with(tmp_path, {"environment.yml": "x", "start": "x"}))
    prepared = PangeoStrategy(list_tags).prepare(request(tmp_path), context)
    assert asked == ["docker.io/pangeo/base-image"]  # FROM without a host means Docker Hub
    assert prepared.base == "pangeo/base-image:2026.01.21"
    assert prepared.dockerfile == "FROM pangeo/base-image:2026.01.21\n"
    assert prepared.inputs["base"] == "pangeo/base-image:2026.01.21"
    assert prepared.inputs["files"] == ["environment.yml", "start"]
    assert prepared.warnings == ()


def test_pinned_tag_and_other_base_need_no_registry(tmp_path: Path) -> None:
    context = inspect_context(context_with(tmp_path, {"binder/start": "x"}))
    options = {"base_image": "quay.io/pangeo/base-image", "base_tag": "2025.06.02"}
    prepared = PangeoStrategy(None).prepare(request(tmp_path, **options), context)
    assert prepared.base == "quay.io/pangeo/base-image:2025.06.02"
    assert qualified_repository("quay.io/pangeo/base-image") == "quay.io/pangeo/base-image"


def test_no_tag_and_no_registry_is_bad_input(tmp_path: Path) -> None:
    context = inspect_context(context_with(tmp_path, {"requirements.txt": "six\n"}))
    with pytest.raises(BuildInputError, match="no tag given for the pangeo base image"):
        PangeoStrategy(None).prepare(request(tmp_path), context)


def test_registry_without_calendar_tags_is_bad_input(tmp_path: Path) -> None:
    context = inspect_context(context_with(tmp_path, {"requirements.txt": "six\n"}))
    with pytest.raises(BuildInputError, match=r"no calendar tag \(YYYY.MM.DD\) among its 2"):
        PangeoStrategy(lambda _repo: ["master", "latest"]).prepare(request(tmp_path), context)


def test_base_image_with_a_tag_is_refused(tmp_path: Path) -> None:
    context = inspect_context(context_with(tmp_path, {"start": "x"}))
    with pytest.raises(ImageReferenceError, match="without tag"):
        PangeoStrategy(None).prepare(request(tmp_path, base_image="pangeo/base-image:x"), context)


def test_missing_start_is_a_warning(tmp_path: Path) -> None:
    context = inspect_context(context_with(tmp_path, {"binder/environment.yml": "x"}))
    prepared = PangeoStrategy(None).prepare(request(tmp_path, base_tag="2026.01.21"), context)
    assert len(prepared.warnings) == 1
    assert "no 'start' file" in prepared.warnings[0] and "/srv/start" in prepared.warnings[0]


def test_generated_context_honours_dockerignore_and_hides_the_dockerfile(tmp_path: Path) -> None:
    context_with(
        tmp_path,
        {".dockerignore": "# data\n*.nc\n", "start": "x", "big.nc": "x", "sub/keep.txt": "k"},
    )
    buffer = generated_context(inspect_context(tmp_path), "FROM base:1\n")
    with tarfile.open(fileobj=buffer) as tar:
        names = set(tar.getnames())
        ignore = tar.extractfile(".dockerignore").read().decode()  # type: ignore[union-attr]
        dockerfile = tar.extractfile(GENERATED_DOCKERFILE).read().decode()  # type: ignore[union-attr]
    assert {"start", "sub/keep.txt", GENERATED_DOCKERFILE}.issubset(names)
    assert "big.nc" not in names
    assert dockerfile == "FROM base:1\n"
    assert ignore.split() == ["*.nc", GENERATED_DOCKERFILE, ".dockerignore"]
