"""Image labels: the OCI annotations and one label that records how the image was built.

`org.opencontainers.image.source` is the repository's web address: GitHub Actions' own
variables when set (`GITHUB_SERVER_URL`/`GITHUB_REPOSITORY`), else the `origin` remote with
any user or token removed. `io.hubimage.build` is compact JSON: the strategy, the context's
configuration folder, whether the tree was dirty, and the strategy's inputs (build-arg
*names* only: their values may be secrets).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path

from hubimage import __version__
from hubimage.engine import dumps_label
from hubimage.imagebuild.gitinfo import GitState, git_state

SOURCE = "org.opencontainers.image.source"
REVISION = "org.opencontainers.image.revision"
CREATED = "org.opencontainers.image.created"
BUILD = "io.hubimage.build"


def source_url(state: GitState | None, environ: Mapping[str, str]) -> str | None:
    server, repository = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
    if server and repository:
        return f"{server.rstrip('/')}/{repository}"
    return state.origin if state else None


def build_labels(
    context: Path,
    builder: str,
    config_dir: str,
    inputs: Mapping[str, object],
    *,
    now: dt.datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The labels hubimage puts on every image it builds."""
    state = git_state(context)
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    labels = {CREATED: moment.strftime("%Y-%m-%dT%H:%M:%SZ")}
    source = source_url(state, os.environ if environ is None else environ)
    if source:
        labels[SOURCE] = source
    if state and state.head:
        labels[REVISION] = state.head
    record: dict[str, object] = {
        "builder": builder,
        "config": config_dir,
        "context": _context_in_repository(context, state),
        "dirty": state.dirty if state else None,  # None: not in git
        "hubimage": __version__,
        **inputs,
    }
    labels[BUILD] = dumps_label(record)
    return labels


def _context_in_repository(context: Path, state: GitState | None) -> str:
    """The context's path inside its repository; no local absolute paths in images."""
    if state is None:
        return "."
    try:
        return context.resolve().relative_to(state.toplevel.resolve()).as_posix()
    except ValueError:
        return "."
