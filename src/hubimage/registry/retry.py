"""Bounded retries with exponential backoff, for registry calls that can fail transiently.

Only `TransientRegistryError` is retried (5xx, timeouts, dropped connections); everything
else, notably `RegistryAuthError`, fails at once. Both the number of attempts and the total
time are bounded, so an unreachable registry fails in predictable time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from hubimage.errors import TransientRegistryError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # total tries, the first included
    initial_delay: float = 2.0  # seconds before the second try
    multiplier: float = 2.0
    max_delay: float = 30.0
    total_seconds: float = 600.0  # no new try starts after this much time

    def delay_before(self, attempt: int) -> float:
        """Seconds to wait before try number `attempt` (2 for the first retry)."""
        return min(self.max_delay, self.initial_delay * self.multiplier ** max(0, attempt - 2))


NO_RETRY = RetryPolicy(attempts=1)
# Reads (a tag lookup, a label read) retried like a push, with shorter waits: they are cheap.
READ_RETRY = RetryPolicy(attempts=5, initial_delay=1.0, max_delay=10.0, total_seconds=120)


def with_retries(
    operation: Callable[[], T],
    policy: RetryPolicy,
    what: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run `operation`, retrying transient registry failures as `policy` allows."""
    started = clock()
    attempt = 1
    while True:
        try:
            return operation()
        except TransientRegistryError as error:
            delay = policy.delay_before(attempt + 1)
            elapsed = clock() - started
            if policy.attempts <= 1:
                raise
            if attempt >= policy.attempts or elapsed + delay > policy.total_seconds:
                raise TransientRegistryError(
                    f"{what} failed after {attempt} attempt(s) in {elapsed:.0f}s: {error.message}",
                    hint=error.hint,
                ) from error
            log.warning(
                "%s failed (attempt %d of %d): %s; retrying in %.1fs",
                what,
                attempt,
                policy.attempts,
                error.message,
                delay,
            )
            sleep(delay)
            attempt += 1
