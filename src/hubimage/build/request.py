"""What a build is asked to do, what it produced, and the shape of a build strategy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Protocol

from hubimage.build.context import BuildContext
from hubimage.engine import DockerEngine, LogSink

BuilderName = Literal["auto", "repo2docker", "pangeo", "dockerfile"]
BUILDER_NAMES: tuple[BuilderName, ...] = ("auto", "repo2docker", "pangeo", "dockerfile")


@dataclass(frozen=True)
class BuildRequest:
    """One image build. `image` is the name without tag; `tag` is applied to it."""

    context: Path
    image: str
    tag: str
    builder: BuilderName = "auto"
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    cache_from: tuple[str, ...] = ()
    labels: Mapping[str, str] = field(default_factory=dict)
    # repo2docker options
    target_repo_dir: str = "/srv/repo"  # not $HOME: the hub mounts a volume over home
    subdir: str = ""  # build from this folder of the context (all strategies)
    appendix: str = ""  # Dockerfile lines repo2docker runs after its own steps
    user_id: int = 1000
    user_name: str = "jovyan"
    repo2docker_version: str | None = None  # None: the installed one; else must match it
    # pangeo options
    base_image: str = "pangeo/base-image"
    base_tag: str | None = None  # None: the newest YYYY.MM.DD tag in the registry

    @property
    def reference(self) -> str:
        return f"{self.image}:{self.tag}"


@dataclass(frozen=True)
class BuildResult:
    image_id: str
    image: str  # name:tag, in the local image store
    builder: str
    labels: Mapping[str, str]  # as the built image carries them
    seconds: float
    warnings: tuple[str, ...]


class PreparedBuild(Protocol):
    """A strategy's build, checked and ready to run.

    `inputs` go into the `io.hubimage.build` label; `warnings` are reported to the user.
    """

    @property
    def inputs(self) -> Mapping[str, object]: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...

    def run(self, engine: DockerEngine, labels: Mapping[str, str], log: LogSink) -> str:
        """Build `request.reference` with `labels`; return the image id."""
        ...


class Strategy(Protocol):
    """One way to build an image, in the style of repo2docker's build packs."""

    name: str

    def detect(self, context: BuildContext) -> bool:
        """Whether `auto` picks this strategy for `context`."""
        ...

    def prepare(self, request: BuildRequest, context: BuildContext) -> PreparedBuild:
        """Check the inputs (raise BuildInputError) and fix everything the build needs."""
        ...
