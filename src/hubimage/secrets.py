"""Every secret value hubimage has seen (registry, GitHub, inputs), in one place, for masking.

A reporter (the GitHub Actions one prints `::add-mask::VALUE`) subscribes once; every value
added before or after it subscribed reaches it exactly once. `redact` scrubs known values from
text we did not write ourselves (engine or registry messages) before it goes into an error.
"""

from __future__ import annotations

import base64
import ipaddress
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlsplit

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


# What any child program needs to run at all; everything else (INPUT_* with the registry
# password and the GitHub token, HUBIMAGE_*, GITHUB_TOKEN, ACTIONS_RUNTIME_TOKEN, ...) stays
# with hubimage. Proxies and CA bundles are kept so a child that talks to the network works
# where hubimage does.
_CHILD_BASICS = (
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "LANG",
    "TMPDIR",
    "TZ",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)


def child_environment(
    keep: Iterable[str] = (),
    keep_prefixes: Iterable[str] = (),
    environ: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """A minimal environment for a child process: the basics, plus what the caller names."""
    source = os.environ if environ is None else environ
    names = {*_CHILD_BASICS, *keep}
    prefixes = tuple(keep_prefixes)
    return {
        name: value
        for name, value in source.items()
        if name in names or (prefixes and name.startswith(prefixes))
    }


def safe_for_credentials(url: str) -> bool:
    """May credentials travel to `url`? Only over https, or plain http to this machine."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False
