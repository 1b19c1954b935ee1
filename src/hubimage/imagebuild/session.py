"""The builds of one `hubimage run`: the build backend picked once, the cache planned once.

`build` builds into the local engine (for the checks); `export_cache` writes the registry or
gha cache, and the push phase calls it only after the image was pushed and its digest
served; `build_and_push` does both in one buildx call for a run without checks (the order
is argued in backends.py). Registry credentials for the cache are the
image's own, handed to buildx through `buildx.registry_auth` (never a file or argv).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace

from hubimage.engine import BuildSecret, DockerEngine, LogSink
from hubimage.imagebuild import build_image
from hubimage.imagebuild.backends import BuildBackend, BuildxBackend, select_backend
from hubimage.imagebuild.buildx import registry_auth
from hubimage.imagebuild.cache import CachePlan, plan_cache
from hubimage.imagebuild.request import BuildRequest, BuildResult
from hubimage.values import BuildBackendChoice, CacheMode


class BuildSession:
    def __init__(
        self,
        engine: DockerEngine,
        *,
        build_backend: BuildBackendChoice,
        cache: CacheMode,
        image: str,  # qualified name without tag
        cache_images: Sequence[str],  # e.g. the image the hub runs now (name:tag)
        logins: Mapping[str, tuple[str, str]],  # server -> (username, password)
        environ: Mapping[str, str] = os.environ,
        backend: BuildBackend | None = None,  # select_backend's answer, when already known
    ) -> None:
        self.engine = engine
        self.backend: BuildBackend = backend or select_backend(engine, build_backend, environ)
        self.plan: CachePlan = plan_cache(
            cache,
            image,
            cache_images,
            buildkit=self.backend.kind == "buildx",
            can_export=self.backend.can_export_cache,
            environ=environ,
        )
        self.logins = dict(logins)

    def describe(self) -> list[str]:
        """What the log says about the build backend and the cache."""
        lines = [f"build backend: {self.backend.kind} ({self.backend.reason})"]
        lines.append(f"cache: {self.plan.mode}")
        lines += [f"cache source: {source}" for source in (*self.plan.imports, *self.plan.images)]
        if self.plan.after_push_exports:
            lines.append(f"cache written after the push to: {self.plan.after_push_exports[0]}")
        return lines

    def build(
        self,
        request: BuildRequest,
        log: LogSink,
        secrets: Sequence[tuple[str, str]] = (),
    ) -> BuildResult:

        request = replace(
            request,
            secrets=tuple(BuildSecret(secret_id, value) for secret_id, value in secrets),
            cache_from=(*request.cache_from, *self.plan.images),
            cache_imports=self.plan.imports,
            cache_exports=self.plan.build_exports,
            output="load",
        )
        with self._authenticated() as backend:
            return build_image(self.engine, request, log, backend=backend)

    @property
    def can_push_in_build(self) -> bool:
        """Whether one buildx call may push the image and write the cache (backends.py)."""
        return isinstance(self.backend, BuildxBackend)

    def build_and_push(
        self,
        request: BuildRequest,
        names: Sequence[str],
        log: LogSink,
        secrets: Sequence[tuple[str, str]] = (),
    ) -> BuildResult:
        """One `buildx build --push` of `names` (name:tag) with the cache export of the plan.

        Only for runs without checks (the argument is in backends.py); the result's digest
        is what buildx says it pushed, which the caller verifies with the registry.
        """

        request = replace(
            request,
            secrets=tuple(BuildSecret(secret_id, value) for secret_id, value in secrets),
            cache_from=(*request.cache_from, *self.plan.images),
            cache_imports=self.plan.imports,
            cache_exports=self.plan.after_push_exports or self.plan.build_exports,
            output="push",
            push_tags=tuple(names),
        )
        with self._authenticated() as backend:
            return build_image(self.engine, request, log, backend=backend)

    def export_cache(
        self, request: BuildRequest, log: LogSink, secrets: Sequence[tuple[str, str]] = ()
    ) -> str | None:
        """Write the cache the plan writes after a push; the reference written, or None."""

        if not self.plan.after_push_exports:
            return None
        request = replace(
            request,
            secrets=tuple(BuildSecret(secret_id, value) for secret_id, value in secrets),
            cache_from=(*request.cache_from, *self.plan.images),
            cache_imports=self.plan.imports,
            cache_exports=self.plan.after_push_exports,
            output="cacheonly",
        )
        with self._authenticated() as backend:
            build_image(self.engine, request, log, backend=backend)
        return self.plan.after_push_exports[0]

    @contextmanager
    def _authenticated(self) -> Iterator[BuildBackend]:
        if not isinstance(self.backend, BuildxBackend) or not self.logins:
            yield self.backend
            return
        with registry_auth(self.logins) as env:
            yield self.backend.with_env(env)
