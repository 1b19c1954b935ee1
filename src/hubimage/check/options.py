"""Check options from outside: sizes as people write them, and the action's inputs."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hubimage.check.model import CheckOptions
from hubimage.errors import UsageError

if TYPE_CHECKING:
    from hubimage.inputs import RunInputs

ARTIFACTS_ENV = "HUBIMAGE_ARTIFACTS_DIR"  # where to keep the screenshot, if not the default
ARTIFACTS_FOLDER = "hubimage-artifacts"  # under $RUNNER_TEMP: what action.yml uploads
_UNITS = {"": 1, "B": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_SIZE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(I?B)?", re.IGNORECASE)


def parse_size(text: str, name: str) -> int | None:
    """Bytes from `6GB`, `800 MB`, `1.5G`, `2GiB` or a plain number; None for empty text.

    Decimal units, as `docker images` and registries print sizes; GiB and MiB are binary.
    """
    text = text.strip()
    if not text:
        return None
    match = _SIZE_RE.fullmatch(text)
    if not match:
        raise UsageError(f"{name} {text!r} is not a size such as 6GB or 800MB")
    number, unit, suffix = match.group(1), match.group(2).upper(), (match.group(3) or "").upper()
    scale = 1024 ** " KMGT".index(unit) if suffix == "IB" and unit else _UNITS[unit]
    size = int(float(number) * scale)
    if size <= 0:
        raise UsageError(f"{name} {text!r} must be more than zero")
    return size


def options_for_run(
    inputs: RunInputs, previous_image: str | None, environ: Mapping[str, str] = os.environ
) -> CheckOptions:
    """What `hubimage run` checks with; the screenshot goes where the action uploads from."""
    artifacts = environ.get(ARTIFACTS_ENV)
    if not artifacts and environ.get("RUNNER_TEMP"):
        artifacts = str(Path(environ["RUNNER_TEMP"]) / ARTIFACTS_FOLDER)
    return CheckOptions(
        uid=inputs.user_id,
        hub_version=inputs.hub_version,
        server_timeout=inputs.server_timeout,
        context=inputs.context,
        skip=inputs.skip_checks,
        spawn_timeout=inputs.spawn_timeout,
        max_image_bytes=inputs.max_image_size,
        previous_image=previous_image,
        all_kernels=inputs.all_kernels,
        lab_url=inputs.lab_url,
        artifacts_dir=Path(artifacts) if artifacts else None,
    )
