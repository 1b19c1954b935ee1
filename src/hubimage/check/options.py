"""The validation of check options.

No check is imported here: a run without checks validates what it records on the image
without loading the checks themselves."""

from __future__ import annotations

from hubimage.check.model import CheckOptions
from hubimage.errors import UsageError
from hubimage.values import CHECK_NAMES


def validate_options(options: CheckOptions) -> tuple[str, ...]:
    """The names of the checks to run; UsageError naming the flag for anything wrong."""
    unknown = [name for name in (*options.only, *options.skip) if name not in CHECK_NAMES]
    if unknown:
        raise UsageError(
            f"unknown check(s) {', '.join(unknown)}",
            hint=f"the checks are: {', '.join(CHECK_NAMES)}",
        )
    if options.uid < 0 or options.gid < 0:
        raise UsageError(f"--uid {options.uid} / gid {options.gid}: ids cannot be negative")
    timeouts = {
        "--server-timeout": options.server_timeout,
        "--spawn-timeout": options.spawn_timeout,
        "--kernel-timeout": options.kernel_timeout,
        "--lab-timeout": options.lab_timeout,
        "image-tests' timeout": options.tests_timeout,
    }
    for flag, seconds in timeouts.items():
        if not seconds > 0:
            raise UsageError(f"{flag} must be a positive number of seconds, not {seconds:g}")
    if options.max_image_bytes is not None and options.max_image_bytes <= 0:
        raise UsageError("--max-image-size must be positive")
    if options.size_warn_bytes <= 0:
        raise UsageError("--size-warning-gb must be positive")
    if options.context is not None and not options.context.is_dir():
        raise UsageError(f"--context {options.context} is not a folder")
    return tuple(
        name
        for name in CHECK_NAMES
        if (not options.only or name in options.only) and name not in options.skip
    )
