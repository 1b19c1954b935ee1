"""What the engine is asked to build and run, and what it gives back."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, Protocol

from hubimage.errors import EngineError

LogSink = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    output: str  # stdout and stderr interleaved


# Containers that run beside a timed server start (image probes, the package inventory) yield
# the CPU to it: spawn-time judges that start, and every server check waits for it (Docker's
# default weight is 1024).
BACKGROUND_CPU_SHARES = 256


@dataclass(frozen=True)
class ContainerSpec:
    """One container: created on host networking, labelled, and always removed afterwards."""

    image: str
    command: Sequence[str] | None = None
    entrypoint: Sequence[str] | None = None  # None keeps the image's ENTRYPOINT
    user: str | None = None  # None: the image's USER
    group_add: Sequence[str] = ()  # supplementary groups (a pod's fsGroup)
    environment: Mapping[str, str] = field(default_factory=dict)
    tmpfs: Mapping[str, str] = field(default_factory=dict)  # path -> mount options
    volumes: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # host -> bind
    # named volumes, mounted empty (never filled from the image, as a pod's volume is)
    named_volumes: Mapping[str, str] = field(default_factory=dict)  # volume name -> path
    working_dir: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    start: bool = True  # False: created only; the caller starts it (to time the start)
    cpu_shares: int | None = None  # relative CPU weight under contention (Docker default 1024)
    mem_limit: int | None = None  # bytes; the kernel kills the container above it
    nano_cpus: int | None = None  # CPU limit in billionths of a core
    no_new_privileges: bool = False  # a pod's allowPrivilegeEscalation: false


class ContainerStartError(EngineError):
    """The engine created the container but could not start its process."""


@dataclass(frozen=True)
class BuildSecret:
    """A BuildKit build secret (`RUN --mount=type=secret,id=...`); the value never reaches argv."""

    id: str
    value: str = field(repr=False)


BuildOutput = Literal["load", "cacheonly", "push"]


@dataclass
class BuildSpec:
    """One build, for either builder (`hubimage.imagebuild.backends`).

    The legacy builder (Engine API) reads the fields up to `pull`; `cache_from` are images
    for it, and the BuildKit-only fields must be empty. The buildx builder reads them all.
    """

    tag: str
    context_dir: str | None = None
    context_tar: BinaryIO | None = None  # a tar stream, when the context is generated
    dockerfile: str = "Dockerfile"  # path inside the context
    buildargs: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    cache_from: Sequence[str] = ()  # images whose layers may be reused
    pull: bool = False  # pull the base images anew (a fresh rebuild)
    no_cache: bool = False  # run every step again (a fresh rebuild); the cache is still written
    # BuildKit only
    secrets: Sequence[BuildSecret] = ()
    cache_imports: Sequence[str] = ()  # --cache-from specs (type=registry,ref=...)
    cache_exports: Sequence[str] = ()  # --cache-to specs
    output: BuildOutput = "load"  # into the local engine, only the cache, or the registry
    push_tags: Sequence[str] = ()  # output "push": every name:tag pushed (default: tag)


class ContainerEngine(Protocol):
    def build(self, spec: BuildSpec, on_log: LogSink) -> str: ...
    def inspect_image(self, ref: str) -> dict[str, Any] | None: ...
    def run(
        self,
        image: str,
        command: Sequence[str] | None = None,
        *,
        user: str | None = None,
        entrypoint: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        timeout: float = 120,
        cpu_shares: int | None = None,
    ) -> RunResult: ...


def image_labels(info: Mapping[str, Any]) -> dict[str, str]:
    config = info.get("Config") or {}
    return dict(config.get("Labels") or {})


def dumps_label(value: object) -> str:
    """Labels are strings; structured ones are compact JSON."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
