"""How each hub's spawner starts a server of the image, derived from the hub's config repository.

Public API:
- `derive_spawn_profiles(entry, read, hubs, image, root=, chart=) -> tuple[HubSpawn, ...]`:
  for each hub named (every hub of `entry` when none is), the spawn profiles
  (`hubimage.check.profile.SpawnProfile`) of the profiles and choices that would run `image`,
  and notes on what could not be evaluated;
- `HubSpawn(hub, profiles, notes)`.

Modules: `entry` (an entry point to each hub's layers of values), `charts` (the chart's own
defaults and Zero to JupyterHub's), `hubploy` (hubploy deployments), `layers` (Helm's merge
with the file and line of every setting), `spawner` and `extraconfig` (what z2jh's
jupyterhub_config.py and known hub.extraConfig snippets make of the values), `traits`
(KubeSpawner's override rule), `choices` (profileList), `extrafiles` and `serialize`
(singleuser.extraFiles as mounted), `environment` (extraEnv as the pod lists it), `binder`
(BinderHub's arguments), `assemble` (a SpawnProfile), `notes`, `derive` (which profiles).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hubimage.bump.hubfiles import TextReader
from hubimage.check.profile import SpawnProfile
from hubimage.reference import ImageReference
from hubimage.spawnprofiles.derive import HubSpawn, derive_hub
from hubimage.spawnprofiles.entry import hub_layers

__all__ = ["HubSpawn", "derive_spawn_profiles"]


def derive_spawn_profiles(
    entry: str,
    read: TextReader,
    hubs: Sequence[str],
    image: ImageReference | None,
    *,
    root: str = "",
    chart: str | None = None,
) -> tuple[HubSpawn, ...]:
    """The spawn profiles of each hub in `hubs` (all of the entry's hubs if empty).

    `entry` is any config the bump takes (a cluster.yaml, a values file, a hub list, a
    hubploy.yaml or the `deployments` folder); `read(path)` gives a file's text or None, paths
    joined from the entry's, all inside `root`. `chart` is the chart of a values file read
    alone (or hubploy's chart folder, `hub` by default). ConfigError for a config that
    cannot be read or has no such hub; settings that cannot be used become notes.
    """
    by_hub: dict[str, list[tuple[str, list[SpawnProfile], list[str]]]] = {}
    for layers in hub_layers(entry, read, hubs, root=root, chart=chart):
        profiles, notes = derive_hub(layers, image)
        by_hub.setdefault(layers.hub, []).append((layers.variant, profiles, notes))
    return tuple(_combined(hub, variants) for hub, variants in by_hub.items())


def _combined(hub: str, variants: list[tuple[str, list[SpawnProfile], list[str]]]) -> HubSpawn:
    """One HubSpawn from a hub's environments (hubploy's staging and prod): each profile
    named by its environments, identical ones (same spawn and name) kept once."""
    if len(variants) == 1 and not variants[0][0]:
        _, profiles, notes = variants[0]
        return HubSpawn(hub, tuple(profiles), tuple(notes))
    merged: list[tuple[SpawnProfile, list[str]]] = []
    for variant, profiles, _ in variants:
        for profile in profiles:
            same = next(
                (
                    environments
                    for kept, environments in merged
                    if kept.name == profile.name and kept.spawn_key() == profile.spawn_key()
                ),
                None,
            )
            if same is not None:
                same.append(variant)
            else:
                merged.append((profile, [variant]))
    named = tuple(
        replace(profile, name=f"{profile.name} [{', '.join(environments)}]")
        for profile, environments in merged
    )
    notes = [note for _, _, variant_notes in variants for note in variant_notes]
    return HubSpawn(hub, named, tuple(dict.fromkeys(notes)))
