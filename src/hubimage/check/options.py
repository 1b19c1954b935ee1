"""The validation of check options.

No check is imported here: a run without checks validates what it records on the image
without loading the checks themselves."""

from __future__ import annotations

from hubimage.check.model import CheckOptions
from hubimage.errors import UsageError
from hubimage.values import CHECK_NAMES, check_name


def validate_options(options: CheckOptions) -> tuple[str, ...]:
    """The names of the checks to run; UsageError naming the flag for anything wrong."""
    only = tuple(check_name(name) for name in options.only)
    skip = tuple(check_name(name) for name in options.skip)
    unknown = [name for name in (*only, *skip) if name not in CHECK_NAMES]
    if unknown:
        raise UsageError(
            f"unknown check(s) {', '.join(unknown)}",
            hint=f"the checks are: {', '.join(CHECK_NAMES)}",
        )
    timeouts = {
        "--kernel-timeout": options.kernel_timeout,
        "--landing-timeout": options.landing_timeout,
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
    return tuple(name for name in CHECK_NAMES if (not only or name in only) and name not in skip)
