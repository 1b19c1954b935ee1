"""The repo2docker strategy: repo2docker as a library.

Always as user `jovyan` with uid 1000 (repo2docker would take the caller's uid, which is 0
in CI and refused), with the repository copied to /srv/repo rather than $HOME (the hub
mounts a volume over home and hides it).

Under buildx, repo2docker builds through its own engine (`docker`, which runs
`docker buildx build`) with its own generated Dockerfile, unmodified; hubimage only adds
buildx flags (`extra_buildx_build_args`: host network, --load, cache, secrets, target).
Build-arg values and secrets reach that process through its environment, not its argv.
Only the legacy builder goes through hubimage's `hubimage-docker-sdk` engine plugin, with
its context rewriting for `COPY --chmod` (r2d_engine.py).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import repo2docker
from repo2docker.app import Repo2Docker
from repo2docker.utils import chdir

from hubimage.build.builders import BuildxBuilder, ImageBuilder, LegacyBuilder
from hubimage.build.buildx import passed_through
from hubimage.build.context import BuildContext
from hubimage.build.dockerfile import check_target, parse_dockerfile
from hubimage.build.r2d_engine import (
    ENGINE_ATTRIBUTE,
    CapturedBuild,
    ContextCaptureEngine,
)
from hubimage.build.request import BuildRequest
from hubimage.build.steps import StepLog, reporting_failed_step
from hubimage.engine import LogSink
from hubimage.errors import BuildError, BuildInputError, HubimageError
from hubimage.secrets import SECRETS

ENGINE_NAME = "hubimage-docker-sdk"  # the legacy fallback
BUILDX_ENGINE_NAME = "docker"  # repo2docker's own buildx engine
_USER_NAME_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


class _App(Repo2Docker):  # type: ignore[misc]
    def find_image(self) -> bool:
        # Always build: the tag may exist from an earlier build with other labels.
        return False


class _CaptureApp(_App):
    def get_engine(self) -> ContextCaptureEngine:
        if not hasattr(self, "capture_engine"):
            self.capture_engine = ContextCaptureEngine(parent=self)
        return self.capture_engine


class _SinkHandler(logging.Handler):
    def __init__(self, sink: LogSink) -> None:
        super().__init__()
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink(record.getMessage())


def _configure(
    app: Repo2Docker, request: BuildRequest, labels: Mapping[str, str], root: Path | None = None
) -> None:
    """`root`: the (scrubbed) context to build, the request's subdir already applied."""
    app.repo = str(root or request.context.resolve())
    app.subdir = "" if root is not None else request.subdir
    app.output_image_spec = request.reference
    app.user_id = request.user_id
    app.user_name = request.user_name
    app.target_repo_dir = request.target_repo_dir
    app.appendix = request.appendix
    app.labels = dict(labels)
    app.cache_from = list(request.cache_from)
    app.extra_build_args = dict(request.build_args)
    app.extra_build_kwargs = {"target": request.target} if request.target else {}
    app.engine = ENGINE_NAME
    app.run = False
    app.push = False


def _configure_buildx(
    app: Repo2Docker, request: BuildRequest, builder: BuildxBuilder
) -> dict[str, str]:
    """Point `app` at repo2docker's own buildx engine; return the environment it needs."""
    env: dict[str, str] = dict(builder.extra_env)
    args = ["--provenance", "false"]
    if builder.host_network:
        args += ["--network", "host"]
    args += ["--load"] if request.output == "load" else ["--output", "type=cacheonly"]
    if request.target:
        args += ["--target", request.target]
    for name, value in sorted(request.build_args.items()):
        if passed_through(name):  # PATH, proxies: needed by docker itself, as they are
            args += ["--build-arg", f"{name}={value}"]
        else:
            env[name] = value
            args += ["--build-arg", name]
    for index, secret in enumerate(request.secrets):
        variable = f"HUBIMAGE_BUILD_SECRET_{index}"
        env[variable] = secret.value
        args += ["--secret", f"id={secret.id},env={variable}"]
    for source in request.cache_imports:
        args += ["--cache-from", source]
    for export in request.cache_exports:
        args += ["--cache-to", export]
    app.engine = BUILDX_ENGINE_NAME
    app.extra_build_args = {}  # their values go through the environment (above)
    app.extra_build_kwargs = {}
    app.config.DockerEngine.extra_buildx_build_args = args
    return env


@contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    """repo2docker's engine runs docker with this process's environment: extend it meanwhile."""
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _logging_to(app: Repo2Docker, sink: LogSink) -> Iterator[None]:
    """repo2docker logs through the `repo2docker` logger: send it to our sink meanwhile."""
    app.initialize()
    logger = app.log
    saved = (list(logger.handlers), logger.propagate)
    logger.handlers = [_SinkHandler(sink)]
    logger.propagate = False
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved


def _run_app(app: Repo2Docker, sink: LogSink, errors: Sequence[str] = ()) -> None:
    """`errors`: the ERROR lines the build printed so far (a StepLog's), for the message."""
    with _logging_to(app, sink):
        try:
            app.build()
        except HubimageError:
            raise
        except SystemExit as error:  # repo2docker exits when it cannot start its engine
            raise BuildError(f"repo2docker stopped (exit {error.code})") from error
        except subprocess.CalledProcessError as error:  # its buildx engine failed
            detail = errors[-1] if errors else f"docker buildx build exited {error.returncode}"
            raise BuildError(f"build failed: {detail}") from None
        except Exception as error:
            raise BuildError(f"repo2docker failed: {SECRETS.redact(str(error))}") from error


def detect_buildpack(context: BuildContext) -> str | None:
    """The repo2docker build pack that `context` selects, None for its default."""
    with chdir(str(context.root)):
        for pack_class in Repo2Docker().buildpacks:
            try:
                detected = pack_class(base_image=Repo2Docker.base_image.default_value).detect()
            except Exception as error:  # e.g. a runtime.txt it cannot read
                raise BuildInputError(
                    f"repo2docker cannot read the configuration in {context.config_dir}: {error}"
                ) from error
            if detected:
                return str(pack_class.__name__)
    return None


@dataclass(frozen=True)
class PreparedRepo2DockerBuild:
    request: BuildRequest
    context: BuildContext
    buildpack: str | None
    warnings: tuple[str, ...]

    @property
    def inputs(self) -> Mapping[str, object]:
        return {
            "repo2docker": repo2docker.__version__,
            "buildpack": self.buildpack or "default",
            "user": f"{self.request.user_name}:{self.request.user_id}",
            "target_repo_dir": self.request.target_repo_dir,
            "subdir": self.request.subdir,
            "appendix": bool(self.request.appendix),
            "build_args": sorted(self.request.build_args),
            "target": self.request.target,
        }

    def rebased(self, context: BuildContext) -> PreparedRepo2DockerBuild:
        return replace(self, context=context)

    def run(self, builder: ImageBuilder, labels: Mapping[str, str], log: LogSink) -> str:
        step_log = StepLog(log)
        app = _App()
        _configure(app, self.request, labels, self.context.root)
        env: dict[str, str] = {}
        if isinstance(builder, BuildxBuilder):
            env = _configure_buildx(app, self.request, builder)
        elif isinstance(builder, LegacyBuilder):
            if self.request.output != "load":
                return ""  # no cache to export
            setattr(app, ENGINE_ATTRIBUTE, builder.engine)
        with (
            reporting_failed_step(step_log, self.context.config_file("Dockerfile")),
            _environment(env),
        ):
            _run_app(app, step_log, step_log.errors)
        return ""  # build_image reads the id from the engine

    def capture(self, labels: Mapping[str, str]) -> CapturedBuild:
        """What repo2docker would build (Dockerfile, context, build args), without Docker."""
        app = _CaptureApp()
        _configure(app, self.request, labels)
        _run_app(app, lambda _line: None)
        return app.get_engine().captured


class Repo2DockerStrategy:
    """repo2docker's build packs; `auto`'s fallback for every context."""

    name = "repo2docker"

    def detect(self, context: BuildContext) -> bool:
        return True

    def prepare(
        self, request: BuildRequest, context: BuildContext, *, buildkit: bool = True
    ) -> PreparedRepo2DockerBuild:
        _check_options(request)
        dockerfile = context.config_file("Dockerfile")
        if dockerfile is not None:
            instructions = parse_dockerfile(dockerfile, buildkit=buildkit)
            check_target(dockerfile, instructions, request.target)
        elif request.target:
            raise BuildInputError("a build target needs a Dockerfile; repo2docker has none here")
        buildpack = detect_buildpack(context)
        warnings = []
        if buildpack is None:
            warnings.append(
                f"no environment files in {context.config_dir}: repo2docker builds its "
                "default Python environment"
            )
        if dockerfile is not None and request.appendix:
            warnings.append(f"repo2docker ignores the appendix when it builds {dockerfile}")
        return PreparedRepo2DockerBuild(request, context, buildpack, tuple(warnings))


def _check_options(request: BuildRequest) -> None:
    wanted = request.repo2docker_version
    if wanted and wanted != repo2docker.__version__:
        raise BuildInputError(
            f"repo2docker {wanted} was asked for, but {repo2docker.__version__} is installed",
            hint=f"pip install jupyter-repo2docker=={wanted} next to hubimage, "
            "or leave the version unset",
        )
    if request.user_id <= 0:
        raise BuildInputError(f"user id {request.user_id} is not allowed: it must not be root")
    if not _USER_NAME_RE.fullmatch(request.user_name):
        raise BuildInputError(f"user name {request.user_name!r} is not a valid Linux user name")
    if not request.target_repo_dir.startswith("/"):
        raise BuildInputError(f"target_repo_dir {request.target_repo_dir!r} must be absolute")


def capture_repo2docker(request: BuildRequest, context: BuildContext) -> CapturedBuild:
    """The Dockerfile and build context repo2docker generates for `request`, not built."""
    prepared = Repo2DockerStrategy().prepare(request, context, buildkit=True)
    return prepared.capture(request.labels)
