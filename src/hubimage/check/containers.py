"""Short-lived containers for checks: created, started, waited for and always removed.

`DockerEngine.run` covers the common case; checks also need tmpfs mounts, limits, a clean way
to tell "the container could not even start" (a missing ENTRYPOINT) from "it ran and failed",
and no leftover container when the start fails: `DockerEngine.container` gives all of that.
Every container a check starts carries CHECK_LABEL, whose value says which check.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

from hubimage.engine import (
    ContainerSpec,
    ContainerStartError,
    DockerEngine,
    RunResult,
    start_container,
)
from hubimage.errors import EngineError

__all__ = [
    "CHECK_LABEL",
    "ContainerSpec",
    "ContainerStartError",
    "check_labels",
    "last_lines",
    "run_to_end",
    "running",
    "start_container",
]

CHECK_LABEL = "io.hubimage.check"  # on every container a check starts, to find leftovers


def check_labels(purpose: str) -> dict[str, str]:
    return {CHECK_LABEL: purpose}


def running(engine: DockerEngine, spec: ContainerSpec) -> AbstractContextManager[Any]:
    """A container of `spec` on host networking; removed on exit, also when it fails to start."""
    labelled = spec if CHECK_LABEL in spec.labels else replace(spec, labels=check_labels("probe"))
    return engine.container(labelled)


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
