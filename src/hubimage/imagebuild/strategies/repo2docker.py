"""The repo2docker strategy: repo2docker as a library.

Always as user `jovyan` with uid 1000 (repo2docker would take the caller's uid, which is 0
in CI and refused), with the repository copied to /srv/repo rather than $HOME (the hub
mounts a volume over home and hides it).

Under buildx, repo2docker builds through its own engine (`docker`, which runs
`docker buildx build`) with its own generated Dockerfile, unmodified; hubimage only adds
buildx flags (`extra_buildx_build_args`: host network, --load, cache, secrets, target).
Build-arg values and secrets reach that process through its environment, not its argv.
Only the legacy builder goes through hubimage's `hubimage-docker-sdk` engine plugin, with
its context rewriting for `COPY --chmod` (r2d_engine.py). repo2docker itself is imported only
when this strategy runs (r2d_app.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hubimage.engine import LogSink
from hubimage.errors import BuildInputError
from hubimage.imagebuild.backends import BuildBackend, BuildxBackend, LegacyBackend
from hubimage.imagebuild.context import BuildContext
from hubimage.imagebuild.request import BuildRequest
from hubimage.imagebuild.strategies.dockerfile import check_target, parse_dockerfile
from hubimage.imagebuild.strategies.steps import StepLog, reporting_failed_step

if TYPE_CHECKING:
    from hubimage.imagebuild.strategies.r2d_engine import CapturedBuild

_USER_NAME_RE = re.compile(r"[a-z_][a-z0-9_-]{0,31}")


@dataclass(frozen=True)
class PreparedRepo2DockerBuild:
    request: BuildRequest
    context: BuildContext
    buildpack: str | None
    warnings: tuple[str, ...]

    @property
    def inputs(self) -> Mapping[str, object]:
        return {
            "repo2docker": _installed_version(),
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

    def run(self, backend: BuildBackend, labels: Mapping[str, str], log: LogSink) -> str:
        from hubimage.imagebuild.strategies import r2d_app as r2d  # (start-up: imports repo2docker)
        from hubimage.imagebuild.strategies.r2d_engine import (
            ENGINE_ATTRIBUTE,  # (start-up: as above)
        )

        step_log = StepLog(log)
        app = r2d.App()
        r2d.configure(app, self.request, labels, self.context.root)
        env: dict[str, str] = {}
        if isinstance(backend, BuildxBackend):
            env = r2d.configure_buildx(app, self.request, backend)
        elif isinstance(backend, LegacyBackend):
            if self.request.output != "load":
                return ""  # no cache to export
            setattr(app, ENGINE_ATTRIBUTE, backend.engine)
        with (
            reporting_failed_step(step_log, self.context.config_file("Dockerfile")),
            r2d.environment(env),
        ):
            r2d.run_app(app, step_log, step_log.errors)
        return ""  # build_image reads the id from the engine

    def capture(self, labels: Mapping[str, str]) -> CapturedBuild:
        """What repo2docker would build (Dockerfile, context, build args), without Docker."""
        from hubimage.imagebuild.strategies import r2d_app as r2d  # (start-up: imports repo2docker)

        app = r2d.CaptureApp()
        r2d.configure(app, self.request, labels)
        r2d.run_app(app, lambda _line: None)
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
        from hubimage.imagebuild.strategies.r2d_app import (
            detect_buildpack,  # (start-up: imports repo2docker)
        )

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
    installed = _installed_version()
    if wanted and wanted != installed:
        raise BuildInputError(
            f"repo2docker {wanted} was asked for, but {installed} is installed",
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


def _installed_version() -> str:
    from hubimage.imagebuild.strategies.r2d_app import (
        VERSION,  # (start-up: r2d_app imports repo2docker)
    )

    return VERSION
