"""Build contexts: binder folders, empty contexts, and which strategy `auto` picks."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.errors import BuildInputError
from hubimage.imagebuild import inspect_context, select_strategy


def make(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_empty_context_names_the_folder(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # a checkout with nothing in it is still empty
    with pytest.raises(BuildInputError, match=f"{tmp_path} is empty"):
        inspect_context(tmp_path)


def test_missing_context(tmp_path: Path) -> None:
    with pytest.raises(BuildInputError, match="not a directory"):
        inspect_context(tmp_path / "nope")


def test_binder_and_dotbinder_together_are_refused(tmp_path: Path) -> None:
    make(tmp_path, {"binder/requirements.txt": "six\n", ".binder/requirements.txt": "six\n"})
    with pytest.raises(BuildInputError, match=r"both binder/ and \.binder/"):
        inspect_context(tmp_path)


@pytest.mark.parametrize("folder", ["binder", ".binder"])
def test_binder_folder_holds_the_configuration(tmp_path: Path, folder: str) -> None:
    make(tmp_path, {f"{folder}/environment.yml": "dependencies: []\n", "README.md": "hi\n"})
    context = inspect_context(tmp_path)
    assert context.config_dir == tmp_path.resolve() / folder
    assert context.config_dir_name == folder
    assert context.config_file("environment.yml") is not None


def test_subdir_is_the_context(tmp_path: Path) -> None:
    make(tmp_path, {"images/hub/requirements.txt": "six\n"})
    context = inspect_context(tmp_path, "images/hub")
    assert context.root == (tmp_path / "images/hub").resolve()
    with pytest.raises(BuildInputError, match="inside the build context"):
        inspect_context(tmp_path, "../elsewhere")
    with pytest.raises(BuildInputError, match="not a directory"):
        inspect_context(tmp_path, "images/other")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"Dockerfile": "FROM x\n"}, "dockerfile"),
        ({"binder/Dockerfile": "FROM x\n", "requirements.txt": "six\n"}, "dockerfile"),
        ({"requirements.txt": "six\n"}, "repo2docker"),
        ({"environment.yml": "dependencies: []\n", "start": "#!/bin/sh\n"}, "repo2docker"),
        ({"conda-lock.yml": "version: 1\n", "start": "#!/bin/sh\n"}, "pangeo"),
        ({".binder/conda-lock.yml": "version: 1\n"}, "pangeo"),
        # With binder/ present, a Dockerfile at the top is not the configuration.
        ({"Dockerfile": "FROM x\n", "binder/requirements.txt": "six\n"}, "repo2docker"),
        ({"README.md": "nothing to install\n"}, "repo2docker"),
    ],
)
def test_auto_detection_order(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    context = inspect_context(make(tmp_path, files))
    assert select_strategy("auto", context).name == expected


def test_explicit_builder_wins(tmp_path: Path) -> None:
    context = inspect_context(make(tmp_path, {"Dockerfile": "FROM x\n"}))
    assert select_strategy("pangeo", context).name == "pangeo"


def test_unknown_builder_is_bad_input(tmp_path: Path) -> None:
    context = inspect_context(make(tmp_path, {"Dockerfile": "FROM x\n"}))
    with pytest.raises(BuildInputError, match="unknown builder 'kaniko'"):
        select_strategy("kaniko", context)
