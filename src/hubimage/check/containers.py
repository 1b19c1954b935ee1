"""Short-lived containers for checks: created, started, waited for and always removed.

`DockerEngine.run` covers the common case; checks also need tmpfs mounts, a clean way to tell
"the container could not even start" (a missing ENTRYPOINT) from "it ran and failed", and no
leftover container when the start fails, so they create containers through the engine's
client themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

import docker.errors

from hubimage.engine import DockerEngine, RunResult
from hubimage.errors import EngineError, ImageNotFoundError

CHECK_LABEL = "io.hubimage.check"  # on every container a check starts, to find leftovers


class ContainerStartError(EngineError):
    """The engine created the container but could not start its process."""


@dataclass(frozen=True)
class ContainerSpec:
    image: str
    command: Sequence[str] | None = None
    entrypoint: Sequence[str] | None = None  # None keeps the image's ENTRYPOINT
    user: str | None = None  # None: the image's USER
    environment: Mapping[str, str] = field(default_factory=dict)
    tmpfs: Mapping[str, str] = field(default_factory=dict)  # path -> mount options
    volumes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    working_dir: str | None = None
    purpose: str = "probe"  # becomes the value of CHECK_LABEL
    start: bool = True  # False: created only; the caller starts it (to time the start)
    cpu_shares: int | None = None  # relative CPU weight under contention (Docker default 1024)


@contextmanager
def running(engine: DockerEngine, spec: ContainerSpec) -> Iterator[Any]:
    """A started container on host networking; removed on exit, also when it fails to start."""
    try:
        container = engine.client.containers.create(
            spec.image,
            list(spec.command) if spec.command is not None else None,
            entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
            user=spec.user,
            environment=dict(spec.environment),
            tmpfs=dict(spec.tmpfs),
            volumes={host: dict(bind) for host, bind in spec.volumes.items()},
            working_dir=spec.working_dir,
            labels={CHECK_LABEL: spec.purpose},
            network_mode="host",
            cpu_shares=spec.cpu_shares,
        )
    except docker.errors.ImageNotFound as error:
        raise ImageNotFoundError(f"image {spec.image} is not in the local image store") from error
    except docker.errors.APIError as error:
        raise EngineError(f"creating a container of {spec.image}: {_explain(error)}") from error
    try:
        if spec.start:
            start_container(container)
        yield container
    finally:
        with suppress(docker.errors.APIError):
            container.remove(force=True)


def start_container(container: Any) -> None:
    """Start a created container; ContainerStartError when its process cannot be run."""
    try:
        container.start()
    except docker.errors.APIError as error:
        raise ContainerStartError(_explain(error)) from error


def run_to_end(engine: DockerEngine, spec: ContainerSpec, timeout: float) -> RunResult:
    """Run a container until it exits; its output is stdout and stderr interleaved."""
    with running(engine, spec) as container:
        try:
            status = container.wait(timeout=timeout)
        except Exception as error:  # requests' ReadTimeout and ConnectionError
            raise EngineError(
                f"the container did not finish within {timeout:.0f} s",
                hint="a command in the image hangs; run it by hand with `docker run`",
            ) from error
        output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
        return RunResult(exit_code=int(status.get("StatusCode", 1)), output=output)


def last_lines(text: str, count: int = 20) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][-count:]


def _explain(error: docker.errors.APIError) -> str:
    """The engine's own explanation, without the HTTP framing the SDK adds."""
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()
