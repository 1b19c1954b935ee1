"""Labels added to a local image without a rebuild, through buildx where it can."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path


def buildx_relabel(ref: str, labels: Mapping[str, str]) -> bool:
    """`add_labels` through `docker buildx build`; False when buildx cannot do it here.

    The labels travel in the Dockerfile (LABEL lines), not in argv, which caps one argument
    at 128 KiB (a package inventory can be large).
    """
    docker = shutil.which("docker")
    if docker is None or any("\n" in value for value in labels.values()):
        return False
    lines = [f"FROM {ref}"] + [f"LABEL {_quoted(k)}={_quoted(v)}" for k, v in labels.items()]
    dockerfile = ("\n".join(lines) + "\n").encode()
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w", format=tarfile.GNU_FORMAT) as tar:
        entry = tarfile.TarInfo("Dockerfile")
        entry.size = len(dockerfile)
        tar.addfile(entry, io.BytesIO(dockerfile))
    with tempfile.TemporaryDirectory(prefix="hubimage-relabel-") as scratch:
        iidfile = Path(scratch) / "iid"
        argv = [docker, "buildx", "build", "--quiet", "--provenance", "false", "--load"]
        argv += ["--tag", ref, "--iidfile", str(iidfile), "-"]
        try:
            done = subprocess.run(
                argv, input=context.getvalue(), capture_output=True, timeout=600, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return False
        # Not done: no buildx, or a driver that cannot see the engine's local images.
        return done.returncode == 0 and iidfile.is_file()


def _quoted(text: str) -> str:
    """A Dockerfile double-quoted word: backslash, quote and `$` escaped (one line)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'
