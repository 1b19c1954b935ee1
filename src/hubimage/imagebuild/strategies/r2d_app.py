"""repo2docker's application, driven in this process: the part that imports repo2docker.

Kept apart from the strategy (repo2docker.py) so that a run building from a Dockerfile or
pangeo never imports repo2docker (about 0.2 s of start-up, jinja2 and its build packs).
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import repo2docker
from repo2docker.app import Repo2Docker
from repo2docker.utils import chdir

from hubimage.engine import LogSink
from hubimage.errors import BuildError, BuildInputError, HubimageError
from hubimage.imagebuild.backends import BuildxBackend
from hubimage.imagebuild.buildx import passed_through
from hubimage.imagebuild.context import BuildContext
from hubimage.imagebuild.request import BuildRequest
from hubimage.imagebuild.strategies.r2d_engine import ContextCaptureEngine
from hubimage.secrets import SECRETS

VERSION: str = repo2docker.__version__

ENGINE_NAME = "hubimage-docker-sdk"  # the legacy fallback
BUILDX_ENGINE_NAME = "docker"  # repo2docker's own buildx engine


class App(Repo2Docker):  # type: ignore[misc]
    def find_image(self) -> bool:
        # Always build: the tag may exist from an earlier build with other labels.
        return False


class CaptureApp(App):
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


def configure(
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
    app.cache_from = [] if request.fresh else list(request.cache_from)
    app.extra_build_args = dict(request.build_args)
    app.extra_build_kwargs = {"target": request.target} if request.target else {}
    app.engine = ENGINE_NAME
    app.run = False
    app.push = False


def configure_buildx(
    app: Repo2Docker, request: BuildRequest, backend: BuildxBackend
) -> dict[str, str]:
    """Point `app` at repo2docker's own buildx engine; return the environment it needs."""
    env: dict[str, str] = dict(backend.extra_env)
    args = ["--provenance", "false"]
    if backend.host_network:
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
    if request.fresh and request.output == "load":  # a fresh rebuild: as buildx.py does
        args += ["--pull", "--no-cache"]
    for source in () if request.fresh else request.cache_imports:
        args += ["--cache-from", source]
    for export in request.cache_exports:
        args += ["--cache-to", export]
    app.engine = BUILDX_ENGINE_NAME
    app.extra_build_args = {}  # their values go through the environment (above)
    app.extra_build_kwargs = {}
    app.config.DockerEngine.extra_buildx_build_args = args
    return env


@contextmanager
def environment(env: Mapping[str, str]) -> Iterator[None]:
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


def run_app(app: Repo2Docker, sink: LogSink, errors: Sequence[str] = ()) -> None:
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
