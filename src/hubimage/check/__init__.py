"""`hubimage check`: prove an image will run on each hub as that hub spawns it, before it is
pushed. `run_checks(engine, image, options, profiles)` gives a `SpawnReport`: one
`CheckReport` per distinct `SpawnProfile` (profile.py; spawnprofiles derives them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubimage.check.model import (
    DEFAULT_SIZE_WARN_BYTES,
    CheckOptions,
    CheckReport,
    CheckResult,
    Status,
)
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, SpawnProfile
from hubimage.check.report import SpawnReport
from hubimage.values import CHECK_NAMES

if TYPE_CHECKING:
    from hubimage.check.runner import run_checks

__all__ = [
    "CHECK_NAMES",
    "DEFAULT_SIZE_WARN_BYTES",
    "ZERO_TO_JUPYTERHUB_PROFILE",
    "CheckOptions",
    "CheckReport",
    "CheckResult",
    "SpawnProfile",
    "SpawnReport",
    "Status",
    "run_checks",
]


def __getattr__(name: str) -> Any:
    # The runner pulls in every check (kernel, lab, the hub stand-in): imported only when
    # checks run, not by a run without checks that reads hubimage.check.pushed.
    if name == "run_checks":
        from hubimage.check.runner import run_checks  # (start-up)

        return run_checks
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
