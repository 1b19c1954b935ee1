"""Every secret value hubimage has seen (registry, GitHub, inputs), in one place, for masking.

A reporter (the GitHub Actions one prints `::add-mask::VALUE`) subscribes once; every value
added before or after it subscribed reaches it exactly once. `redact` scrubs known values from
text we did not write ourselves (engine or registry messages) before it goes into an error.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterable

SecretListener = Callable[[str], None]

# Very short values would mask harmless text all over a log; real secrets are longer.
_MIN_SECRET_LENGTH = 4


def derived_forms(value: str) -> list[str]:
    """`value` and the encodings it travels in (base64 forms appear in auth headers)."""
    encoded = base64.b64encode(value.encode()).decode()
    return [value, encoded, encoded.rstrip("="), base64.urlsafe_b64encode(value.encode()).decode()]


class SecretRegistry:
    def __init__(self) -> None:
        self._values: list[str] = []
        self._listeners: list[SecretListener] = []
        self._lock = threading.Lock()

    def add(self, *values: str | None) -> None:
        for value in values:
            if not value or len(value) < _MIN_SECRET_LENGTH:
                continue
            with self._lock:
                if value in self._values:
                    continue
                self._values.append(value)
                listeners = list(self._listeners)
            for listener in listeners:
                listener(value)

    def add_all(self, values: Iterable[str]) -> None:
        self.add(*values)

    def subscribe(self, listener: SecretListener) -> None:
        with self._lock:
            self._listeners.append(listener)
            known = list(self._values)
        for value in known:
            listener(value)

    def values(self) -> list[str]:
        with self._lock:
            return list(self._values)

    def redact(self, text: str) -> str:
        # Longest first, so a secret that contains another is replaced whole.
        for value in sorted(self.values(), key=len, reverse=True):
            text = text.replace(value, "***")
        return text


SECRETS = SecretRegistry()
"""The process-wide registry: credentials register here as soon as they are resolved."""
