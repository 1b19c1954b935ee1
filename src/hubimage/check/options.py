"""Check options from outside: sizes as people write them, and the action's inputs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hubimage.check.model import CheckOptions

if TYPE_CHECKING:
    from hubimage.inputs import RunInputs

ARTIFACTS_ENV = "HUBIMAGE_ARTIFACTS_DIR"  # where to keep the screenshot, if not the default
ARTIFACTS_FOLDER = "hubimage-artifacts"  # under $RUNNER_TEMP: what action.yml uploads


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
