"""Each hub's spawn profiles: which profiles and choices run the image, each as a SpawnProfile.

A profile (or choice) runs the image when its effective image (KubeSpawner's `image` once its
overrides are applied) has the image's repository name; tags differ, since the bump changes
them. If no listed choice offers that name, a value typed into an `unlisted_choice` that sets
the image (users type one) runs it; failing that, every profile at its default choices stands
in, with a note. Around each choice that runs the image, each other choice of the options that
offer no image (resources, default URL) is tried one at a time, the rest at their defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from hubimage.check.profile import SpawnProfile
from hubimage.errors import ImageReferenceError
from hubimage.reference import ImageReference
from hubimage.spawnprofiles.assemble import assemble
from hubimage.spawnprofiles.choices import (
    Profile,
    Selection,
    default_selection,
    image_selections,
    profiles,
    typed_selections,
    varied,
)
from hubimage.spawnprofiles.extrafiles import ExtraFiles, extra_files
from hubimage.spawnprofiles.layers import HubLayers, Path, Values, dotted
from hubimage.spawnprofiles.notes import hub_notes
from hubimage.spawnprofiles.spawner import SpawnerConfig, spawner_config
from hubimage.spawnprofiles.traits import Locate, Traits, apply_overrides, plain


@dataclass(frozen=True)
class HubSpawn:
    """How one hub starts servers of the image: every profile (or choice) that runs it."""

    hub: str
    profiles: tuple[SpawnProfile, ...]
    notes: tuple[str, ...]  # what could not be evaluated, fallbacks, warnings


@dataclass(frozen=True)
class _Hub:
    name: str
    values: Values
    jupyterhub: Path
    config: SpawnerConfig
    files: ExtraFiles

    def traits(self, selection: Selection | None, notes: list[str]) -> Traits:
        traits = self.config.traits
        for override in selection.overrides() if selection is not None else ():
            # settings are named from z2jh's values down: singleuser.profileList[0]...
            base = dotted(override.path[len(self.jupyterhub) :])
            locate = self._locator(override.path, base)
            traits = apply_overrides(traits, override.values, base, locate, notes)
        return traits

    def _locator(self, path: Path, base: str) -> Locate:
        def locate(inner: tuple[str, ...]) -> tuple[str, str]:
            return dotted((base, *inner)), self.values.origin((*path, *inner))

        return locate

    def profile(self, name: str, selection: Selection | None) -> SpawnProfile:
        notes: list[str] = []
        traits = self.traits(selection, notes)
        profile = assemble(self.name, name, traits, self.config, self.files)
        if notes:
            profile = _with_notes(profile, notes)
        return profile


def derive_hub(
    layers: HubLayers, image: ImageReference | None
) -> tuple[list[SpawnProfile], list[str]]:
    values = Values(layers.layers)
    config = spawner_config(values, layers.jupyterhub)
    files = extra_files(values, layers.jupyterhub)
    hub = _Hub(layers.hub, values, layers.jupyterhub, config, files)
    notes = [*layers.notes, *config.notes, *files.notes, *hub_notes(values, layers.jupyterhub)]
    listed = config.traits.get("profile_list")
    found, list_notes = profiles(plain(listed), listed.path or () if listed else ())
    notes += list_notes
    if not found:
        default = hub.profile("default", None)
        if image is not None and not _runs(default, image):
            notes.append(_not_offered(layers.hub, image, "the default profile stands in"))
        chosen = [default]
    else:
        chosen = _chosen_profiles(hub, found, image, notes)
    if not chosen:
        notes.append(
            "no profile of the profileList can start as configured: the settings "
            "without a profile stand in"
        )
        chosen = [hub.profile("default", None)]
    for profile in chosen:
        notes += profile.not_evaluated
    return chosen, list(dict.fromkeys(notes))


def _chosen_profiles(
    hub: _Hub, found: Sequence[Profile], image: ImageReference | None, notes: list[str]
) -> list[SpawnProfile]:
    if image is not None:
        matching = [
            selection
            for profile in found
            for selection in image_selections(profile)
            if _runs(hub.profile(selection.name, selection), image)
        ]
        if matching:
            notes += _typing_notes(found)
            return _profiles(hub, matching)
        typed = [s for profile in found for s in typed_selections(profile, str(image))]
        if typed:
            notes.append(
                f"{image.name} is offered only through unlisted_choice (users type an image): "
                "derived with it typed in"
            )
            return _profiles(hub, typed)
    defaults = []
    for profile in found:
        selection = default_selection(profile, str(image) if image is not None else None)
        if selection is None:
            notes.append(f"{profile.label}: an option has no default and nothing typed; left out")
        else:
            defaults.append(hub.profile(selection.name, selection))
    if image is not None:
        notes.append(
            _not_offered(hub.name, image, "every profile at its default choices stands in")
        )
    return defaults


def _profiles(hub: _Hub, selections: Sequence[Selection]) -> list[SpawnProfile]:
    seen: set[str] = set()
    chosen = []
    for selection in (v for s in selections for v in varied(s)):
        if selection.name not in seen:
            seen.add(selection.name)
            chosen.append(hub.profile(selection.name, selection))
    return chosen


def _typing_notes(found: Sequence[Profile]) -> list[str]:
    return [
        f"{profile.label} also lets users type an image (unlisted_choice): not derived"
        for profile in found
        if any(option.types_image() for option in profile.options)
    ]


def _runs(profile: SpawnProfile, image: ImageReference) -> bool:
    if profile.image is None:
        return False
    try:
        return ImageReference.parse(profile.image).qualified_name == image.qualified_name
    except ImageReferenceError:
        return False


def _not_offered(hub: str, image: ImageReference, instead: str) -> str:
    return f"hub {hub} does not offer {image.name} under that name: {instead}"


def _with_notes(profile: SpawnProfile, notes: list[str]) -> SpawnProfile:
    return replace(profile, not_evaluated=tuple(dict.fromkeys([*profile.not_evaluated, *notes])))
