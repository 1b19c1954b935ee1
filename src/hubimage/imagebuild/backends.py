"""One interface in front of the two ways an image gets built: buildx (BuildKit) and legacy.

`select_backend` picks buildx wherever `docker buildx` runs (GitHub's runners, Docker
Desktop, any Docker with the plugin), and the legacy Engine-API builder only where it does
not, or when the user asks for it (`build-backend: legacy`). Strategies hand either one a
`BuildSpec` and get an image id back; checks and push only ever see an image in the local
engine, so they do not care which builder ran.

The safety order, and why this module keeps it: nothing reaches a registry before every
check has passed, and no hub config names an image whose digest the registry did not serve.

When checks run (the default), a build here only ever writes to the local engine (`--load`)
or, with `output="cacheonly"`, to the cache. The only cache export on the build that
precedes the checks is `inline` (metadata inside the local image). The registry or gha cache
is written by `export_cache`, which the push phase calls only after `push_image` saw the
registry serve the checked image's digest. So no manifest or tag reaches the registry before
the checked image is pushed, and cache blobs (the same layers, plus intermediate ones) only
after that. The one thing that may go ahead is the image's own layers, as bare blobs no
manifest names, uploaded from the engine while the checks run (phases/uploading.py says
where and why); a failed check leaves only those, for the registry's garbage collection.

When no check runs (`check: false`, on a run whose policy pushes), "before every check
passed" is the empty condition, so one `docker buildx build --push` with the cache export in
the same call (`output="push"`, what docker/build-push-action does) is as safe, and saves
the load into the engine, the engine's push and the second cache-only build. The second
guarantee is kept by the caller: buildx's metadata file gives the pushed manifest digest
(`containerimage.digest`), and the publishing phase asks the registry for every tag with
hubimage's RegistryClient (as registry/push.py does after an engine push) and sets the
outputs and the bump only from a digest the registry served. What the direct push skips:
there is no local image, so the checks record (`io.hubimage.checks`, saying checked: false)
goes into the build as a label, and the package inventory label is not written (a later
scheduled run compares with the hub's image, or finds no package label and rebuilds). Runs
that need the local image keep `--load`: a scheduled `skip-unchanged` run compares packages
before anything is pushed; the legacy builder and repo2docker's own engine always load.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Protocol

from hubimage.background import in_background
from hubimage.engine import BuildSpec, DockerEngine, LogSink
from hubimage.errors import BuildInputError, UsageError
from hubimage.imagebuild.buildx import buildx_available, buildx_driver, run_buildx
from hubimage.values import BUILD_BACKEND_CHOICES, BuildBackendChoice, BuildBackendKind

INSTALL_BUILDX = (
    "install the buildx plugin (Debian/Ubuntu: apt-get install docker-buildx; "
    "GitHub Actions: docker/setup-buildx-action), then build again"
)


class BuildBackend(Protocol):
    kind: BuildBackendKind
    reason: str  # why this backend was picked, for the log
    can_export_cache: bool  # registry and gha cache; inline works everywhere with buildx

    def build(self, spec: BuildSpec, log: LogSink) -> str:
        """Build `spec` into the local engine (or only its cache); return the image id."""
        ...


@dataclass
class BuildxBackend:
    reason: str
    can_export_cache: bool
    host_network: bool = True
    extra_env: Mapping[str, str] = field(default_factory=dict)  # e.g. registry auth
    kind: BuildBackendKind = "buildx"

    def build(self, spec: BuildSpec, log: LogSink) -> str:
        return run_buildx(spec, log, extra_env=self.extra_env, host_network=self.host_network)

    def with_env(self, env: Mapping[str, str]) -> BuildxBackend:
        return replace(self, extra_env={**self.extra_env, **env})


@dataclass
class LegacyBackend:
    engine: DockerEngine
    reason: str
    can_export_cache: bool = False
    kind: BuildBackendKind = "legacy"

    def build(self, spec: BuildSpec, log: LogSink) -> str:
        if spec.secrets:
            raise BuildInputError(
                "build secrets need BuildKit, and this build uses the legacy builder "
                f"({self.reason})",
                hint=INSTALL_BUILDX,
            )
        if spec.output == "push":
            raise UsageError("the legacy builder does not push; push through the engine")
        if spec.output != "load":
            return ""  # the legacy builder has no cache to export
        plain = replace(spec, cache_imports=(), cache_exports=())
        return self.engine.build(plain, log)


def select_backend(
    engine: DockerEngine,
    wanted: BuildBackendChoice = "auto",
    environ: Mapping[str, str] = os.environ,
) -> BuildBackend:
    """buildx where it runs; legacy where it does not or when asked for."""
    if wanted not in BUILD_BACKEND_CHOICES:
        raise UsageError(
            f"build backend {wanted!r} is not one of {', '.join(BUILD_BACKEND_CHOICES)}",
        )
    if wanted == "legacy":
        return LegacyBackend(engine, "the legacy builder was asked for (build-backend: legacy)")
    # `docker buildx version` and `inspect` are ~0.1 s each: asked side by side
    driver_probe = in_background(lambda: _driver(engine, environ), "hubimage-buildx-driver")
    available, detail = buildx_available(environ)
    driver, exportable = driver_probe.result()
    if not available:
        if wanted == "buildx":
            raise UsageError(
                f"build-backend buildx was asked for, but {detail}", hint=INSTALL_BUILDX
            )
        return LegacyBackend(engine, f"{detail}; BuildKit-only Dockerfile syntax is refused")
    why = "asked for" if wanted == "buildx" else "available"
    reason = f"docker buildx is {why} ({detail}; {driver} driver)"
    return BuildxBackend(reason, exportable, host_network=driver == "docker")


def _driver(engine: DockerEngine, environ: Mapping[str, str]) -> tuple[str, bool]:
    """The active buildx driver, and whether it can export registry/gha cache.

    The `docker` driver (BuildKit inside dockerd) exports cache only with the containerd
    image store; every other driver (docker-container, kubernetes, remote) can.
    """
    driver = buildx_driver(environ)
    if driver != "docker":
        return driver, True
    # an engine that does not say which image store it has: assume the classic one
    return driver, engine.image_store() == "io.containerd.snapshotter.v1"
