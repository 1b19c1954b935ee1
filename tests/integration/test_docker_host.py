"""DOCKER_HOST is honoured: `hubimage check` and `build` talk to the engine it names.

The engine is reached through a counting relay (loopback TCP, or a unix socket in tmp_path)
in front of the real engine's socket; the work must succeed and must have gone through it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest

from hubimage.engine import DockerEngine
from support.engine_relay import DEFAULT_ENGINE_SOCKET, EngineRelay

Transport = Literal["tcp", "unix"]
BUILT_IMAGE = "hii-docker-host/img"
_ENGINE_VARIABLES = ("DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "DOCKER_CONTEXT")


@pytest.fixture(params=["tcp", "unix"])
def relay(
    docker_engine: DockerEngine, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[EngineRelay]:
    if not DEFAULT_ENGINE_SOCKET.is_socket():
        pytest.skip(f"the relay forwards to {DEFAULT_ENGINE_SOCKET}, which is not here")
    transport: Transport = request.param
    if transport == "tcp":
        made = EngineRelay.on_tcp(lifetime=90)
    else:
        made = EngineRelay.on_unix(tmp_path / "engine.sock", lifetime=90)
    with made:
        yield made


def hubimage_via(
    docker_host: str, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k not in _ENGINE_VARIABLES}
    environment["DOCKER_HOST"] = docker_host
    return subprocess.run(
        [sys.executable, "-m", "hubimage", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.integration
def test_check_goes_through_docker_host(relay: EngineRelay, singleuser_image: str) -> None:
    only = ("--only", "singleuser-command", "--only", "server-starts")
    done = hubimage_via(relay.docker_host, "check", singleuser_image, *only, "--json")
    assert done.returncode == 0, done.stderr
    statuses = {r["name"]: r["status"] for r in json.loads(done.stdout)["results"]}
    assert statuses == {"singleuser-command": "pass", "server-starts": "pass"}
    assert relay.connections > 0
    assert relay.requests_to("/containers/create"), relay.requests
    assert relay.requests_to("/wait"), relay.requests


# What each builder sends the engine: the Engine API's classic build, or BuildKit's gRPC over
# the engine's upgraded connection (docker buildx build, the docker driver).
BUILD_ENDPOINTS = {"legacy": "/build", "buildx": "/grpc"}


@pytest.mark.integration
@pytest.mark.parametrize("build_engine", ["buildx", "legacy"])
def test_build_goes_through_docker_host(
    docker_engine: DockerEngine,
    relay: EngineRelay,
    singleuser_image: str,
    tmp_path: Path,
    build_engine: str,
) -> None:
    context = tmp_path / "repo"
    context.mkdir()
    marker = secrets.token_hex(8)  # a new layer, so the build cannot be a no-op
    (context / "Dockerfile").write_text(f"FROM {singleuser_image}\nRUN echo {marker} > /tmp/m\n")
    tag = f"t-{marker[:8]}"
    try:
        args = ("build", str(context), "--image", BUILT_IMAGE, "--tag", tag, "--json")
        done = hubimage_via(relay.docker_host, *args, "--build-engine", build_engine)
        assert done.returncode == 0, done.stderr
        built = json.loads(done.stdout)
        assert built["engine"] == build_engine
        assert relay.requests_to(BUILD_ENDPOINTS[build_engine]), relay.requests
        assert docker_engine.require_image(f"{BUILT_IMAGE}:{tag}")["Id"] == built["image-id"]
    finally:
        docker_engine.remove_image(f"{BUILT_IMAGE}:{tag}")


@pytest.mark.integration
def test_a_docker_host_nobody_listens_on_is_an_error_not_the_default_engine(
    relay: EngineRelay, singleuser_image: str
) -> None:
    relay.stop()  # the address stays the same, but nothing answers there any more
    done = hubimage_via(relay.docker_host, "check", singleuser_image, "--json")
    assert done.returncode != 0
    assert "cannot reach a Docker engine" in done.stderr + done.stdout
