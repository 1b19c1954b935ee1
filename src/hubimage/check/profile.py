"""What a hub's spawner gives a server of the image: the spawn profile the checks start it under.

A `SpawnProfile` is plain data: the command, the user and groups, the environment, the files
and volumes mounted into the container, the limits, the page users land on and how long the
hub waits. `hubimage.spawnprofiles` derives one per hub (and per profile choice that runs the
image) from the hub's config, over the chart's defaults; without a hub config the checks use
`ZERO_TO_JUPYTERHUB`, the defaults of Zero to JupyterHub and KubeSpawner.

Every setting a profile took from a config carries where it came from (`Applied`), so the
report can say "memory limit 1G, from config/clusters/x/common.values.yaml:12".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace

from hubimage.values import (
    JUPYTERHUB_HTTP_TIMEOUT,
    Z2JH_CMD,
    Z2JH_FS_GID,
    Z2JH_HOME,
    Z2JH_START_TIMEOUT,
    Z2JH_UID,
)

# Zero to JupyterHub's singleuser defaults and JupyterHub's Spawner defaults (values.py)
DEFAULT_CMD: tuple[str, ...] = Z2JH_CMD
DEFAULT_UID = Z2JH_UID
DEFAULT_FS_GID = Z2JH_FS_GID
DEFAULT_HOME = Z2JH_HOME
DEFAULT_HTTP_TIMEOUT = float(JUPYTERHUB_HTTP_TIMEOUT)
DEFAULT_START_TIMEOUT = float(Z2JH_START_TIMEOUT)
ZERO_TO_JUPYTERHUB = "Zero to JupyterHub's default"  # the `source` of a setting nobody set


@dataclass(frozen=True)
class Applied:
    """One setting of a profile, shown to people: what, its value, and where it was set."""

    setting: str  # as in the values: `singleuser.cmd`, `singleuser.extraEnv.SHELL`, ...
    value: str  # as shown in the report (secrets and file contents are never shown)
    source: str  # `FILE:LINE`, or ZERO_TO_JUPYTERHUB


@dataclass(frozen=True)
class MountedFile:
    """A file the spawner mounts over a path in the image (z2jh `singleuser.extraFiles`)."""

    mount_path: str
    content: bytes = field(repr=False)
    mode: int = 0o644  # permission bits, as Helm read them (`0755` in YAML is octal)


@dataclass(frozen=True)
class VolumeMount:
    """A volume the spawner mounts (home, `storage.extraVolumeMounts`): empty in a check."""

    mount_path: str
    read_only: bool = False


@dataclass(frozen=True)
class SpawnProfile:
    """How one hub starts a server of the image, and everything that decides it.

    `environment` is `singleuser.extraEnv` (and `kubespawner_override.environment`) in the
    order the pod lists them, values not yet expanded: `$(VAR)` references are expanded
    against the spawner's own variables at spawn time, as the kubelet does
    (`expand_kubelet_env`).
    """

    hub: str = ""  # "" for the defaults used without a hub config
    name: str = "default"  # the profile or choice: `default`, `profileList[1] GPU`, ...
    image: str | None = None  # the image the config offers here (before the bump)
    cmd: tuple[str, ...] | None = DEFAULT_CMD  # None: the image's own CMD
    args: tuple[str, ...] = ()  # Spawner.args, after cmd
    uid: int | None = DEFAULT_UID  # None: the image's USER
    fs_gid: int | None = DEFAULT_FS_GID  # a supplementary group; None: none
    home_mount_path: str | None = DEFAULT_HOME  # None: no home volume (storage.type none)
    volume_mounts: tuple[VolumeMount, ...] = ()
    files: tuple[MountedFile, ...] = ()
    environment: tuple[tuple[str, str], ...] = ()
    default_url: str | None = None  # where users land; None: the server's own default
    working_dir: str | None = None
    memory_limit: int | None = None  # bytes
    cpu_limit: float | None = None  # cores
    http_timeout: float = DEFAULT_HTTP_TIMEOUT
    start_timeout: float = DEFAULT_START_TIMEOUT
    allow_privilege_escalation: bool = False
    applied: tuple[Applied, ...] = ()
    not_evaluated: tuple[str, ...] = ()  # what the config does that no check reproduces

    @property
    def label(self) -> str:
        """`hub / profile` for reports; the profile alone without a hub."""
        return f"{self.hub} / {self.name}" if self.hub else self.name

    def spawn_key(self) -> tuple[object, ...]:
        """Everything that changes how the server starts and behaves (not names or notes):
        profiles with the same key are checked once."""
        ignored = {"hub", "name", "image", "applied", "not_evaluated"}
        return tuple(getattr(self, f.name) for f in fields(self) if f.name not in ignored)

    def source_of(self, *names: str) -> str:
        """Where the setting whose key ends in one of `names` came from (`FILE:LINE`, or
        Zero to JupyterHub's default); "" when the profile does not record it."""
        for applied in reversed(self.applied):
            if any(
                applied.setting == name or applied.setting.endswith(f".{name}") for name in names
            ):
                return applied.source
        return ""

    def fingerprint(self) -> str:
        """A short hash of `spawn_key()`: two profiles with one fingerprint spawn alike (the
        checks record on an image names the profiles it was checked under by these)."""
        return hashlib.sha256(repr(self.spawn_key()).encode()).hexdigest()[:16]

    def with_defaults_noted(self) -> SpawnProfile:
        """The profile with its unset settings listed as Zero to JupyterHub's defaults.

        A setting counts as set when any applied setting sets the same thing, whichever key
        did it: `hub.config.KubeSpawner.http_timeout` or a profile's
        `kubespawner_override.http_timeout` set what `hub.config.Spawner.http_timeout` names.
        """
        shown = [applied.setting for applied in self.applied]
        defaults = [
            Applied(setting, value, ZERO_TO_JUPYTERHUB)
            for setting, value in _default_settings(self)
            if not any(_sets(name, setting) for name in shown)
        ]
        return replace(self, applied=(*self.applied, *defaults))


ZERO_TO_JUPYTERHUB_PROFILE = SpawnProfile(name="Zero to JupyterHub defaults")


# The last part of every key that sets the same thing as each default setting: the values
# key, the traitlet (hub.config, kubespawner_override), and for the home folder a
# volume_mounts override (which replaces the home mount).
_SAME_SETTING = {
    "singleuser.cmd": ("cmd",),
    "singleuser.uid": ("uid",),
    "singleuser.fsGid": ("fsGid", "fs_gid"),
    "singleuser.storage.homeMountPath": ("homeMountPath", "volume_mounts"),
    "hub.config.Spawner.http_timeout": ("http_timeout",),
    "singleuser.startTimeout": ("startTimeout", "start_timeout"),
}


def _sets(applied: str, default: str) -> bool:
    return applied == default or any(
        applied == last or applied.endswith(f".{last}") for last in _SAME_SETTING.get(default, ())
    )


def _default_settings(profile: SpawnProfile) -> Iterable[tuple[str, str]]:
    yield "singleuser.cmd", " ".join(profile.cmd) if profile.cmd else "(the image's CMD)"
    yield "singleuser.uid", str(profile.uid)
    yield "singleuser.fsGid", str(profile.fs_gid)
    yield "singleuser.storage.homeMountPath", profile.home_mount_path or "(none)"
    yield "hub.config.Spawner.http_timeout", f"{profile.http_timeout:g}"
    yield "singleuser.startTimeout", f"{profile.start_timeout:g}"


def distinct_profiles(profiles: Sequence[SpawnProfile]) -> list[tuple[SpawnProfile, list[str]]]:
    """Each distinct profile once, with the labels of every profile it stands for."""
    seen: dict[tuple[object, ...], tuple[SpawnProfile, list[str]]] = {}
    for profile in profiles:
        key = profile.spawn_key()
        if key in seen:
            seen[key][1].append(profile.label)
        else:
            seen[key] = (profile, [profile.label])
    return list(seen.values())


_QUANTITY = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT]i?|[kmgt]|)([Bb]?)")
_BINARY = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}


def parse_memory(value: object) -> int | None:
    """Bytes from a z2jh memory limit (`1G`, `512M`, `2Gi`, a number of bytes).

    JupyterHub's ByteSpecification reads K, M, G and T as powers of 1024, as Kubernetes reads
    Ki, Mi, Gi and Ti; KubeSpawner passes the bytes on. None for no limit or a value that is
    not a size.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value) if value > 0 else None
    match = _QUANTITY.fullmatch(str(value).strip())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2).upper().rstrip("I")
    size = int(number * _BINARY[unit])
    return size if size > 0 else None
