"""What the checks learn about an image: its configuration and a few probes run inside it.

Probes override the ENTRYPOINT: they look at what the image contains, while `server-starts`
is the one check that starts the image the way a hub does (ENTRYPOINT kept). Several checks
need the same probe (who the default user is, which JupyterHub is installed), so each probe
runs once per check run and its result is shared between the checks' threads.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hubimage.check.containers import ContainerSpec, check_labels, run_to_end
from hubimage.engine import BACKGROUND_CPU_SHARES, DockerEngine, RunResult

PROBE_TIMEOUT = 120.0
SINGLEUSER = "jupyterhub-singleuser"
NOT_FOUND_EXIT = 127  # what shells return for a command that is not on PATH

_T = TypeVar("_T")

# Key=value lines about the user the container runs as; POSIX sh and coreutils only.
_IDENTITY_SCRIPT = r"""
printf 'uid=%s\n' "$(id -u)"
printf 'gid=%s\n' "$(id -g)"
printf 'user=%s\n' "$(id -un 2>/dev/null)"
printf 'home=%s\n' "$HOME"
if [ -n "$HOME" ] && [ -d "$HOME" ]; then
  printf 'home_exists=1\n'
  probe="$HOME/.hubimage-write-probe-$$"
  if ( : > "$probe" ) 2>/dev/null; then rm -f "$probe"; printf 'home_writable=1\n'; fi
  ls -1 "$HOME" 2>/dev/null | head -n 20 | sed 's/^/home_entry=/'
fi
"""

_VERSION_SCRIPT = f"""
command -v {SINGLEUSER} || exit {NOT_FOUND_EXIT}
exec {SINGLEUSER} --version
"""

_VERSION_RE = re.compile(r"^\s*v?(\d+\.\d+(?:\.\d+)?\S*)\s*$")


@dataclass(frozen=True)
class ImageFacts:
    """The parts of `docker image inspect` the checks use."""

    ref: str
    user: str
    entrypoint: tuple[str, ...]
    cmd: tuple[str, ...]
    working_dir: str
    env: Mapping[str, str]
    labels: Mapping[str, str]
    size: int

    @classmethod
    def from_inspect(cls, ref: str, info: Mapping[str, Any]) -> ImageFacts:
        config = info.get("Config") or {}
        env = dict(
            item.split("=", 1) if "=" in item else (item, "") for item in config.get("Env") or []
        )
        return cls(
            ref=ref,
            user=str(config.get("User") or ""),
            entrypoint=tuple(config.get("Entrypoint") or ()),
            cmd=tuple(config.get("Cmd") or ()),
            working_dir=str(config.get("WorkingDir") or ""),
            env=env,
            labels=dict(config.get("Labels") or {}),
            size=int(info.get("Size") or 0),
        )


@dataclass(frozen=True)
class SpawnerUser:
    """`--user` and `--group-add` of a container (user None: the image's USER)."""

    user: str | None = None
    groups: tuple[str, ...] = ()

    def __str__(self) -> str:
        name = f"uid {self.user}" if self.user is not None else "the image's user"
        return f"{name} with group {', '.join(self.groups)}" if self.groups else name


@dataclass(frozen=True)
class Identity:
    """Who a container runs as and what its $HOME looks like to that user."""

    user_spec: SpawnerUser | None  # how the container was started (None: the image's USER)
    uid: int | None
    gid: int | None
    user: str  # "" when the uid has no /etc/passwd entry
    home: str
    home_exists: bool
    home_writable: bool
    home_entries: tuple[str, ...]  # non-hidden names in $HOME (at most 20)

    @property
    def who(self) -> str:
        """`jovyan (uid 1000, gid 100)` for messages."""
        name = f"{self.user} " if self.user else ""
        return f"{name}(uid {self.uid}, gid {self.gid})"


@dataclass(frozen=True)
class SingleuserProbe:
    """The outcome of `jupyterhub-singleuser --version` in the image."""

    found: bool
    version: str | None  # None when it is missing or printed no version
    path: str | None
    exit_code: int
    output: str
    via_entrypoint: bool  # only found when the image's ENTRYPOINT ran first


class ProbeFailed(Exception):
    """A probe could not tell anything (no /bin/sh, `id` missing, ...)."""

    def __init__(self, message: str, result: RunResult) -> None:
        super().__init__(message)
        self.result = result


class ImageProbe:
    """Runs each probe at most once per check run, whichever thread asks first."""

    def __init__(self, engine: DockerEngine, facts: ImageFacts) -> None:
        self.engine = engine
        self.facts = facts
        self._lock = threading.Lock()
        self._slots: dict[str, _Once[Any]] = {}

    def identity(self, user_spec: SpawnerUser | None = None) -> Identity:
        """Who runs the container as `user_spec` (None: the image's default user)."""
        return self._once(f"identity:{user_spec!r}", lambda: self._probe_identity(user_spec))

    def singleuser(self) -> SingleuserProbe:
        return self._once("singleuser", self._probe_singleuser)

    def _once(self, key: str, compute: Callable[[], _T]) -> _T:
        with self._lock:
            slot = self._slots.setdefault(key, _Once(compute))
        result: _T = slot.get()
        return result

    def _probe_identity(self, user_spec: SpawnerUser | None) -> Identity:
        spec = ContainerSpec(
            self.facts.ref,
            command=[_IDENTITY_SCRIPT],
            entrypoint=["/bin/sh", "-c"],
            user=user_spec.user if user_spec else None,
            group_add=user_spec.groups if user_spec else (),
            labels=check_labels("identity"),
            cpu_shares=BACKGROUND_CPU_SHARES,
        )
        result = run_to_end(self.engine, spec, PROBE_TIMEOUT)
        values = _key_values(result.output)
        if result.exit_code != 0 or not values.get("uid", [""])[0].isdigit():
            raise ProbeFailed(
                f"could not run `/bin/sh` and `id` in the image (exit code {result.exit_code})",
                result,
            )
        return Identity(
            user_spec=user_spec,
            uid=_int_or_none(values.get("uid")),
            gid=_int_or_none(values.get("gid")),
            user=(values.get("user") or [""])[0],
            home=(values.get("home") or [""])[0],
            home_exists="home_exists" in values,
            home_writable="home_writable" in values,
            home_entries=tuple(values.get("home_entry", [])),
        )

    def _probe_singleuser(self) -> SingleuserProbe:
        direct = self._run_singleuser(keep_entrypoint=False)
        if direct.found or not self.facts.entrypoint:
            return direct
        # Some images only put the environment on PATH in their ENTRYPOINT (conda activation).
        through_entrypoint = self._run_singleuser(keep_entrypoint=True)
        return through_entrypoint if through_entrypoint.found else direct

    def _run_singleuser(self, keep_entrypoint: bool) -> SingleuserProbe:
        shell = ["/bin/sh", "-c", _VERSION_SCRIPT]
        spec = ContainerSpec(
            self.facts.ref,
            command=shell if keep_entrypoint else shell[2:],
            entrypoint=None if keep_entrypoint else shell[:2],
            labels=check_labels("singleuser-version"),
            cpu_shares=BACKGROUND_CPU_SHARES,
        )
        result = run_to_end(self.engine, spec, PROBE_TIMEOUT)
        lines = [line.strip() for line in result.output.splitlines() if line.strip()]
        found = result.exit_code != NOT_FOUND_EXIT and bool(lines)
        version = None
        if result.exit_code == 0:
            matches = [m.group(1) for line in lines[1:] if (m := _VERSION_RE.match(line))]
            version = matches[-1] if matches else None
        return SingleuserProbe(
            found=found,
            version=version,
            path=lines[0] if found else None,
            exit_code=result.exit_code,
            output=result.output,
            via_entrypoint=keep_entrypoint,
        )


class _Once(Generic[_T]):
    """A value computed on first use; later callers wait for it, errors are re-raised."""

    def __init__(self, compute: Callable[[], _T]) -> None:
        self._compute = compute
        self._lock = threading.Lock()
        self._done = False
        self._value: _T | None = None
        self._error: Exception | None = None

    def get(self) -> _T:
        with self._lock:
            if not self._done:
                try:
                    self._value = self._compute()
                except Exception as error:
                    self._error = error
                self._done = True
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]  # set when no error was recorded


def _key_values(output: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in output.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            values.setdefault(key, []).append(value)
    return values


def _int_or_none(values: list[str] | None) -> int | None:
    return int(values[0]) if values and values[0].isdigit() else None
