"""A thin interface to the container engine, with its own exceptions.

Everything that touches Docker goes through `ContainerEngine`, so builders, checks and the
registry layer share one client and one way of turning engine failures into `EngineError`.
The client talks to the engine the docker CLI (and so buildx) talks to: `DOCKER_HOST` (with
`DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH`) when set, else the CLI's current context.
Containers run with host networking: checks talk to a hub stand-in on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, Protocol

import docker
import docker.errors

from hubimage.errors import BuildError, EngineError, ImageNotFoundError

LogSink = Callable[[str], None]


@dataclass(frozen=True)
class RunResult:
    exit_code: int
    output: str  # stdout and stderr interleaved


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
    pull: bool = False
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
    ) -> RunResult: ...


def _classify(error: Exception, what: str) -> EngineError:
    return EngineError(f"{what}: {error}")


def client_like_the_cli(environ: Mapping[str, str]) -> docker.DockerClient:
    """A client of the engine `docker` would use: DOCKER_HOST first, else the context named by
    DOCKER_CONTEXT or by config.json's `currentContext` (Colima, Docker Desktop and rootless
    Docker make their own), else the default socket. buildx builds on that engine, so the
    checks must look for the image there."""
    from docker.context import ContextAPI
    from docker.context.config import get_current_context_name

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


class DockerEngine:
    """The Docker Engine API through the Docker SDK."""

    def __init__(self, client: docker.DockerClient | None = None) -> None:
        if client is None:
            try:
                client = client_like_the_cli(os.environ)
                client.ping()
            except EngineError:
                raise
            except Exception as error:
                raise EngineError(
                    f"cannot reach a Docker engine: {error}",
                    hint="start Docker, or set DOCKER_HOST to a reachable engine",
                ) from error
        self.client = client

    # --- images ---------------------------------------------------------------------------

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = self.client.api.inspect_image(ref)
            return result
        except docker.errors.ImageNotFound:
            return None
        except docker.errors.APIError as error:
            if error.status_code == 404:
                return None
            raise _classify(error, f"inspecting {ref}") from error

    def require_image(self, ref: str) -> dict[str, Any]:
        info = self.inspect_image(ref)
        if info is None:
            raise ImageNotFoundError(
                f"image {ref} is not in the local image store",
                hint="build it first, or pull it",
            )
        return info

    def tag(self, source: str, target_name: str, tag: str) -> None:
        try:
            self.client.api.tag(source, target_name, tag)
        except docker.errors.APIError as error:
            raise _classify(error, f"tagging {source} as {target_name}:{tag}") from error

    def add_labels(self, ref: str, labels: Mapping[str, str]) -> str:
        """Label the local image `ref` without a rebuild; move its tag; return the new id.

        A build of `FROM <ref>` with `LABEL` lines adds metadata and no layer, so the contents
        (and the checks run on them) stay the same. Through buildx where it runs (on the
        containerd image store a classic build of a large image takes seconds to commit;
        BuildKit only writes a new config), else a classic build of `FROM <id>`. Refused for
        images with ONBUILD triggers, which such a build would run.
        """
        info = self.require_image(ref)
        if (info.get("Config") or {}).get("OnBuild"):
            raise EngineError(
                f"cannot label {ref}: it has ONBUILD instructions",
                hint="images meant as hub user images should not carry ONBUILD triggers",
            )
        if _buildx_relabel(ref, labels):
            return str(self.require_image(ref)["Id"])
        context = io.BytesIO()
        dockerfile = f"FROM {info['Id']}\n".encode()
        with tarfile.open(fileobj=context, mode="w") as tar:
            entry = tarfile.TarInfo("Dockerfile")
            entry.size = len(dockerfile)
            tar.addfile(entry, io.BytesIO(dockerfile))
        context.seek(0)
        spec = BuildSpec(tag=ref, context_tar=context, labels=labels)
        return self.build(spec, on_log=lambda _line: None)

    def remove_image(self, ref: str) -> None:
        try:
            self.client.api.remove_image(ref, force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            raise _classify(error, f"removing {ref}") from error

    def pull(self, name: str, tag: str, auth_config: Mapping[str, str] | None = None) -> bool:
        """Pull name:tag (or name@digest when `tag` is a digest); False (not an error) when it
        cannot be had, e.g. as a cache source."""
        try:
            for event in self.client.api.pull(
                name, tag=tag, stream=True, decode=True, auth_config=auth_config
            ):
                if "error" in event:
                    return False
            separator = "@" if tag.startswith("sha256:") else ":"  # a digest, or a tag
            return self.inspect_image(f"{name}{separator}{tag}") is not None
        except docker.errors.APIError:
            return False

    def build(self, spec: BuildSpec, on_log: LogSink) -> str:
        """Build and return the image id; stream each output line to `on_log`."""
        lines = self.build_lines(spec)
        while True:
            try:
                on_log(next(lines))
            except StopIteration as done:
                return str(done.value)

    def build_lines(self, spec: BuildSpec) -> Generator[str, None, str]:
        """`build` as a generator of output lines whose return value is the image id.

        repo2docker's engine interface wants the build output as a generator.
        """
        kwargs: dict[str, Any] = {
            "tag": spec.tag,
            "dockerfile": spec.dockerfile,
            "buildargs": dict(spec.buildargs),
            "labels": dict(spec.labels),
            "target": spec.target,
            "cache_from": list(spec.cache_from) or None,
            "pull": spec.pull,
            "rm": True,
            "forcerm": True,
            "network_mode": "host",
            "decode": True,
        }
        if spec.context_tar is not None:
            kwargs.update(fileobj=spec.context_tar, custom_context=True)
        else:
            kwargs["path"] = spec.context_dir
        tail: list[str] = []
        pending: list[str] = []
        image_id: str | None = None
        try:
            for chunk in self.client.api.build(**kwargs):
                image_id = _consume_build_chunk(chunk, tail, pending.append) or image_id
                yield from pending
                pending.clear()
        except docker.errors.APIError as error:
            raise BuildError(f"the engine refused the build: {error}") from error
        if image_id is None:
            raise BuildError("the build did not produce an image", log_tail="\n".join(tail))
        return image_id

    # --- containers -----------------------------------------------------------------------

    def run(
        self,
        image: str,
        command: Sequence[str] | None = None,
        *,
        user: str | None = None,
        entrypoint: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        timeout: float = 120,
    ) -> RunResult:
        """Run a container to completion on host networking and return its output."""
        with self.started(
            image, command, user=user, entrypoint=entrypoint, environment=environment
        ) as container:
            try:
                status = container.wait(timeout=timeout)
            except Exception as error:  # requests' ReadTimeout and friends
                raise EngineError(f"{image}: container did not finish in {timeout:.0f}s") from error
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
            return RunResult(exit_code=int(status.get("StatusCode", 1)), output=output)

    @contextmanager
    def started(
        self,
        image: str,
        command: Sequence[str] | None = None,
        *,
        user: str | None = None,
        entrypoint: Sequence[str] | None = None,
        environment: Mapping[str, str] | None = None,
        volumes: Mapping[str, Mapping[str, str]] | None = None,
        working_dir: str | None = None,
    ) -> Iterator[Any]:
        """A detached container on host networking, removed on exit.

        Created and started in two steps, so a container whose start fails (a missing
        entrypoint) is removed too instead of being left behind.
        """
        try:
            container = self.client.containers.create(
                image,
                list(command) if command is not None else None,
                user=user,
                entrypoint=list(entrypoint) if entrypoint is not None else None,
                environment=dict(environment or {}),
                volumes=dict(volumes or {}),
                working_dir=working_dir,
                network_mode="host",
            )
        except docker.errors.ImageNotFound as error:
            raise ImageNotFoundError(f"image {image} is not in the local image store") from error
        except docker.errors.APIError as error:
            raise _classify(error, f"creating a container of {image}") from error
        try:
            try:
                container.start()
            except docker.errors.APIError as error:
                raise _classify(error, f"starting a container of {image}") from error
            yield container
        finally:
            with suppress(docker.errors.APIError):
                container.remove(force=True)


def _consume_build_chunk(chunk: dict[str, Any], tail: list[str], on_log: LogSink) -> str | None:
    """Stream one decoded build chunk; return the image id when the build reports it."""
    if "error" in chunk:
        detail = chunk.get("errorDetail", {}).get("message") or chunk["error"]
        raise BuildError(f"build failed: {detail.strip()}", log_tail="\n".join(tail[-30:]))
    if "stream" in chunk:
        for line in str(chunk["stream"]).splitlines():
            if line.strip():
                tail.append(line)
                del tail[:-60]
                on_log(line)
    aux = chunk.get("aux")
    if isinstance(aux, dict) and "ID" in aux:
        return str(aux["ID"])
    return None


def _buildx_relabel(ref: str, labels: Mapping[str, str]) -> bool:
    """`add_labels` through `docker buildx build`; False when buildx cannot do it here.

    The labels travel in the Dockerfile (LABEL lines), not in argv, which caps one argument
    at 128 KiB (a package inventory can be large).
    """
    docker = shutil.which("docker")
    if docker is None or any("\n" in value for value in labels.values()):
        return False
    lines = [f"FROM {ref}"] + [f"LABEL {_quoted(k)}={_quoted(v)}" for k, v in labels.items()]
    dockerfile = ("\n".join(lines) + "\n").encode()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w", format=tarfile.GNU_FORMAT) as tar:
        entry = tarfile.TarInfo("Dockerfile")
        entry.size = len(dockerfile)
        tar.addfile(entry, io.BytesIO(dockerfile))
    with tempfile.TemporaryDirectory(prefix="hubimage-relabel-") as scratch:
        iidfile = Path(scratch) / "iid"
        argv = [docker, "buildx", "build", "--quiet", "--provenance", "false", "--load"]
        argv += ["--tag", ref, "--iidfile", str(iidfile), "-"]
        try:
            done = subprocess.run(
                argv, input=context.getvalue(), capture_output=True, timeout=600, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        # Not done: no buildx, or a driver that cannot see the engine's local images.
        return done.returncode == 0 and iidfile.is_file()


def _quoted(text: str) -> str:
    """A Dockerfile double-quoted word: backslash, quote and `$` escaped (one line)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


def image_labels(info: Mapping[str, Any]) -> dict[str, str]:
    config = info.get("Config") or {}
    return dict(config.get("Labels") or {})


def dumps_label(value: object) -> str:
    """Labels are strings; structured ones are compact JSON."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
