"""What a build is asked to do, what it produced, and the shape of a build strategy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hubimage.engine import BuildOutput, BuildSecret, BuildSpec, LogSink
from hubimage.imagebuild.backends import BuildBackend
from hubimage.imagebuild.context import BuildContext
from hubimage.values import BuildBackendChoice, BuildBackendKind, StrategyName


@dataclass(frozen=True)
class BuildRequest:
    """One image build. `image` is the name without tag; `tag` is applied to it."""

    context: Path
    image: str
    tag: str
    builder: StrategyName = "auto"
    build_args: Mapping[str, str] = field(default_factory=dict)
    target: str | None = None
    cache_from: tuple[str, ...] = ()  # images whose layers may be reused (both builders)
    labels: Mapping[str, str] = field(default_factory=dict)
    build_backend: BuildBackendChoice = "auto"  # auto (buildx where it runs), buildx or legacy
    secrets: tuple[BuildSecret, ...] = ()  # BuildKit build secrets
    cache_imports: tuple[str, ...] = ()  # buildx --cache-from specs
    cache_exports: tuple[str, ...] = ()  # buildx --cache-to specs
    output: BuildOutput = "load"  # "cacheonly": only export the cache (after the push)
    fresh: bool = False  # no cached step, base images pulled anew (a scheduled rebuild)
    push_tags: tuple[str, ...] = ()  # output "push": the name:tag references pushed
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

    def spec(self, **fields: object) -> BuildSpec:
        """The BuildSpec of this request; strategies add the context and Dockerfile."""
        return BuildSpec(
            tag=self.reference,
            buildargs=self.build_args,
            target=self.target,
            cache_from=self.cache_from,
            secrets=self.secrets,
            cache_imports=self.cache_imports,
            cache_exports=self.cache_exports,
            output=self.output,
            push_tags=self.push_tags,
            pull=self.fresh,
            no_cache=self.fresh and self.output != "cacheonly",
            **fields,  # type: ignore[arg-type]
        )


@dataclass(frozen=True)
class BuildResult:
    image_id: str
    image: str  # name:tag, in the local image store
    builder: str
    labels: Mapping[str, str]  # as the built image carries them
    seconds: float
    warnings: tuple[str, ...]
    backend: BuildBackendKind = "legacy"
    digest: str = ""  # output "push": the manifest digest buildx pushed (containerimage.digest)
    size_bytes: int = 0  # output "load": the image's uncompressed size, as the engine reports it


class PreparedBuild(Protocol):
    """A strategy's build, checked and ready to run.

    `inputs` go into the `io.hubimage.build` label; `warnings` are reported to the user.
    """

    @property
    def inputs(self) -> Mapping[str, object]: ...

    @property
    def warnings(self) -> tuple[str, ...]: ...

    def run(self, backend: BuildBackend, labels: Mapping[str, str], log: LogSink) -> str:
        """Build `request.reference` with `labels`; return the image id ("" if not known)."""
        ...

    def rebased(self, context: BuildContext) -> PreparedBuild:
        """The same build from a copy of the context (the scrubbed one, see scrub.py)."""
        ...


class Strategy(Protocol):
    """One way to build an image, in the style of repo2docker's build packs."""

    name: str

    def detect(self, context: BuildContext) -> bool:
        """Whether `auto` picks this strategy for `context`."""
        ...

    def prepare(
        self, request: BuildRequest, context: BuildContext, *, buildkit: bool = True
    ) -> PreparedBuild:
        """Check the inputs (raise BuildInputError) and fix everything the build needs.

        `buildkit` is False for the legacy builder, which refuses BuildKit-only syntax.
        """
        ...
