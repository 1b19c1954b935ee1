"""hubimage talks to the engine the docker CLI talks to: the one DOCKER_HOST names, else
the CLI's current context (Colima, Docker Desktop and rootless Docker make their own), and
buildx keeps the user's builder when hubimage hands it a registry login.

The engine is reached through a counting relay (loopback TCP, or a unix socket in tmp_path)
in front of the real engine's socket; the work must succeed and must have gone through it.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Literal

import pytest

from hubimage.engine import DockerEngine
from hubimage.imagebuild.buildx import registry_auth
from support.action_runner import HUBIMAGE_RUN, action_environment
from support.engine_relay import DEFAULT_ENGINE_SOCKET, EngineRelay
from support.registry_fixtures import RunningRegistry, served_digest
from support.runner_files import parse_output_file

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


def without_engine_variables(environment: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in environment.items() if k not in _ENGINE_VARIABLES}


def hubimage_with(engine: Mapping[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`hubimage ARGS` with only `engine`'s variables choosing the engine."""
    return subprocess.run(
        [sys.executable, "-m", "hubimage", *args],
        capture_output=True,
        text=True,
        env={**without_engine_variables(os.environ), **engine},
        timeout=120,
        check=False,
    )


def hubimage_via(docker_host: str, *args: str) -> subprocess.CompletedProcess[str]:
    return hubimage_with({"DOCKER_HOST": docker_host}, *args)


CONTEXT = "hubimage-relay"


@pytest.fixture
def cli_config(relay: EngineRelay, tmp_path: Path) -> Path:
    """A Docker config folder of the user's own, with a context whose engine is the relay."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    docker_cli(folder, "context", "create", CONTEXT, "--docker", f"host={relay.docker_host}")
    return folder


def docker_cli(config: Path, *args: str) -> None:
    environment = {**without_engine_variables(os.environ), "DOCKER_CONFIG": str(config)}
    subprocess.run(["docker", *args], env=environment, check=True, capture_output=True)


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
@pytest.mark.parametrize("build_backend", ["buildx", "legacy"])
def test_build_goes_through_docker_host(
    docker_engine: DockerEngine,
    relay: EngineRelay,
    singleuser_image: str,
    tmp_path: Path,
    build_backend: str,
) -> None:
    context = tmp_path / "repo"
    context.mkdir()
    marker = secrets.token_hex(8)  # a new layer, so the build cannot be a no-op
    (context / "Dockerfile").write_text(f"FROM {singleuser_image}\nRUN echo {marker} > /tmp/m\n")
    tag = f"t-{marker[:8]}"
    try:
        args = ("build", str(context), "--image", BUILT_IMAGE, "--tag", tag, "--json")
        done = hubimage_via(relay.docker_host, *args, "--build-backend", build_backend)
        assert done.returncode == 0, done.stderr
        built = json.loads(done.stdout)
        assert built["backend"] == build_backend
        assert relay.requests_to(BUILD_ENDPOINTS[build_backend]), relay.requests
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


@pytest.mark.integration
def test_check_follows_the_clis_current_context(
    relay: EngineRelay, cli_config: Path, singleuser_image: str
) -> None:
    docker_cli(cli_config, "context", "use", CONTEXT)
    engine = {"DOCKER_CONFIG": str(cli_config)}
    done = hubimage_with(engine, "check", singleuser_image, "--only", "singleuser-command")
    assert done.returncode == 0, done.stderr
    assert relay.requests_to("/containers/create"), relay.requests


@pytest.mark.integration
def test_docker_host_wins_over_the_context_as_in_the_cli(
    relay: EngineRelay, cli_config: Path, singleuser_image: str
) -> None:
    docker_cli(cli_config, "context", "use", CONTEXT)
    engine = {"DOCKER_CONFIG": str(cli_config), "DOCKER_HOST": f"unix://{DEFAULT_ENGINE_SOCKET}"}
    done = hubimage_with(engine, "check", singleuser_image, "--only", "singleuser-command")
    assert done.returncode == 0, done.stderr
    assert not relay.requests, relay.requests


@pytest.mark.integration
def test_a_context_that_is_not_there_is_an_error_naming_it(singleuser_image: str) -> None:
    engine = {"DOCKER_CONTEXT": "no-such-context"}
    done = hubimage_with(engine, "check", singleuser_image, "--only", "singleuser-command")
    assert done.returncode != 0
    assert "docker context 'no-such-context' is not there" in done.stderr


@pytest.mark.integration
def test_buildx_keeps_the_users_context_when_hubimage_logs_it_in(
    relay: EngineRelay,
    cli_config: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    tmp_path: Path,
) -> None:
    """The registry login hubimage hands buildx is a Docker config folder of its own; the
    context the user's config names current must still be found there."""
    docker_cli(cli_config, "context", "use", CONTEXT)
    workdir = tmp_path / "hub-image"
    workdir.mkdir()
    marker = secrets.token_hex(8)
    (workdir / "Dockerfile").write_text(f"FROM {singleuser_image}\nRUN echo {marker} > /tmp/m\n")
    inputs = {
        "context": ".",
        "image": f"{registry_htpasswd.host}/e2e/users-builder",
        "registry-username": registry_htpasswd.username,
        "registry-password": registry_htpasswd.password,
        "check": "false",
        "tag": f"t-{marker}",
    }
    env, output, _ = action_environment(workdir, "push", inputs, tmp_path)
    env = {**without_engine_variables(env), "DOCKER_CONFIG": str(cli_config)}
    done = subprocess.run(
        HUBIMAGE_RUN, cwd=workdir, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert relay.requests_to("/grpc"), relay.requests  # BuildKit's session, on that builder
    served = served_digest(registry_htpasswd, "e2e/users-builder", f"t-{marker}")
    assert served is not None and parse_output_file(output)["digest"] == served


@pytest.mark.integration
def test_the_login_config_keeps_the_users_buildx_builder(
    docker_engine: DockerEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker/setup-buildx-action creates a builder and `buildx use`s it (recorded in the
    config folder's buildx/); buildx, logged in by hubimage, still builds with that one."""
    folder = tmp_path / "docker-config"
    folder.mkdir()
    # Not booted: the record is enough for `inspect`, no BuildKit image is pulled.
    docker_cli(folder, "buildx", "create", "--name", "users-builder", "--driver",
               "docker-container", "--use")  # fmt: skip
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    with registry_auth({"registry.example.org": ("robot", secrets.token_hex(8))}) as env:
        inspected = subprocess.run(
            ["docker", "buildx", "inspect"],
            env={**without_engine_variables(os.environ), **env},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        own = json.loads((Path(env["DOCKER_CONFIG"]) / "config.json").read_text())
    assert inspected.splitlines()[0].split() == ["Name:", "users-builder"]
    assert "docker-container" in inspected
    assert own["credHelpers"] == {
        "registry.example.org": own["credHelpers"]["registry.example.org"]
    }


@pytest.mark.integration
def test_the_engine_client_speaks_an_api_version_the_engine_serves(
    docker_engine: DockerEngine,
) -> None:
    # Docker 29 refuses API versions below 1.44: hubimage's client must stay at or above
    # the floor of the engine it talks to (and not above what the engine speaks).
    served = docker_engine.client.version()
    ours = tuple(int(part) for part in docker_engine.client.api.api_version.split("."))
    floor = tuple(int(part) for part in served["MinAPIVersion"].split("."))
    newest = tuple(int(part) for part in served["ApiVersion"].split("."))
    assert floor <= ours <= newest
    assert ours >= (1, 44)  # Docker 29's floor
