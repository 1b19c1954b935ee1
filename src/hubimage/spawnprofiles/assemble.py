"""A SpawnProfile from the spawner's settings once a profile's overrides are applied.

What KubeSpawner does with each setting (kubespawner/spawner.py `get_pod_manifest`,
`get_env`; jupyterhub/spawner.py): `cmd + get_args()` is the container's command when `cmd` is
set, else the image's CMD runs and the args are dropped; `get_args()` is `Spawner.args`, or
BinderHub's own arguments; the volume mounts are `volume_mounts` sorted by key; memory and
CPU limits are the traits `mem_limit` (bytes, JupyterHub's ByteSpecification) and `cpu_limit`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from hubimage.check.profile import (
    DEFAULT_HTTP_TIMEOUT,
    DEFAULT_START_TIMEOUT,
    ZERO_TO_JUPYTERHUB,
    Applied,
    MountedFile,
    SpawnProfile,
    VolumeMount,
    parse_memory,
)
from hubimage.spawnprofiles.binder import binder_args
from hubimage.spawnprofiles.environment import pod_environment
from hubimage.spawnprofiles.extrafiles import ExtraFiles
from hubimage.spawnprofiles.notes import trait_notes
from hubimage.spawnprofiles.spawner import HOME_SETTING, SpawnerConfig
from hubimage.spawnprofiles.traits import Trait, Traits, plain

_SHOWN = 120  # characters of a long value (a script in cmd) shown in the report


@dataclass
class _Parts:
    applied: list[Applied]
    notes: list[str]

    def note(self, trait: Trait | None, shown: str) -> None:
        if trait is not None and trait.source != ZERO_TO_JUPYTERHUB:
            why = f" ({trait.why})" if trait.why else ""
            self.applied.append(Applied(trait.setting, _short(shown) + why, trait.source))


def assemble(
    hub: str, name: str, traits: Traits, config: SpawnerConfig, files: ExtraFiles
) -> SpawnProfile:
    parts = _Parts([], [])
    image = traits.get("image")
    if image is not None:
        parts.note(image, str(image.value))
    cmd = _cmd(traits.get("cmd"), parts)
    args = _args(traits, config, cmd, parts)
    home, mounts, mounted = _mounts(traits.get("volume_mounts"), files, parts)
    storage = config.storage_type
    parts.note(storage, str(storage.value))
    if home is None and storage.source != ZERO_TO_JUPYTERHUB:
        parts.note(replace(storage, setting=HOME_SETTING), "(none: no home volume)")
    environment = pod_environment(
        _entries(traits.get("environment"), parts), traits.get("notebook_dir")
    )
    parts.applied += environment.applied
    parts.notes += environment.notes
    default_url = _text(traits.get("default_url"), parts) or None
    profile = SpawnProfile(
        hub=hub,
        name=name,
        image=str(image.value) if image is not None else None,
        cmd=cmd,
        args=args,
        uid=_id(traits.get("uid"), parts),
        fs_gid=_id(traits.get("fs_gid"), parts),
        home_mount_path=home,
        volume_mounts=mounts,
        files=mounted,
        environment=environment.variables,
        default_url=default_url,
        working_dir=_text(traits.get("working_dir"), parts) or None,
        memory_limit=_memory(traits.get("mem_limit"), parts),
        cpu_limit=_cpu(traits.get("cpu_limit"), parts),
        http_timeout=_seconds(traits.get("http_timeout"), DEFAULT_HTTP_TIMEOUT, parts),
        start_timeout=_seconds(traits.get("start_timeout"), DEFAULT_START_TIMEOUT, parts),
        allow_privilege_escalation=_escalation(traits.get("allow_privilege_escalation"), parts),
        applied=tuple(parts.applied),
        not_evaluated=tuple(dict.fromkeys([*parts.notes, *trait_notes(traits)])),
    )
    return profile.with_defaults_noted()


def _short(text: str) -> str:
    text = " ".join(text.split("\n")) if "\n" in text else text
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _cmd(trait: Trait | None, parts: _Parts) -> tuple[str, ...] | None:
    value = trait.value if trait is not None else None
    if isinstance(value, str):
        value = [value]  # JupyterHub's Command trait: a string is the one command
    if value is not None and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        parts.notes.append(
            f"{trait.setting if trait else 'cmd'}: {value!r} is no command; the image's CMD used"
        )
        value = None
    if not value:  # None or []: KubeSpawner leaves the image's CMD
        parts.note(trait, "null (the image's CMD)")
        return None
    parts.note(trait, " ".join(value))
    return tuple(value)


def _args(
    traits: Traits, config: SpawnerConfig, cmd: tuple[str, ...] | None, parts: _Parts
) -> tuple[str, ...]:
    trait = traits.get("args")
    value = trait.value if trait is not None else []
    if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        parts.notes.append(
            f"{trait.setting if trait else 'args'}: {value!r} is no argument list; none used"
        )
        value = []
    args = list(value)
    if config.binder is not None:
        args, binder_notes = binder_args(traits, config, args, parts.applied)
        parts.notes += binder_notes
    elif args:
        parts.note(trait, " ".join(args))
    if args and cmd is None:
        parts.notes.append("args are dropped: without cmd KubeSpawner runs the image's CMD alone")
        return ()
    return tuple(args)


def _entries(trait: Trait | None, parts: _Parts) -> Mapping[str, Trait]:
    if trait is None or trait.value is None:
        return {}
    if not isinstance(trait.value, dict):
        parts.notes.append(
            f"{trait.setting} ({trait.source}) is a {type(trait.value).__name__}: KubeSpawner's "
            "environment takes a mapping; the hub refuses it"
        )
        return {}
    return trait.value


def _mounts(
    trait: Trait | None, files: ExtraFiles, parts: _Parts
) -> tuple[str | None, tuple[VolumeMount, ...], tuple[MountedFile, ...]]:
    """The home folder, the other volume mounts and the extraFiles, from volume_mounts."""
    value = trait.value if trait is not None else None
    if isinstance(value, dict):
        entries = [value[key] for key in sorted(value)]  # KubeSpawner sorts a mapping by key
    elif isinstance(value, list):
        entries = list(value)
    else:
        entries = []
    home, mounts, mounted = None, [], []
    for entry in entries:
        mount = entry.value if isinstance(entry, Trait) else entry
        if not isinstance(mount, dict) or not isinstance(mount.get("mountPath"), str):
            continue
        key = str(mount.get("subPath"))
        if mount.get("name") == "files" and key in files.files:
            mounted.append(files.files[key].file)
            parts.applied.append(files.files[key].applied)
        elif isinstance(entry, Trait) and entry.setting == HOME_SETTING:
            home = mount["mountPath"]
            parts.note(entry, home)
        else:
            read_only = bool(mount.get("readOnly"))
            mounts.append(VolumeMount(mount["mountPath"], read_only))
            if isinstance(entry, Trait):
                parts.note(entry, mount["mountPath"] + (" (read-only)" if read_only else ""))
    file_paths = {file.mount_path for file in mounted}
    kept = tuple(mount for mount in mounts if mount.mount_path not in file_paths)
    return home, kept, tuple(mounted)


def _text(trait: Trait | None, parts: _Parts) -> str:
    if trait is None or trait.value is None:
        return ""
    if not isinstance(trait.value, str):
        parts.notes.append(
            f"{trait.setting} ({trait.source}): {trait.value!r} is not text; ignored"
        )
        return ""
    parts.note(trait, trait.value or '""')
    return trait.value


def _id(trait: Trait | None, parts: _Parts) -> int | None:
    if trait is None or trait.value is None:
        return None
    if isinstance(trait.value, bool) or not isinstance(trait.value, int):
        parts.notes.append(
            f"{trait.setting} ({trait.source}): {trait.value!r} is not an id; ignored"
        )
        return None
    parts.note(trait, str(trait.value))
    return trait.value


def _memory(trait: Trait | None, parts: _Parts) -> int | None:
    if trait is None or trait.value is None:
        parts.note(trait, "null (no limit)")
        return None
    size = parse_memory(trait.value)
    if size is None or not _byte_specification(trait.value):
        parts.notes.append(
            f"{trait.setting} ({trait.source}): {trait.value!r} is not a size JupyterHub takes "
            "(an integer, or a number with K, M, G or T)"
            + ("; no limit used" if size is None else "; read as a size anyway")
        )
    if size is not None:
        parts.note(trait, f"{trait.value} ({size} bytes)")
    return size


def _byte_specification(value: Any) -> bool:
    """Whether JupyterHub's ByteSpecification trait takes `value` (jupyterhub/traitlets.py)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    text = str(value)
    try:
        float(text[:-1])
    except ValueError:
        return False
    return text[-1:] in ("K", "M", "G", "T")


def _cpu(trait: Trait | None, parts: _Parts) -> float | None:
    if trait is None or trait.value is None:
        parts.note(trait, "null (no limit)")
        return None
    if isinstance(trait.value, bool) or not isinstance(trait.value, (int, float)):
        parts.notes.append(
            f"{trait.setting} ({trait.source}): {trait.value!r} is not a number of cores; "
            "no limit used"
        )
        return None
    parts.note(trait, f"{trait.value:g}")
    return float(trait.value) if trait.value > 0 else None


def _seconds(trait: Trait | None, default: float, parts: _Parts) -> float:
    if trait is None or trait.value is None:
        return default
    if isinstance(trait.value, bool) or not isinstance(trait.value, (int, float)):
        parts.notes.append(
            f"{trait.setting} ({trait.source}): {trait.value!r} is not seconds; {default:g} used"
        )
        return default
    parts.note(trait, f"{trait.value:g}")
    return float(trait.value)


def _escalation(trait: Trait | None, parts: _Parts) -> bool:
    value = plain(trait)
    if value is None:
        # Left unset in the pod: Kubernetes allows escalation by default.
        parts.note(trait, "null (Kubernetes' default: allowed)")
        return True
    parts.note(trait, str(bool(value)).lower())
    return bool(value)
