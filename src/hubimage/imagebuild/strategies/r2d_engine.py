"""A repo2docker container engine backed by the Docker SDK's classic build API.

The legacy fallback only: where buildx runs, repo2docker builds through its own buildx
engine (see repo2docker.py). Where it does not (or with `build-backend: legacy`), hubimage
builds through this engine (registered as the `repo2docker.engines` entry point
`hubimage-docker-sdk`), which goes through hubimage's one `DockerEngine`. repo2docker
creates engines with only `parent=<the app>`: an app that carries a DockerEngine as
`hubimage_engine` shares it, otherwise the engine connects from the environment
(DOCKER_HOST...). Running containers is not supported: hubimage builds with `run=False`.

repo2docker's generated Dockerfiles use `COPY --chmod`, which only BuildKit knows. The classic
builder keeps the permission bits of the files in the context, so this engine drops the flag
and gives those files that mode in the context instead: the same image, built classically.

`ContextCaptureEngine` is the same interface without Docker: it keeps the build request
(the generated Dockerfile and build context) instead of building, to show what repo2docker
would build.
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from repo2docker.engine import ContainerEngine, Image

from hubimage.engine import BuildSpec, DockerEngine
from hubimage.errors import BuildInputError

ENGINE_ATTRIBUTE = "hubimage_engine"
_COPY_CHMOD_RE = re.compile(
    r"(?P<copy>\s*COPY\s+(?:--\S+\s+)*?)--chmod=(?P<mode>[0-7]{3,4})\s+(?P<rest>.*)"
)


class DockerSDKEngine(ContainerEngine):  # type: ignore[misc]
    """repo2docker's ContainerEngine on top of hubimage's DockerEngine (classic builds)."""

    string_output = True  # build() yields lines and raises on failure

    def __init__(self, *, parent: Any) -> None:
        super().__init__(parent=parent)
        shared = getattr(parent, ENGINE_ATTRIBUTE, None)
        self.engine: DockerEngine = shared if shared is not None else DockerEngine()

    def build(
        self,
        *,
        push: bool = False,
        load: bool = False,
        buildargs: Mapping[str, str] | None = None,
        cache_from: list[str] | None = None,
        container_limits: Mapping[str, Any] | None = None,
        tag: str = "",
        custom_context: bool = False,
        dockerfile: str = "",
        fileobj: Any = None,
        path: str = "",
        labels: Mapping[str, str] | None = None,
        platform: str | None = None,  # classic builds build for the engine's platform
        **kwargs: Any,
    ) -> Iterator[str]:
        if push:
            raise BuildInputError("the hubimage-docker-sdk engine does not push; push separately")
        dockerfile = dockerfile or "Dockerfile"
        if fileobj is not None:
            fileobj = without_copy_chmod(fileobj, dockerfile)
        spec = BuildSpec(
            tag=tag,
            context_dir=None if fileobj is not None else path,
            context_tar=fileobj,
            dockerfile=dockerfile,
            buildargs=dict(buildargs or {}),
            labels=dict(labels or {}),
            target=kwargs.get("target"),
            cache_from=list(cache_from or []),
        )
        yield from self.engine.build_lines(spec)

    def inspect_image(self, image: str) -> Image | None:
        info = self.engine.inspect_image(image)
        if info is None:
            return None
        config = dict(info.get("Config") or {})
        config.setdefault("WorkingDir", "")
        return Image(tags=info.get("RepoTags") or [], config=config)


def without_copy_chmod(context_tar: BinaryIO, dockerfile: str) -> io.BytesIO:
    """The tar context with `COPY --chmod=MODE src... dst` turned into modes of the sources."""
    members = _read_tar(context_tar)
    text = next((data for m, data in members if m.name == dockerfile), None) or b""
    modes: dict[str, int] = {}
    lines = []
    for line in text.decode("utf-8").splitlines():
        match = _COPY_CHMOD_RE.match(line)
        if match:
            mode, rest = int(match.group("mode"), 8), match.group("rest")
            for src in rest.split()[:-1]:  # the last word is the destination
                modes[src.lstrip("/")] = mode
            line = f"{match.group('copy')}{rest}"
        lines.append(line)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as target:
        for member, data in members:
            if member.name == dockerfile:
                data = "\n".join(lines).encode() + b"\n"
                member.size = len(data)
            member.mode = modes.get(member.name, member.mode)
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    buffer.seek(0)
    return buffer


def _read_tar(fileobj: BinaryIO) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    members = []
    with tarfile.open(fileobj=fileobj) as tar:
        for member in tar:
            handle = tar.extractfile(member) if member.isfile() else None
            members.append((member, handle.read() if handle is not None else None))
    return members


@dataclass
class CapturedBuild:
    """What repo2docker asked an engine to build."""

    kwargs: dict[str, Any] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # the context tar's regular files

    @property
    def dockerfile(self) -> str:
        name = self.kwargs.get("dockerfile") or "Dockerfile"
        return self.files[name].decode("utf-8")


class ContextCaptureEngine(ContainerEngine):  # type: ignore[misc]
    """An engine that records the build request and its context and builds nothing."""

    string_output = True

    def __init__(self, *, parent: Any) -> None:
        super().__init__(parent=parent)
        self.captured = CapturedBuild()

    def build(self, **kwargs: Any) -> Iterator[str]:
        self.captured.kwargs = kwargs
        fileobj = kwargs.get("fileobj")
        if fileobj is not None:
            self.captured.files = _tar_files(fileobj.read())
        else:
            self.captured.files = _directory_files(kwargs["path"], kwargs.get("dockerfile"))
        yield "context captured, nothing built"

    def inspect_image(self, image: str) -> None:
        return None


def _tar_files(data: bytes) -> dict[str, bytes]:
    members = _read_tar(io.BytesIO(data))
    return {member.name: content for member, content in members if content is not None}


def _directory_files(path: str, dockerfile: str | None) -> dict[str, bytes]:
    """For a Dockerfile build the context is a folder: keep just its Dockerfile."""
    name = dockerfile or "Dockerfile"
    return {name: (Path(path) / name).read_bytes()}
