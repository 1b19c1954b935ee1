"""Which engine to talk to: the one the docker CLI (and so buildx) talks to."""

from __future__ import annotations

from collections.abc import Mapping

import docker
from docker.context import ContextAPI
from docker.context.config import get_current_context_name

from hubimage.errors import EngineError


def client_like_the_cli(environ: Mapping[str, str]) -> docker.DockerClient:
    """A client of the engine `docker` would use: DOCKER_HOST first, else the context named by
    DOCKER_CONTEXT or by config.json's `currentContext` (Colima, Docker Desktop and rootless
    Docker make their own), else the default socket. buildx builds on that engine, so the
    checks must look for the image there."""

    if environ.get("DOCKER_HOST"):
        return docker.from_env(timeout=600, environment=dict(environ))
    name = environ.get("DOCKER_CONTEXT") or get_current_context_name()
    if name == "default":
        return docker.from_env(timeout=600, environment=dict(environ))
    context = ContextAPI.get_context(name)
    if context is None or not context.Host:
        raise EngineError(
            f"the docker context {name!r} is not there, or has no Docker endpoint",
            hint="`docker context ls` lists them; `docker context use default`, or set "
            "DOCKER_HOST, picks another engine",
        )
    return docker.DockerClient(base_url=context.Host, tls=context.TLSConfig, timeout=600)
