"""The `cache` input, planned as the cache flags of the build and of the export after push.

- `registry` (default where the builder can export): read `<image>:buildcache` on every
  build, write it with `mode=max` (every stage's layers) only after the image was pushed.
- `inline`: cache metadata inside the image itself; later builds read it from the image the
  hub runs now.
- `gha`: GitHub's cache service, scoped by image name (the composite action exposes the
  runtime token and URL that only JavaScript actions get).
- `none`: no cache read or written.

The hub's current image is an extra cache source in every mode but `none`. Where the builder
cannot export (the legacy builder; the `docker` buildx driver on the classic image store;
`gha` outside Actions) the plan falls back to inline cache and says why in `note`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hubimage.values import CacheMode

CACHE_TAG = "buildcache"


@dataclass(frozen=True)
class CachePlan:
    mode: CacheMode  # what is really done
    imports: tuple[str, ...] = ()  # --cache-from of every build
    images: tuple[str, ...] = ()  # images used as cache (both builders)
    build_exports: tuple[str, ...] = ()  # --cache-to of the build before the checks
    after_push_exports: tuple[str, ...] = ()  # --cache-to of the cache-only build after push
    note: str | None = None  # a fallback, said in the log and the job summary


def plan_cache(
    wanted: CacheMode,
    image: str,
    extra_images: Sequence[str],
    *,
    buildkit: bool,
    can_export: bool,
    environ: Mapping[str, str],
) -> CachePlan:
    """`image` is the qualified name without tag; `extra_images` (the hub's) are name:tag."""
    if wanted == "none":
        return CachePlan("none")
    images = tuple(extra_images)
    if not buildkit:
        # The legacy builder can use only images in the local store: the run pulls the hub's
        # image itself (phases/building.py), so the plan adds none.
        note = None
        if wanted != "inline":
            note = f"cache {wanted} needs buildx; the legacy builder reuses the hub's image only"
        return CachePlan("inline", note=note)
    inline = CachePlan("inline", images=images, build_exports=("type=inline",))
    if wanted == "inline":
        return inline
    if not can_export:
        return _fallback(
            inline,
            f"cache {wanted} is not supported by the active buildx builder (the docker driver "
            "exports cache only with the containerd image store); using inline cache",
        )
    if wanted == "gha":
        if not environ.get("ACTIONS_RUNTIME_TOKEN") or not (
            environ.get("ACTIONS_CACHE_URL") or environ.get("ACTIONS_RESULTS_URL")
        ):
            return _fallback(
                inline,
                "cache gha needs ACTIONS_RUNTIME_TOKEN and ACTIONS_CACHE_URL, which only the "
                "hubimage action exposes; using inline cache",
            )
        scope = "hubimage-" + re.sub(r"[^A-Za-z0-9._-]", "-", image)
        return CachePlan(
            "gha",
            imports=(f"type=gha,scope={scope}",),
            images=images,
            build_exports=("type=inline",),
            after_push_exports=(f"type=gha,scope={scope},mode=max",),
        )
    ref = f"{image}:{CACHE_TAG}"
    return CachePlan(
        "registry",
        imports=(f"type=registry,ref={ref}",),
        images=images,
        build_exports=("type=inline",),
        after_push_exports=(
            f"type=registry,ref={ref},mode=max,image-manifest=true,oci-mediatypes=true",
        ),
    )


def _fallback(inline: CachePlan, note: str) -> CachePlan:
    return CachePlan("inline", images=inline.images, build_exports=inline.build_exports, note=note)
