"""`DockerEngine`: the engine through the Docker SDK (see the package's docstring)."""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Generator, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import IO, Any, cast

import docker
import docker.errors
import docker.types

from hubimage.engine.connect import client_like_the_cli
from hubimage.engine.relabel import buildx_relabel
from hubimage.engine.specs import (
    BuildSpec,
    ContainerSpec,
    ContainerStartError,
    LogSink,
    RunResult,
)
from hubimage.errors import BuildError, EngineError, ImageNotFoundError


def _classify(error: Exception, what: str) -> EngineError:
    return EngineError(f"{what}: {error}")


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
        self._client = client

    @property
    def client(self) -> docker.DockerClient:
        """The Docker SDK client, for tests and tools. hubimage's own modules use the methods
        below (tests/unit/test_import_layers.py keeps it so)."""
        return self._client

    # --- images ---------------------------------------------------------------------------

    def inspect_image(self, ref: str) -> dict[str, Any] | None:
        try:
            result: dict[str, Any] = self._client.api.inspect_image(ref)
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
            self._client.api.tag(source, target_name, tag)
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
        if buildx_relabel(ref, labels):
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
            self._client.api.remove_image(ref, force=True)
        except docker.errors.NotFound:
            pass
        except docker.errors.APIError as error:
            raise _classify(error, f"removing {ref}") from error

    def pull(self, name: str, tag: str, auth_config: Mapping[str, str] | None = None) -> bool:
        """Pull name:tag (or name@digest when `tag` is a digest); False (not an error) when it
        cannot be had, e.g. as a cache source."""
        try:
            for event in self._client.api.pull(
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
            "nocache": spec.no_cache,
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
            for chunk in self._client.api.build(**kwargs):
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
        cpu_shares: int | None = None,
    ) -> RunResult:
        """Run a container to completion on host networking and return its output."""
        spec = ContainerSpec(
            image,
            command,
            entrypoint,
            user,
            environment=dict(environment or {}),
            cpu_shares=cpu_shares,
        )
        with self.container(spec) as container:
            try:
                status = container.wait(timeout=timeout)
            except Exception as error:  # requests' ReadTimeout and friends
                raise EngineError(f"{image}: container did not finish in {timeout:.0f}s") from error
            output = container.logs(stdout=True, stderr=True).decode("utf-8", "replace")
            return RunResult(exit_code=int(status.get("StatusCode", 1)), output=output)

    @contextmanager
    def container(self, spec: ContainerSpec) -> Iterator[Any]:
        """A container of `spec` on host networking, removed on exit.

        Created and started in two steps, so a container whose start fails (a missing
        entrypoint) is removed too instead of being left behind; with `spec.start` False the
        caller starts it (`start_container`), to time the start.
        """
        try:
            container = self._client.containers.create(
                spec.image,
                list(spec.command) if spec.command is not None else None,
                entrypoint=list(spec.entrypoint) if spec.entrypoint is not None else None,
                user=spec.user,
                group_add=list(spec.group_add) or None,
                environment=dict(spec.environment),
                tmpfs=dict(spec.tmpfs),
                volumes={host: dict(bind) for host, bind in spec.volumes.items()},
                mounts=[
                    docker.types.Mount(path, name, type="volume", no_copy=True)
                    for name, path in spec.named_volumes.items()
                ]
                or None,
                working_dir=spec.working_dir,
                labels=dict(spec.labels),
                network_mode="host",
                cpu_shares=spec.cpu_shares,
                mem_limit=spec.mem_limit,
                nano_cpus=spec.nano_cpus,
                security_opt=["no-new-privileges"] if spec.no_new_privileges else None,
            )
        except docker.errors.ImageNotFound as error:
            raise ImageNotFoundError(
                f"image {spec.image} is not in the local image store"
            ) from error
        except docker.errors.APIError as error:
            raise EngineError(f"creating a container of {spec.image}: {_explain(error)}") from error
        try:
            if spec.start:
                start_container(container)
            yield container
        finally:
            with suppress(docker.errors.APIError):
                container.remove(force=True)

    @contextmanager
    def volume(self, prefix: str) -> Iterator[str]:
        """A new, empty named volume for the block (a user's home that outlives a server)."""
        try:
            name = self._client.volumes.create(
                name=f"{prefix}-{os.urandom(6).hex()}", labels={"io.hubimage": prefix}
            ).name
        except docker.errors.APIError as error:
            raise EngineError(f"creating a volume: {_explain(error)}") from error
        try:
            yield str(name)
        finally:
            with suppress(docker.errors.APIError):
                self._client.volumes.get(name).remove(force=True)

    # --- registries and the engine itself ---------------------------------------------------

    def push_events(
        self, name: str, tag: str, auth_config: Mapping[str, str] | None
    ) -> Iterator[dict[str, Any]]:
        """The engine's push of name:tag as its decoded progress events (SDK errors raised)."""
        events: Iterator[dict[str, Any]] = self._client.api.push(
            name, tag, stream=True, decode=True, auth_config=auth_config
        )
        return events

    def save_stream(self, ref: str) -> IO[bytes]:
        """`docker save` of the local image `ref` as a stream, read as it arrives."""
        try:
            pieces = self._client.api.get_image(ref, chunk_size=1 << 20)
        except docker.errors.APIError as error:
            raise _classify(error, f"saving {ref}") from error
        return cast(IO[bytes], _PieceReader(pieces))

    def image_store(self) -> str | None:
        """The engine's image store driver (`io.containerd.snapshotter.v1` for containerd's);
        None when the engine does not say."""
        try:
            status = dict(self._client.info().get("DriverStatus") or [])
        except Exception:  # an engine that does not answer info
            return None
        store = status.get("driver-type")
        return str(store) if store else None


class _PieceReader(io.RawIOBase):
    """A file over an iterator of byte pieces, never holding more than one piece."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self._pieces, self._rest = pieces, memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._rest:
            piece = next(self._pieces, None)
            if piece is None:
                return 0
            self._rest = memoryview(piece)
        count = min(len(buffer), len(self._rest))
        buffer[:count], self._rest = self._rest[:count], self._rest[count:]
        return count


def start_container(container: Any) -> None:
    """Start a created container; ContainerStartError when its process cannot be run."""
    try:
        container.start()
    except docker.errors.APIError as error:
        raise ContainerStartError(_explain(error)) from error


def _explain(error: docker.errors.APIError) -> str:
    """The engine's own explanation, without the HTTP framing the SDK adds."""
    explanation = getattr(error, "explanation", None)
    return str(explanation or error).strip()


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
