"""The Docker engine and the images built from it, as pytest fixtures.

Integration tests skip when no engine is reachable; with HUBIMAGE_REQUIRE_DOCKER=1 (set by
.ci/run) that skip becomes a failure, so CI can never pass without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import EngineError
from support import fixture_images


@pytest.fixture(scope="session")
def docker_engine() -> DockerEngine:
    try:
        return DockerEngine()
    except EngineError as error:
        reason = f"no Docker engine reachable: {error.message}"
        if os.environ.get("HUBIMAGE_REQUIRE_DOCKER") == "1":
            pytest.fail(f"{reason} (HUBIMAGE_REQUIRE_DOCKER=1 makes this a failure)")
        pytest.skip(reason)


@pytest.fixture
def images(docker_engine: DockerEngine) -> Iterator[list[str]]:
    """References the test builds (it appends them); removed from the engine afterwards."""
    built: list[str] = []
    yield built
    for ref in built:
        docker_engine.remove_image(ref)


@pytest.fixture(scope="session")
def debian_python_image(docker_engine: DockerEngine) -> str:
    """Debian bookworm minbase with python3 and venv (debootstrap + docker import)."""
    return fixture_images.debian_python_image(docker_engine)


@pytest.fixture(scope="session")
def singleuser_image(docker_engine: DockerEngine) -> str:
    """A good hub image: current JupyterHub single-user server, user jovyan uid 1000 gid 100."""
    return fixture_images.singleuser_image(docker_engine)


@pytest.fixture(scope="session")
def singleuser_previous_major_image(docker_engine: DockerEngine) -> str:
    """Like `singleuser_image` with JupyterHub one major version behind."""
    return fixture_images.singleuser_image(
        docker_engine, jupyterhub_version=fixture_images.JUPYTERHUB_PREVIOUS_MAJOR
    )


@pytest.fixture(scope="session")
def python_base_image(docker_engine: DockerEngine) -> str:
    """A stand-in for `python:3.12-slim`: Debian + python3 + venv, pip working in builds."""
    return fixture_images.python_base_image(docker_engine)
