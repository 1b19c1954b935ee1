"""`hubimage check`: prove an image will run on a JupyterHub before it is pushed."""

from hubimage.check.model import (
    DEFAULT_SIZE_WARN_BYTES,
    CheckOptions,
    CheckReport,
    CheckResult,
    Status,
)
from hubimage.check.runner import run_checks
from hubimage.check_inputs import CHECK_NAMES

__all__ = [
    "CHECK_NAMES",
    "DEFAULT_SIZE_WARN_BYTES",
    "CheckOptions",
    "CheckReport",
    "CheckResult",
    "Status",
    "run_checks",
]
