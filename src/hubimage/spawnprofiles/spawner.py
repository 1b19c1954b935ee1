"""The spawner's settings before any profile applies, as Zero to JupyterHub configures it.

z2jh's `jupyterhub/files/hub/jupyterhub_config.py` sets `c.KubeSpawner.<trait>` from
`singleuser.*` (when not null), `c.Spawner.cmd` from `singleuser.cmd` (when given, null too)
and `c.Spawner.default_url` from `singleuser.defaultUrl`, the volume mounts from `storage`,
`extraFiles` and `extraVolumeMounts`; then `c[section].update(hub.config.<section>)` (a dict
update: a key replaces the whole value), then runs `hub.extraConfig`. traitlets gives the
spawner the `Spawner` section, then the `KubeSpawner` section over it
(`Configurable._find_my_config` merges the sections in MRO order, the subclass last): a
KubeSpawner key always outranks the same Spawner key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hubimage.bump.effective import image_text
from hubimage.spawnprofiles.extraconfig import ExtraConfig, read_extra_config
from hubimage.spawnprofiles.layers import Path, Values, dotted
from hubimage.spawnprofiles.traits import KEYED, Locate, Trait, Traits, keyed

HOME_SETTING = "singleuser.storage.homeMountPath"

# c.KubeSpawner.<trait> from singleuser.<key>, as jupyterhub_config.py's loop sets them.
SINGLEUSER_TRAITS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("start_timeout", ("startTimeout",)),
    ("uid", ("uid",)),
    ("fs_gid", ("fsGid",)),
    ("service_account", ("serviceAccountName",)),
    ("node_selector", ("nodeSelector",)),
    ("lifecycle_hooks", ("lifecycleHooks",)),
    ("init_containers", ("initContainers",)),
    ("extra_containers", ("extraContainers",)),
    ("mem_limit", ("memory", "limit")),
    ("mem_guarantee", ("memory", "guarantee")),
    ("cpu_limit", ("cpu", "limit")),
    ("cpu_guarantee", ("cpu", "guarantee")),
    ("extra_resource_limits", ("extraResource", "limits")),
    ("environment", ("extraEnv",)),
    ("profile_list", ("profileList",)),
    ("extra_pod_config", ("extraPodConfig",)),
)


@dataclass(frozen=True)
class SpawnerConfig:
    traits: Traits  # each trait as the hub's config leaves it, before a profile applies
    binder: Trait | None  # BinderHub's spawner mixin is in the spawner class
    binder_settings: dict[str, Trait]  # hub.config.BinderSpawnerMixin
    storage_type: Trait  # singleuser.storage.type: `none` means no home volume
    notes: tuple[str, ...]


def spawner_config(values: Values, jupyterhub: Path) -> SpawnerConfig:
    su = _Reader(values, jupyterhub)
    kube = _singleuser_traits(su)
    spawner: Traits = {}
    if values.has((*jupyterhub, "singleuser", "cmd")):
        spawner["cmd"] = su.trait("cmd", ("cmd",))
    if su.get(("defaultUrl",)) is not None:
        spawner["default_url"] = su.trait("default_url", ("defaultUrl",))
    notes: list[str] = []
    spawner.update(su.hub_config("Spawner"))
    kube.update(su.hub_config("KubeSpawner"))
    extra = read_extra_config(values, jupyterhub)
    _apply_extra_config(extra, spawner)
    notes += extra.notes
    notes += _outranked(spawner, kube)
    traits = {**spawner, **kube}
    binder_settings = su.hub_config("BinderSpawnerMixin") if extra.binder else {}
    storage_type = su.trait("storage_type", ("storage", "type"))
    return SpawnerConfig(traits, extra.binder, binder_settings, storage_type, tuple(notes))


class _Reader:
    """Values under z2jh's `singleuser` and `hub.config`, as Traits."""

    def __init__(self, values: Values, jupyterhub: Path) -> None:
        self.values, self.jupyterhub = values, jupyterhub

    def get(self, key: tuple[str, ...]) -> Any:
        return self.values.get((*self.jupyterhub, "singleuser", *key))

    def trait(self, name: str, key: tuple[str, ...]) -> Trait:
        path = (*self.jupyterhub, "singleuser", *key)
        value = self.values.get(path)
        setting = dotted(("singleuser", *key))
        if name in KEYED and isinstance(value, dict):
            value = keyed(value, setting, self.locate(path, setting))
        return Trait(value, setting, self.values.origin(path), path)

    def locate(self, path: Path, setting: str) -> Locate:
        def where(inner: tuple[str, ...]) -> tuple[str, str]:
            return dotted((setting, *inner)), self.values.origin((*path, *inner))

        return where

    def hub_config(self, section: str) -> Traits:
        path = (*self.jupyterhub, "hub", "config", section)
        found = self.values.get(path)
        if not isinstance(found, dict):
            return {}
        traits: Traits = {}
        for name in found:
            key = (*path, name)
            setting = f"hub.config.{section}.{name}"
            value = self.values.get(key)
            if str(name) in KEYED and isinstance(value, dict):
                value = keyed(value, setting, self.locate(key, setting))
            traits[str(name)] = Trait(value, setting, self.values.origin(key), key)
        return traits


def _singleuser_traits(su: _Reader) -> Traits:
    kube: Traits = {
        name: su.trait(name, key) for name, key in SINGLEUSER_TRAITS if su.get(key) is not None
    }
    # Always set, even to null (jupyterhub_config.py: None, False and True all mean something).
    kube["allow_privilege_escalation"] = su.trait(
        "allow_privilege_escalation", ("allowPrivilegeEscalation",)
    )
    image = _image(su)
    if image is not None:
        kube["image"] = image
    storage = (*su.jupyterhub, "singleuser", "storage")
    kube["volume_mounts"] = Trait(
        volume_mounts(su), "singleuser.storage", su.values.origin(storage)
    )
    return kube


def _image(su: _Reader) -> Trait | None:
    name = su.get(("image", "name"))
    if not name:
        return None
    tag = su.get(("image", "tag"))
    key = ("image", "tag") if tag else ("image", "name")
    path = (*su.jupyterhub, "singleuser", *key)
    text = image_text({"name": str(name), "tag": tag if tag else None})
    return Trait(text, "singleuser.image", su.values.origin(path), path)


def volume_mounts(su: _Reader) -> dict[str, Trait]:
    """KubeSpawner.volume_mounts as jupyterhub_config.py builds it: the home volume
    (storage.type dynamic or static), one `<index>-files` mount per extraFiles entry, then
    storage.extraVolumeMounts (a mapping updates it; a list adds `<index>-<name>` keys)."""
    mounts: dict[str, Trait] = {}
    storage_type = su.get(("storage", "type"))
    home_path = (*su.jupyterhub, "singleuser", "storage", "homeMountPath")
    home = {"mountPath": su.get(("storage", "homeMountPath"))}
    if storage_type == "dynamic":
        name = str(su.get(("storage", "dynamic", "volumeNameTemplate")) or "volume-{user_server}")
        mounts[name] = Trait({**home, "name": name}, HOME_SETTING, su.values.origin(home_path))
    elif storage_type == "static":
        mounts["home"] = Trait({**home, "name": "home"}, HOME_SETTING, su.values.origin(home_path))
    files = su.get(("extraFiles",))
    if isinstance(files, dict):
        for index, (key, details) in enumerate(files.items()):
            path = (*su.jupyterhub, "singleuser", "extraFiles", key)
            mount = details.get("mountPath") if isinstance(details, dict) else None
            item = {"mountPath": mount, "subPath": str(key), "name": "files"}
            mounts[f"{index}-files"] = Trait(
                item, f"singleuser.extraFiles.{key}", su.values.origin(path)
            )
    extra = su.get(("storage", "extraVolumeMounts"))
    base = (*su.jupyterhub, "singleuser", "storage", "extraVolumeMounts")
    entries = extra.items() if isinstance(extra, dict) else enumerate(extra or [])
    for key, mount in entries:
        if mount is None:
            continue
        label = (
            f"{key}-{mount.get('name')}"
            if isinstance(key, int) and isinstance(mount, dict)
            else str(key)
        )
        setting = dotted(("singleuser.storage.extraVolumeMounts", key))
        mounts[label] = Trait(mount, setting, su.values.origin((*base, key)))
    return mounts


def _apply_extra_config(extra: ExtraConfig, spawner: Traits) -> None:
    # The snippets run after hub.config was loaded: they set the Spawner section last.
    if extra.default_url is not None:
        spawner["default_url"] = extra.default_url
    if extra.start_timeout is not None:
        spawner["start_timeout"] = extra.start_timeout


def _outranked(spawner: Traits, kube: Traits) -> list[str]:
    return [
        f"{trait.why or trait.setting} ({trait.setting}, {trait.source}) is outranked by "
        f"KubeSpawner.{name}, set by {kube[name].setting}: it has no effect"
        for name, trait in spawner.items()
        if name in kube
    ]
