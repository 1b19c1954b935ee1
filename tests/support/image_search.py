"""Search a built image for secret values: its history, its config and labels, its files.

Every place an image can carry a value to whoever pulls it: `docker history` (the commands
that made each layer), the image config (env, labels, entrypoint...) and every file of the
exported filesystem, read as bytes. Used by tests that pass secrets to builds.
"""

from __future__ import annotations

import json
import subprocess
import tarfile
from collections.abc import Iterable

from hubimage.engine import DockerEngine


def image_hits(engine: DockerEngine, ref: str, needles: Iterable[str]) -> list[str]:
    """Where in `ref` any of `needles` occurs: 'history', 'config' or a file path."""
    wanted = [needle.encode() for needle in needles if needle]
    hits: list[str] = []
    history = subprocess.run(
        ["docker", "history", "--no-trunc", "--format", "{{json .}}", ref],
        capture_output=True,
        check=True,
    ).stdout
    if any(needle in history for needle in wanted):
        hits.append("history")
    config = json.dumps(engine.require_image(ref)).encode()
    if any(needle in config for needle in wanted):
        hits.append("config")
    hits += [f"file {name}" for name in _files_with(engine, ref, wanted)]
    return hits


def _files_with(engine: DockerEngine, ref: str, wanted: list[bytes]) -> list[str]:
    container = engine.client.containers.create(ref, ["true"])
    found = []
    try:
        export = subprocess.Popen(["docker", "export", container.id], stdout=subprocess.PIPE)
        assert export.stdout is not None
        with tarfile.open(fileobj=export.stdout, mode="r|") as tar:
            for member in tar:
                if any(needle in member.name.encode() for needle in wanted):
                    found.append(member.name)
                if not member.isfile():
                    continue
                handle = tar.extractfile(member)
                data = handle.read() if handle is not None else b""
                if any(needle in data for needle in wanted):
                    found.append(member.name)
        export.wait()
    finally:
        container.remove(force=True)
    return found
