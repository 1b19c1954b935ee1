"""image-tests: a repository's image-tests/ run inside the image, as the hub's user."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubimage.check import CheckOptions, run_checks
from hubimage.engine import DockerEngine
from support import bad_images

pytestmark = pytest.mark.integration

# Runs in the image: proves it is the image's Python, as uid 1000, with a writable home.
PASSING_TEST = """\
import os, pathlib, sys

def test_runs_inside_the_image_as_the_hub_user():
    assert sys.prefix == "/opt/venv"
    assert os.getuid() == 1000 and os.getgid() == 100
    (pathlib.Path.home() / "scratch.txt").write_text("ok")

def test_jupyterhub_is_importable():
    import jupyterhub
    assert jupyterhub.__version__
"""

FAILING_TEST = """\
def test_a_package_the_image_lacks():
    import hubimage_no_such_package  # noqa: F401
"""


def notebook(source: str) -> str:
    return json.dumps(
        {
            "cells": [
                {
                    "cell_type": "code",
                    "execution_count": None,
                    "id": "c1",
                    "metadata": {},
                    "outputs": [],
                    "source": source,
                }
            ],
            "metadata": {
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
            },
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


def context_with(tmp_path: Path, files: dict[str, str]) -> Path:
    """A repository folder readable by uid 1000 (pytest's tmp_path is private to root)."""
    tests = tmp_path / "repo" / "image-tests"
    tests.mkdir(parents=True)
    for name, text in files.items():
        (tests / name).write_text(text)
        (tests / name).chmod(0o644)
    for folder in (tests, tests.parent):
        folder.chmod(0o755)
    return tests.parent


@pytest.fixture(scope="module")
def pytest_image(docker_engine: DockerEngine, singleuser_image: str) -> str:
    return bad_images.with_pytest(docker_engine, singleuser_image)


def run_image_tests(engine: DockerEngine, image: str, context: Path) -> tuple[str, str, dict]:
    report = run_checks(engine, image, CheckOptions(context=context, only=("image-tests",)))
    (result,) = report.results
    return result.status, result.summary, dict(result.details)


def test_passing_tests_and_notebook_pass(
    docker_engine: DockerEngine, pytest_image: str, tmp_path: Path
) -> None:
    context = context_with(
        tmp_path,
        {
            "test_x.py": PASSING_TEST,
            "demo.ipynb": notebook("import jupyterhub\nprint(1 + 1)"),
        },
    )
    status, summary, details = run_image_tests(docker_engine, pytest_image, context)
    assert status == "pass", (summary, details)
    assert "2 passed" in summary
    assert "1 notebook(s) executed" in summary


def test_failing_test_and_notebook_fail_with_their_output(
    docker_engine: DockerEngine, pytest_image: str, tmp_path: Path
) -> None:
    context = context_with(
        tmp_path,
        {
            "test_x.py": FAILING_TEST,
            "broken.ipynb": notebook("raise ValueError('broken notebook')"),
        },
    )
    status, summary, details = run_image_tests(docker_engine, pytest_image, context)
    assert status == "fail"
    assert "1 failed" in summary
    assert "broken.ipynb" in summary
    assert any("hubimage_no_such_package" in line for line in details["pytest_log_tail"])
    assert details["notebooks_failed"] == ["broken.ipynb"]


def test_missing_pytest_fails_with_a_hint(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    context = context_with(tmp_path, {"test_x.py": PASSING_TEST})
    report = run_checks(
        docker_engine, singleuser_image, CheckOptions(context=context, only=("image-tests",))
    )
    (result,) = report.results
    assert result.status == "fail"
    assert "no `pytest`" in result.summary
    assert result.hint is not None and "add pytest" in result.hint


def test_missing_nbconvert_only_warns(
    docker_engine: DockerEngine, debian_python_image: str, tmp_path: Path
) -> None:
    image = bad_images.no_jupyterhub(docker_engine, debian_python_image)
    context = context_with(tmp_path, {"demo.ipynb": notebook("print(1)")})
    status, summary, _ = run_image_tests(docker_engine, image, context)
    assert status == "warn"
    assert "nbconvert" in summary


def test_context_without_image_tests_skips(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    status, summary, _ = run_image_tests(docker_engine, singleuser_image, tmp_path)
    assert status == "skip"
    assert "image-tests/" in summary


# Read on the host, never in the image: a test that can read it proves a host folder leaked.
HOST_SECRET_TEST = """\
import pathlib

def test_reads_the_host_folder():
    assert pathlib.Path(__file__).with_name("host-secret.txt").read_text() == "host secret"
"""


def host_folder(tmp_path: Path) -> Path:
    """A folder outside the repository, readable by uid 1000, holding a test and a secret."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "test_host.py").write_text(HOST_SECRET_TEST)
    (outside / "host-secret.txt").write_text("host secret")
    for path in (outside, *outside.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return outside


def test_image_tests_linked_to_a_host_folder_is_refused(
    docker_engine: DockerEngine, pytest_image: str, tmp_path: Path
) -> None:
    # Fails on b3ac158: the link was resolved and the host folder mounted and run.
    context = tmp_path / "repo"
    context.mkdir()
    context.chmod(0o755)
    (context / "image-tests").symlink_to(host_folder(tmp_path), target_is_directory=True)
    status, summary, details = run_image_tests(docker_engine, pytest_image, context)
    assert status == "fail", summary
    assert "image-tests is a symbolic link that leaves the build context" in summary
    assert details["link"] == "image-tests"


def test_link_inside_image_tests_leaving_the_context_is_refused(
    docker_engine: DockerEngine, pytest_image: str, tmp_path: Path
) -> None:
    context = context_with(tmp_path, {"test_x.py": PASSING_TEST})
    (context / "image-tests" / "data").symlink_to(host_folder(tmp_path))
    status, summary, details = run_image_tests(docker_engine, pytest_image, context)
    assert status == "fail", summary
    assert details["link"] == "image-tests/data"


def test_link_inside_the_context_is_allowed(
    docker_engine: DockerEngine, pytest_image: str, tmp_path: Path
) -> None:
    context = context_with(tmp_path, {"test_x.py": PASSING_TEST})
    (context / "shared.txt").write_text("inside\n")
    (context / "shared.txt").chmod(0o644)
    (context / "image-tests" / "shared.txt").symlink_to("../shared.txt")
    status, summary, _ = run_image_tests(docker_engine, pytest_image, context)
    assert status == "pass", summary
