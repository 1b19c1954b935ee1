"""A thin interface to the container engine, with its own exceptions.

Everything that touches Docker goes through `DockerEngine`: builders, checks, the registry
layer and the inventory share one client (which no other module reaches) and one way of
turning engine failures into `EngineError`. (`ContainerEngine` is the smaller interface
repo2docker's engine plugin is given.)
The client talks to the engine the docker CLI (and so buildx) talks to: `DOCKER_HOST` (with
`DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`) when set, else the CLI's current context.
Containers run with host networking: checks talk to a hub stand-in on 127.0.0.1.

What needs the Docker SDK (docker_engine.py, connect.py) loads only when first asked for:
a run whose tag is already published talks to no engine, and importing the SDK is a tenth
of such a run's start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubimage.engine.specs import (
    BACKGROUND_CPU_SHARES,
    BuildOutput,
    BuildSecret,
    BuildSpec,
    ContainerEngine,
    ContainerSpec,
    ContainerStartError,
    LogSink,
    RunResult,
    dumps_label,
    image_labels,
)

if TYPE_CHECKING:
    from hubimage.engine.connect import client_like_the_cli
    from hubimage.engine.docker_engine import DockerEngine, start_container

__all__ = [
    "BACKGROUND_CPU_SHARES",
    "BuildOutput",
    "BuildSecret",
    "BuildSpec",
    "ContainerEngine",
    "ContainerSpec",
    "ContainerStartError",
    "DockerEngine",
    "LogSink",
    "RunResult",
    "client_like_the_cli",
    "dumps_label",
    "image_labels",
    "start_container",
]

_WITH_THE_SDK = {
    "DockerEngine": "hubimage.engine.docker_engine",
    "start_container": "hubimage.engine.docker_engine",
    "client_like_the_cli": "hubimage.engine.connect",
}


def __getattr__(name: str) -> Any:
    if name in _WITH_THE_SDK:
        import importlib  # (start-up: the SDK loads here, on first use)

        return getattr(importlib.import_module(_WITH_THE_SDK[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
