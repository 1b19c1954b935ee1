"""The README's first command on the bundled example: build and check, nothing pushed.

The one change from the README's command is the base image: `python:3.12-slim` comes from
Docker Hub, which this machine cannot reach, so a Debian + Python image built here stands in
for it (`--build-args BASE_IMAGE=...`, the input the example's Dockerfile reads).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
README_COMMAND = (
    "hubimage run --context examples/image --image example/hub-image --push false --bump-mode none"
)


def test_the_readmes_first_command_builds_the_example_and_every_check_passes(
    python_base_image: str, tmp_path: Path
) -> None:
    assert README_COMMAND in (ROOT / "README.md").read_text()
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    environ["HUBIMAGE_ARTIFACTS_DIR"] = str(tmp_path / "artifacts")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            *README_COMMAND.split(),
            "--json",
            "--build-args",
            f"BASE_IMAGE={python_base_image}",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    outcome = json.loads(done.stdout)
    assert outcome["pushed"] == "false" and outcome["bump-result"] == "skipped"
    statuses = {result["name"]: result["status"] for result in outcome["checks"]["results"]}
    # No hub version and no image-tests/ folder were given: those two say so and skip.
    assert statuses.pop("hub-version") == "skip" and statuses.pop("image-tests") == "skip"
    assert set(statuses.values()) <= {"pass", "warn"}, statuses
    assert statuses["kernel-runs"] == "pass" and statuses["landing-page"] == "pass"
