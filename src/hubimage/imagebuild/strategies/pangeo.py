"""The pangeo strategy: `FROM pangeo/base-image:<tag>` and its ONBUILD triggers do the rest.

Under buildx and the legacy builder alike the triggers fire as the base image's first build
step. pangeo/base-image copies the context to /home/jovyan and, reading binder/ or .binder/ when
present, installs apt.txt, runs jupyter_notebook_config.py into /etc/jupyter, creates the
conda environment from conda-lock.yml or environment.yml, pip-installs requirements.txt,
runs postBuild and copies `start` to /srv/start, its entrypoint. The base image has no
/srv/start of its own, so a context without `start` gets a warning.

The base tag is pinned by `base_tag`, or resolved to the newest calendar tag (YYYY.MM.DD)
in the registry, and recorded in the `io.hubimage.build` label either way.
"""

from __future__ import annotations

import io
import re
import tarfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from docker.utils.build import exclude_paths

from hubimage.engine import LogSink
from hubimage.errors import BuildInputError, ImageReferenceError
from hubimage.imagebuild.backends import BuildBackend
from hubimage.imagebuild.context import BuildContext
from hubimage.imagebuild.request import BuildRequest
from hubimage.imagebuild.strategies.steps import StepLog, reporting_failed_step
from hubimage.reference import ImageReference

ListTags = Callable[[str], Sequence[str]]
PANGEO_FILES = (
    "conda-lock.yml",
    "environment.yml",
    "requirements.txt",
    "apt.txt",
    "postBuild",
    "start",
    "jupyter_notebook_config.py",
)
CALENDAR_TAG_RE = re.compile(r"(\d{4})\.(\d{2})\.(\d{2})")
# The generated Dockerfile travels in the context under this name; listing it (and the
# .dockerignore) in .dockerignore makes the engine drop both after reading them, so the
# base image's `COPY . /home/jovyan` does not copy them.
GENERATED_DOCKERFILE = ".hubimage-pangeo.Dockerfile"


def newest_calendar_tag(tags: Sequence[str]) -> str | None:
    """The newest `YYYY.MM.DD` tag, or None when there is none."""
    dated = [tag for tag in tags if CALENDAR_TAG_RE.fullmatch(tag)]
    return (
        max(dated, key=lambda tag: tuple(int(part) for part in tag.split("."))) if dated else None
    )


def qualified_repository(base_image: str) -> str:
    """The base image name as Docker reads `FROM` (Docker Hub when no host is given)."""
    reference = ImageReference.parse(base_image)
    if reference.tag or reference.digest:
        raise ImageReferenceError(
            f"pangeo base image {base_image!r} must be a name without tag",
            hint="give the tag as base_tag",
        )
    return reference.name if reference.registry else f"docker.io/{reference.name}"


def resolve_base_tag(base_image: str, base_tag: str | None, list_tags: ListTags | None) -> str:
    if base_tag:
        return base_tag
    if list_tags is None:
        raise BuildInputError(
            f"no tag given for the pangeo base image {base_image} and no registry to ask",
            hint="pin it with base_tag (e.g. 2026.01.21)",
        )
    tags = list(list_tags(qualified_repository(base_image)))
    newest = newest_calendar_tag(tags)
    if newest is None:
        raise BuildInputError(
            f"{base_image} has no calendar tag (YYYY.MM.DD) among its {len(tags)} tags",
            hint="pin the base tag with base_tag",
        )
    return newest


def generated_context(context: BuildContext, dockerfile: str) -> io.BytesIO:
    """The context as a tar (its .dockerignore honoured) with the generated Dockerfile."""
    ignore_file = context.root / ".dockerignore"
    patterns = _ignore_patterns(ignore_file)
    buffer = io.BytesIO()
    # buildx tells a tar on stdin from a Dockerfile by its first 512 bytes: the first member
    # must be a plain header (GNU format, short name, whole-second mtime), never a PAX one.
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        ignore_text = "\n".join([*patterns, GENERATED_DOCKERFILE, ".dockerignore", ""])
        _add_text(tar, ".dockerignore", ignore_text)
        _add_text(tar, GENERATED_DOCKERFILE, dockerfile)
        for relative in sorted(exclude_paths(str(context.root), list(patterns))):
            if relative != ".dockerignore":
                tar.add(str(context.root / relative), arcname=relative, recursive=False)
    buffer.seek(0)
    return buffer


def _ignore_patterns(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _add_text(tar: tarfile.TarFile, name: str, text: str) -> None:
    data = text.encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


@dataclass(frozen=True)
class PreparedPangeoBuild:
    request: BuildRequest
    context: BuildContext
    base: str  # name:tag
    warnings: tuple[str, ...]

    @property
    def inputs(self) -> Mapping[str, object]:
        files = [name for name in PANGEO_FILES if self.context.config_file(name)]
        return {"base": self.base, "files": files, "build_args": sorted(self.request.build_args)}

    @property
    def dockerfile(self) -> str:
        return f"FROM {self.base}\n"

    def rebased(self, context: BuildContext) -> PreparedPangeoBuild:
        return replace(self, context=context)

    def run(self, backend: BuildBackend, labels: Mapping[str, str], log: LogSink) -> str:
        step_log = StepLog(log)
        spec = self.request.spec(
            context_tar=generated_context(self.context, self.dockerfile),
            dockerfile=GENERATED_DOCKERFILE,
            labels=labels,
        )
        with reporting_failed_step(step_log, None):
            return backend.build(spec, step_log)


class PangeoStrategy:
    """pangeo/base-image's ONBUILD triggers; picked by `auto` only for a conda-lock.yml."""

    name = "pangeo"

    def __init__(self, list_tags: ListTags | None = None) -> None:
        self.list_tags = list_tags

    def detect(self, context: BuildContext) -> bool:
        # conda-lock.yml is what only pangeo reads (repo2docker would ignore the lock).
        return context.config_file("conda-lock.yml") is not None

    def prepare(
        self, request: BuildRequest, context: BuildContext, *, buildkit: bool = True
    ) -> PreparedPangeoBuild:
        if request.target:
            raise BuildInputError(
                "the pangeo builder has no stages: a build target cannot be used with it"
            )
        qualified_repository(request.base_image)  # a bad name fails before any lookup
        tag = resolve_base_tag(request.base_image, request.base_tag, self.list_tags)
        base = f"{request.base_image}:{tag}"
        ImageReference.parse(base)
        warnings = []
        if context.config_file("start") is None:
            warnings.append(
                f"no 'start' file in {context.config_dir}: pangeo images run /srv/start, "
                "which only a start file provides; without one the container cannot start"
            )
        return PreparedPangeoBuild(request, context, base, tuple(warnings))
