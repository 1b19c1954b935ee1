"""`hubimage check`: prove an image will run on a JupyterHub before it is pushed."""

from hubimage.check.model import (
    DEFAULT_SIZE_WARN_BYTES,
    CheckOptions,
    CheckReport,
    CheckResult,
    Status,
)
from hubimage.check.runner import CHECK_NAMES, run_checks

__all__ = [
    "CHECK_NAMES",
    "DEFAULT_SIZE_WARN_BYTES",
    "CheckOptions",
    "CheckReport",
    "CheckResult",
    "Status",
    "run_checks",
]
