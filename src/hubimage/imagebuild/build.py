"""`build_image`: pick the build strategy for a context and run it (see the package's docstring)."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from hubimage.engine import DockerEngine, image_labels
from hubimage.errors import BuildInputError, UsageError
from hubimage.imagebuild.backends import INSTALL_BUILDX, BuildBackend, select_backend
from hubimage.imagebuild.context import BuildContext, inspect_context
from hubimage.imagebuild.labels import BUILD, build_labels
from hubimage.imagebuild.request import (
    BuildRequest,
    BuildResult,
    Strategy,
)
from hubimage.imagebuild.scrub import scrubbed_context
from hubimage.imagebuild.strategies.dockerfile import DockerfileStrategy
from hubimage.imagebuild.strategies.pangeo import ListTags, PangeoStrategy
from hubimage.imagebuild.strategies.repo2docker import Repo2DockerStrategy
from hubimage.reference import ImageReference, validate_tag
from hubimage.registry.client import RegistryClient
from hubimage.values import STRATEGY_NAMES

STRATEGY_ORDER = ("dockerfile", "pangeo", "repo2docker")


def _strategies(list_tags: ListTags | None) -> dict[str, Strategy]:
    return {
        "dockerfile": DockerfileStrategy(),
        "pangeo": PangeoStrategy(list_tags),
        "repo2docker": Repo2DockerStrategy(),
    }


def select_strategy(
    builder: str, context: BuildContext, list_tags: ListTags | None = None
) -> Strategy:
    """The strategy named by `builder`, or the first in STRATEGY_ORDER that detects `context`."""
    strategies = _strategies(list_tags)
    if builder not in STRATEGY_NAMES:
        raise BuildInputError(
            f"unknown builder {builder!r}", hint=f"choose one of {', '.join(STRATEGY_NAMES)}"
        )
    if builder != "auto":
        return strategies[builder]
    return next(strategies[name] for name in STRATEGY_ORDER if strategies[name].detect(context))


def build_image(
    engine: DockerEngine,
    request: BuildRequest,
    log: Callable[[str], None],
    *,
    list_tags: Callable[[str], Sequence[str]] | None = None,
    backend: BuildBackend | None = None,
) -> BuildResult:
    """Build `request.image:request.tag` locally, streaming the build output to `log`.

    `backend` is buildx or the legacy builder (default: `select_backend` for
    `request.build_backend`). `list_tags(repository)` lists a registry repository's tags; the
    pangeo strategy uses it to find the newest base tag when `base_tag` is not pinned
    (default: hubimage's registry client, anonymously; it is given the name with its host,
    `docker.io/pangeo/base-image`). With `request.output == "cacheonly"` nothing reaches the
    engine's image store: only the cache is exported; with "push" buildx pushes the image
    (and writes the cache) straight to the registry (see backends.py for when each is used).
    """
    started = time.monotonic()
    _check_names(request)
    context = inspect_context(request.context, request.subdir)
    strategy = select_strategy(request.builder, context, list_tags or registry_list_tags)
    backend = backend or select_backend(engine, request.build_backend)
    buildkit = backend.kind == "buildx"
    if request.secrets and not buildkit:
        raise BuildInputError(
            f"build secrets need BuildKit, and this build uses the legacy builder "
            f"({backend.reason})",
            hint=INSTALL_BUILDX,
        )
    prepared = strategy.prepare(request, context, buildkit=buildkit)
    for warning in prepared.warnings:
        log(f"warning: {warning}")
    inputs = {**prepared.inputs, "backend": backend.kind}
    ours = build_labels(context.root, strategy.name, context.config_dir_name, inputs)
    # The request's labels may override the OCI ones (e.g. the source), never the build record.
    labels = {**ours, **request.labels, BUILD: ours[BUILD]}
    what = "exporting the build cache of" if request.output == "cacheonly" else "building"
    log(f"{what} {request.reference} with the {strategy.name} builder on {backend.kind}")
    log(f"{backend.kind}: {backend.reason}")
    with scrubbed_context(context.root, log) as root:
        scrubbed = BuildContext(root, root / context.config_dir.relative_to(context.root))
        image_id = prepared.rebased(scrubbed).run(backend, labels, log)
    built = engine.require_image(request.reference) if request.output == "load" else {}
    return BuildResult(
        # The engine's id (buildx reports the manifest digest, which may differ from it).
        image_id=str(built.get("Id", "")) or image_id,
        image=request.reference,
        builder=strategy.name,
        labels=image_labels(built),
        seconds=time.monotonic() - started,
        warnings=prepared.warnings,
        backend=backend.kind,
        digest=image_id if request.output == "push" else "",
        size_bytes=int(built.get("Size") or 0),
    )


def strategy_name(request: BuildRequest) -> str:
    """The strategy `build_image` would pick for `request` (no registry asked: pangeo's
    base tag is looked up only when it builds)."""
    context = inspect_context(request.context, request.subdir)
    return select_strategy(request.builder, context).name


def _check_names(request: BuildRequest) -> None:
    reference = ImageReference.parse(request.image)
    if reference.tag or reference.digest:
        raise UsageError(
            f"image {request.image!r} must be a name without tag; the tag is given separately"
        )
    validate_tag(request.tag)


def registry_list_tags(repository: str) -> Sequence[str]:
    """The tags of `host/path` in its registry, asked anonymously (base images are public)."""

    reference = ImageReference.parse(repository)
    with RegistryClient(reference.registry_host) as client:
        return client.list_tags(reference.repository)
