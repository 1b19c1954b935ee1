"""What inputs and flags may say about the checks: their names, and sizes as people write them.

Standard library only, and below every stage package (see the import-linter contracts), so
the action validates `skip-checks` and the size budgets with the bare Python of
actions/setup-python before anything is installed. `check.runner` builds its registry in
this order and refuses to import if the two disagree.
"""

from __future__ import annotations

import re

from hubimage.errors import UsageError

# In report order: what a hub needs first (the command, the user, a home), then the server
# and what users meet through it, then facts about the image.
CHECK_NAMES: tuple[str, ...] = (
    "singleuser-command",
    "non-root-user",
    "home-writable",
    "server-starts",
    "spawn-time",
    "server-log",
    "kernel-runs",
    "lab-loads",
    "hub-version",
    "repo-visible",
    "image-size",
    "image-tests",
)

_UNITS = {"": 1, "B": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_SIZE_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(I?B)?", re.IGNORECASE)


def parse_size(text: str, name: str) -> int | None:
    """Bytes from `6GB`, `800 MB`, `1.5G`, `2GiB` or a plain number; None for empty text.

    Decimal units, as `docker images` and registries print sizes; GiB and MiB are binary.
    """
    text = text.strip()
    if not text:
        return None
    match = _SIZE_RE.fullmatch(text)
    if not match:
        raise UsageError(f"{name} {text!r} is not a size such as 6GB or 800MB")
    number, unit, suffix = match.group(1), match.group(2).upper(), (match.group(3) or "").upper()
    scale = 1024 ** " KMGT".index(unit) if suffix == "IB" and unit else _UNITS[unit]
    size = int(float(number) * scale)
    if size <= 0:
        raise UsageError(f"{name} {text!r} must be more than zero")
    return size
