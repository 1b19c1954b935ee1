"""buildx in tests: make it unavailable, read its build log, clean its build cache.

Make buildx unavailable to the process under test, the way a broken install does:

The docker CLI looks for plugins in `$DOCKER_CONFIG/cli-plugins` before the system folders;
a `docker-buildx` there that is not a valid plugin hides the system's buildx, and
`docker buildx` then answers "unknown command", as on an engine without the plugin.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest


def config_without_buildx(folder: Path) -> Path:
    """A DOCKER_CONFIG folder in which `docker buildx` is an unknown command."""
    plugins = folder / "cli-plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    (plugins / "docker-buildx").write_text("")  # not executable: not a plugin
    return folder


@pytest.fixture
def no_buildx(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    folder = config_without_buildx(tmp_path_factory.mktemp("docker-config-no-buildx"))
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    done = subprocess.run(["docker", "buildx", "version"], capture_output=True, check=False)
    assert done.returncode != 0, "buildx is still reachable; the legacy tests would not test it"
    yield folder


def build_cache_ids() -> set[str]:
    """The ids of the engine's immutable BuildKit cache records (layers of build steps).

    Mutable records (a context being transferred, a session's files) belong to builds in
    progress, possibly other users' of a shared engine: they are not cache.
    """
    listing = subprocess.run(
        ["docker", "buildx", "du", "--verbose"], capture_output=True, text=True, check=True
    ).stdout
    ids = set()
    for record in listing.split("\n\n"):
        fields = dict(
            (key.strip(), value.strip())
            for key, _, value in (line.partition(":") for line in record.splitlines())
        )
        if "ID" in fields and fields.get("Mutable") == "false":
            ids.add(fields["ID"])
    return ids


def prune_build_cache(ids: set[str], *, strict: bool = True) -> None:
    """Remove these cache records only (the engine is shared: never a global prune).

    A record whose children still exist is kept by BuildKit, so a few passes remove a chain.
    `strict=False` leaves records another build is using (on a shared engine, not ours).
    """
    for _ in range(4):
        left = ids & build_cache_ids()
        if not left:
            return
        for record in left:
            subprocess.run(
                ["docker", "buildx", "prune", "--force", "--filter", f"id={record}"],
                capture_output=True,
                check=False,
            )
    assert not strict or not ids & build_cache_ids(), "some build cache records were kept"


_VERTEX = re.compile(r"#(\d+) (.*)$")
# A cached result BuildKit must materialize for a later step shows as blob downloads and
# extractions under its own vertex, in place of the "CACHED" line.
_TRANSFER = re.compile(r"(extracting )?sha256:[0-9a-f]{64}( .*)? done$")


def cached_steps(plain_log: str) -> list[str]:
    """The titles of the steps a `--progress plain` build log shows served from cache:
    buildx printed CACHED for them, or only fetched their cached layers."""
    titles: dict[str, str] = {}
    lines: dict[str, list[str]] = {}
    for line in plain_log.splitlines():
        match = _VERTEX.match(line.strip())
        if match:
            vertex, text = match.groups()
            titles.setdefault(vertex, text)
            if text != titles[vertex] and not text.startswith("DONE "):
                lines.setdefault(vertex, []).append(text)
    cached = []
    for vertex, title in titles.items():
        own = lines.get(vertex, [])
        if "CACHED" in own or (own and all(_TRANSFER.match(text) for text in own)):
            cached.append(title)
    return cached
