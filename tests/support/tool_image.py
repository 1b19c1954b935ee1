"""hubimage's own container image (the top-level Dockerfile), built for tests on a stand-in base.

The tag is a hash of everything the Dockerfile copies, so an unchanged source finds the image
in the local store and builds nothing; a changed src/ reuses the dependency layer (the
Dockerfile installs the dependencies from pyproject.toml before it copies src/).
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from hubimage.engine import BuildSpec, DockerEngine
from support.fixture_images import _build_lock, build_cached, context_tar

PROJECT_ROOT = Path(__file__).resolve().parents[2]
TOOL_REPOSITORY = "hii-tool-test/hubimage"
_SKIPPED_PARTS = {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}


def tool_context_files() -> dict[str, str | bytes]:
    """The files the Dockerfile copies, by path relative to the project root."""
    files: dict[str, str | bytes] = {
        name: (PROJECT_ROOT / name).read_bytes()
        for name in ("Dockerfile", "pyproject.toml", "README.md", "requirements/action.txt")
    }
    for path in sorted((PROJECT_ROOT / "src").rglob("*")):
        relative = path.relative_to(PROJECT_ROOT)
        skipped = _SKIPPED_PARTS.intersection(relative.parts) or any(
            part.endswith(".egg-info") for part in relative.parts
        )
        if path.is_file() and not skipped:
            files[relative.as_posix()] = path.read_bytes()
    return files


# The stand-in base is Debian 12 + Python; python:3.12-slim is Debian 13, whose own suite has
# docker-cli and docker-buildx. Give the stand-in that suite, pinned low as .ci/run pins it
# on this machine, so the Dockerfile's plain `apt-get install` finds them as on the real base.
TRIXIE_SUITE = {
    "trixie.sources": "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\n"
    "Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
    "trixie-low": "Package: *\nPin: release n=trixie\nPin-Priority: 100\n",
}


def trixie_python_base(engine: DockerEngine, base_image: str) -> str:
    """`base_image` with Debian 13's suite available (see TRIXIE_SUITE)."""
    dockerfile = (
        f"FROM {base_image}\n"
        "COPY trixie.sources /etc/apt/sources.list.d/trixie.sources\n"
        "COPY trixie-low /etc/apt/preferences.d/trixie-low\n"
    )
    return build_cached(engine, "python-base-trixie-suite", dockerfile, TRIXIE_SUITE)


def tool_image(engine: DockerEngine, base_image: str) -> str:
    """hubimage's image built FROM `base_image` (given Debian 13's suite), unless this
    source was built already."""
    base_image = trixie_python_base(engine, base_image)
    files = tool_context_files()
    digest = hashlib.sha256(base_image.encode())
    for name, content in sorted(files.items()):
        data = content.encode() if isinstance(content, str) else content
        digest.update(b"\0" + name.encode() + b"\0" + hashlib.sha256(data).digest())
    ref = f"{TOOL_REPOSITORY}:{digest.hexdigest()[:16]}"
    with _build_lock():
        if engine.inspect_image(ref) is None:
            started = time.monotonic()
            spec = BuildSpec(
                tag=ref, context_tar=context_tar(files), buildargs={"BASE_IMAGE": base_image}
            )
            engine.build(spec, on_log=lambda _line: None)
            print(f"built the hubimage tool image {ref} in {time.monotonic() - started:.0f}s")
    return ref
