"""pushed-size: after the push, the compressed size the registry serves, against its budget.

What a hub node downloads on a user's first start is the compressed size, which only the
registry's manifest tells for sure (it depends on the layers' compression). It can only be
known after the push, so it is judged there: above `max-compressed-size` the run fails before
any hub is pointed at the image.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from hubimage.check.model import CheckResult, format_size
from hubimage.errors import ChecksFailedError, RegistryError
from hubimage.registry.client import client_for
from hubimage.registry.retry import READ_RETRY

if TYPE_CHECKING:
    from hubimage.gha import Reporter
    from hubimage.reference import ImageReference
    from hubimage.registry.client import RegistryClient
    from hubimage.registry.credentials import Login

NAME = "pushed-size"


def judge_pushed_size(size: int | None, budget: int | None, seconds: float = 0.0) -> CheckResult:
    details: dict[str, object] = {"compressed_bytes": size, "max_compressed_bytes": budget}
    if size is None:
        return CheckResult(
            NAME,
            "fail" if budget is not None else "warn",
            "the registry did not serve the pushed image's manifest",
            "check the registry; the image is pushed but no hub was pointed at it",
            details,
            seconds,
        )
    shown = f"{format_size(size)} compressed, as the registry serves it"
    if budget is not None and size > budget:
        return CheckResult(
            NAME,
            "fail",
            f"{shown}: above its budget of {format_size(budget)} (max-compressed-size); "
            "the image is pushed but no hub was pointed at it",
            "make the image smaller (no build caches, multi-stage builds) or raise "
            "max-compressed-size",
            details,
            seconds,
        )
    return CheckResult(NAME, "pass", shown, None, details, seconds)


def verify_pushed_size(
    name: ImageReference,
    digest: str,
    login: Login,
    budget: int | None,
    checks: dict[str, Any],
    reporter: Reporter,
    client: RegistryClient | None = None,
) -> None:
    """Judge `name@digest`'s compressed size into the run's `checks`; raise when it fails.

    `client`: the run's logged-in client for that registry (else one of its own)."""

    started = time.monotonic()
    try:
        with client_for(name.registry_host, login, retry=READ_RETRY, shared=client) as reader:
            size = reader.compressed_size(name.repository, digest)
    except RegistryError as error:
        reporter.info(f"could not read the pushed manifest: {error.message}")
        size = None
    result = judge_pushed_size(size, budget, time.monotonic() - started)
    checks.setdefault("results", []).append(result.as_dict())
    reporter.info(f"{NAME}: {result.status}: {result.summary}")
    if result.status == "warn":
        reporter.annotate("warning", result.summary, title=f"check {NAME}")
    if result.status == "fail":
        checks["failed"] = True
        raise ChecksFailedError(result.summary, hint=result.hint)
