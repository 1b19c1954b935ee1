"""Build a hub image from a context: a Dockerfile, repo2docker or pangeo/base-image.

`build_image` picks the strategy the request names, or with `auto` the first of
`STRATEGY_ORDER` whose `detect` accepts the context (the configuration folder is binder/ or
.binder/ when present, as for repo2docker):

1. dockerfile: a Dockerfile in the configuration folder. (With binder/ present, a Dockerfile
   at the top is ignored, as repo2docker does; `builder="dockerfile"` builds it.)
2. pangeo: a conda-lock.yml, which only pangeo/base-image reads (repo2docker ignores it).
   Every other file pangeo reads is also a repo2docker file, and users who add
   environment.yml expect what mybinder.org builds, so pangeo is otherwise only on request.
3. repo2docker: everything else (environment.yml, requirements.txt, ...; with no environment
   files at all, its default Python environment and a warning).

Each name below loads its module when first asked for: the tag (tags.py) is computed on every
run, but a run whose tag is already published builds nothing, and the builders bring the
Docker SDK, buildx's driver and repo2docker's hooks with them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubimage.imagebuild.backends import select_backend
    from hubimage.imagebuild.build import (
        build_image,
        registry_list_tags,
        select_strategy,
        strategy_name,
    )
    from hubimage.imagebuild.context import inspect_context
    from hubimage.imagebuild.request import BuildRequest, BuildResult
    from hubimage.imagebuild.strategies.repo2docker import capture_repo2docker
    from hubimage.imagebuild.tags import compute_tag

_MODULES = {
    "BuildRequest": "request",
    "BuildResult": "request",
    "build_image": "build",
    "capture_repo2docker": "strategies.repo2docker",
    "compute_tag": "tags",
    "inspect_context": "context",
    "registry_list_tags": "build",
    "select_backend": "backends",
    "select_strategy": "build",
    "strategy_name": "build",
}
__all__ = [
    "BuildRequest",
    "BuildResult",
    "build_image",
    "capture_repo2docker",
    "compute_tag",
    "inspect_context",
    "registry_list_tags",
    "select_backend",
    "select_strategy",
    "strategy_name",
]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
