"""The small typed values every layer shares, each with its one parser.

The choices of the inputs (`Literal`s), the names of the checks, a hub's JupyterHub version,
a size and a hub config's path. They sit below the inputs and every stage package (see the
import-linter contracts in pyproject.toml), so a value is parsed once, at the door, and
carried as its type to its last use. Standard library only: the action validates its inputs
with the bare Python of actions/setup-python before anything is installed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hubimage.errors import UsageError

StrategyName = Literal["auto", "repo2docker", "pangeo", "dockerfile"]  # input `builder`
STRATEGY_NAMES: tuple[StrategyName, ...] = ("auto", "repo2docker", "pangeo", "dockerfile")
BuildBackendKind = Literal["buildx", "legacy"]  # what builds: BuildKit, or the Engine API
BuildBackendChoice = Literal["auto", "buildx", "legacy"]  # input `build-backend`
BUILD_BACKEND_CHOICES: tuple[BuildBackendChoice, ...] = ("auto", "buildx", "legacy")
CacheMode = Literal["registry", "inline", "gha", "none"]  # input `cache`
CACHE_MODES: tuple[CacheMode, ...] = ("registry", "inline", "gha", "none")
BumpMode = Literal["none", "file", "commit", "pr"]  # input `bump-mode`
BUMP_MODES: tuple[BumpMode, ...] = ("none", "file", "commit", "pr")
RolloutMode = Literal["file", "commit", "pr"]  # how an edit is delivered
BumpScope = Literal["source", "hub"]  # input `bump-scope`
BUMP_SCOPES: tuple[BumpScope, ...] = ("source", "hub")
PushPolicy = Literal["auto", "true", "false"]  # inputs `push` and `skip-unchanged`
PUSH_POLICIES: tuple[PushPolicy, ...] = ("auto", "true", "false")
RolloutStatus = Literal["created", "updated", "unchanged", "skipped"]  # output `bump-result`

# In report order: what a hub needs first (the command, the user, a home), then the server
# and what users meet through it (the page they land on, a second day on the same home), then
# facts about the image. `check.runner` builds its registry in this order and refuses to
# import if the two disagree.
CHECK_NAMES: tuple[str, ...] = (
    "singleuser-command",
    "non-root-user",
    "home-writable",
    "server-starts",
    "spawn-time",
    "server-log",
    "server-extensions",
    "kernel-runs",
    "landing-page",
    "second-start",
    "hub-version",
    "repo-visible",
    "image-size",
    "image-tests",
)
# Old names still taken where checks are named (skip-checks, --only, --skip).
RENAMED_CHECKS = {"lab-loads": "landing-page"}


def check_name(name: str) -> str:
    """The check's current name (`lab-loads` is now `landing-page`)."""
    return RENAMED_CHECKS.get(name, name)


# Zero to JupyterHub's and JupyterHub's own defaults, and hubimage's, each written once: the
# input table, the CLI flags, the check options and the spawn profiles read them from here.
Z2JH_CMD = ("jupyterhub-singleuser",)  # singleuser.cmd
Z2JH_UID = 1000  # singleuser.uid
Z2JH_FS_GID = 100  # singleuser.fsGid: a supplementary group (the pod's fsGroup)
Z2JH_HOME = "/home/jovyan"  # singleuser.storage.homeMountPath
Z2JH_START_TIMEOUT = 300  # singleuser.startTimeout: scheduling and the image pull included
JUPYTERHUB_HTTP_TIMEOUT = 30  # Spawner.http_timeout: the server must answer by then
SERVER_TIMEOUT = 60  # how long server-starts waits for the server's API
KERNEL_TIMEOUT = 60  # how long kernel-runs waits for a kernel to start and run `1 + 1`
LANDING_TIMEOUT = 60  # how long landing-page waits for the page users land on

_VERSION = re.compile(
    r"v?(\d+)(?:\.(\d+)(?:\.(\d+))?((?:[.-]?(?:a|b|rc|dev|post)\d*)*(?:\+[a-z0-9.]+)?))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class HubVersion:
    """A JupyterHub version as hubs report it: `5`, `5.2`, `5.2.1`, `v5.2.1`, `5.4.3.dev0`."""

    major: int
    minor: int | None = None
    patch: int | None = None
    text: str = ""

    @classmethod
    def parse(cls, text: str, what: str = "input 'hub-version'") -> HubVersion:
        """The version in `text`; UsageError naming `what` (the input or the flag) if none."""
        match = _VERSION.fullmatch(text.strip())
        if not match:
            raise UsageError(
                f"{what}: {text!r} is not a JupyterHub version",
                hint="give the hub's version as MAJOR[.MINOR[.PATCH]], e.g. 5.2.1 "
                "(`jupyterhub --version` on the hub, or GET /hub/api)",
            )
        major, minor, patch = (int(g) if g is not None else None for g in match.groups()[:3])
        assert major is not None  # the pattern requires it
        return cls(major, minor, patch, text.strip().lstrip("vV"))

    @classmethod
    def read(cls, text: str) -> HubVersion | None:
        """A version some software reported about itself (`6.1.1`); None if it is none."""
        try:
            return cls.parse(text, "version")
        except UsageError:
            return None

    def __str__(self) -> str:
        return self.text or ".".join(
            str(part) for part in (self.major, self.minor, self.patch) if part is not None
        )


_UNITS = {"": 1, "B": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}
_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]?)(I?B)?", re.IGNORECASE)


def parse_size(text: str, what: str) -> int | None:
    """Bytes from `6GB`, `800 MB`, `1.5G`, `2GiB` or a plain number; None for empty text.

    Decimal units, as `docker images` and registries print sizes; GiB and MiB are binary.
    """
    text = text.strip()
    if not text:
        return None
    match = _SIZE.fullmatch(text)
    if not match:
        raise UsageError(f"{what} {text!r} is not a size such as 6GB or 800MB")
    number, unit, suffix = match.group(1), match.group(2).upper(), (match.group(3) or "").upper()
    scale = 1024 ** " KMGT".index(unit) if suffix == "IB" and unit else _UNITS[unit]
    size = int(float(number) * scale)
    if size <= 0:
        raise UsageError(f"{what} {text!r} must be more than zero")
    return size


@dataclass(frozen=True)
class HubConfigPath:
    """The hub config a bump starts from: a local path (file mode), or a path inside the
    config repository (commit and pr modes: relative, never leaving it with `..`)."""

    text: str
    in_repository: bool = False

    @classmethod
    def parse(
        cls, text: str, *, in_repository: bool, what: str = "input 'hub-config'"
    ) -> HubConfigPath:
        if in_repository:
            normal = posixpath.normpath(text.replace("\\", "/"))
            if posixpath.isabs(normal) or normal == ".." or normal.startswith("../"):
                raise UsageError(
                    f"{what}: {text!r} leaves the repository; give a path relative to "
                    "the repository root (e.g. config/clusters/NAME/cluster.yaml)"
                )
        return cls(text, in_repository)

    @property
    def local(self) -> Path:
        """The file on this machine (file mode, or the checkout of the config repository)."""
        return Path(self.text)

    def __str__(self) -> str:
        return self.text
