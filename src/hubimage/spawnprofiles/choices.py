"""The profiles and choices of `KubeSpawner.profile_list`, as overrides KubeSpawner applies.

KubeSpawner (`_load_profile`, kubespawner/spawner.py) applies the chosen profile's
`kubespawner_override`, then for each of its `profile_options`, in order, the chosen
choice's `kubespawner_override` (or, for a value typed into an `unlisted_choice`, its
`kubespawner_override` with `{value}` replaced by what was typed). An option's default choice
is the one marked `default`, else its first; an option with no choices and only an
unlisted_choice has no default: the user must type something. A profile_list given as a
mapping is its values sorted by key.

A `Selection` is one way to start a server from a profile: a choice for each option.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from hubimage.spawnprofiles.layers import Path

UNLISTED = object()  # an option's unlisted_choice, with a typed value


@dataclass(frozen=True)
class Override:
    """One `kubespawner_override` to apply: its mapping and its place in the values."""

    values: Mapping[str, Any]
    path: Path  # of the kubespawner_override mapping (of the unlisted_choice's, if typed)
    typed: str | None = None  # the value typed into an unlisted_choice


@dataclass(frozen=True)
class Option:
    key: str
    choices: dict[str, Any]  # choice key -> choice
    default: str | None  # None: no choices, only an unlisted_choice
    unlisted: Mapping[str, Any] | None  # the enabled unlisted_choice

    def sets_image(self) -> bool:
        return any(_override(choice).get("image") is not None for choice in self.choices.values())

    def types_image(self) -> bool:
        return self.unlisted is not None and "image" in _override(self.unlisted)


@dataclass(frozen=True)
class Profile:
    index: int | str  # the place in profile_list (a key when it is a mapping)
    entry: Mapping[str, Any]
    path: Path
    options: tuple[Option, ...]

    @property
    def label(self) -> str:
        name = str(self.entry.get("display_name") or f"profileList[{self.index}]")
        slug = self.entry.get("slug")
        return f"{name} ({slug})" if slug else name


@dataclass(frozen=True)
class Selection:
    """A profile and a choice (or a typed value) for each of its options."""

    profile: Profile
    chosen: tuple[tuple[str, str | object], ...]  # (option, choice key or UNLISTED)
    typed: str | None = None

    @property
    def name(self) -> str:
        parts = [self.profile.label]
        for option, choice in self.chosen:
            shown = f"(typed: {self.typed})" if choice is UNLISTED else str(choice)
            parts.append(f"{option}={shown}")
        return " ".join(parts)

    def overrides(self) -> Iterator[Override]:
        yield Override(_override(self.profile.entry), (*self.profile.path, "kubespawner_override"))
        options = {option.key: option for option in self.profile.options}
        for key, choice in self.chosen:
            option = options[key]
            base: Path = (*self.profile.path, "profile_options", key)
            if choice is UNLISTED:
                assert option.unlisted is not None and self.typed is not None
                rendered = recursive_format(_override(option.unlisted), {"value": self.typed})
                path = (*base, "unlisted_choice", "kubespawner_override")
                yield Override(rendered, path, self.typed)
            else:
                entry = option.choices[str(choice)]
                yield Override(
                    _override(entry), (*base, "choices", str(choice), "kubespawner_override")
                )


def profiles(profile_list: Any, path: Path) -> tuple[list[Profile], list[str]]:
    """The profiles of a profile_list value (at `path` in the values), and notes."""
    notes: list[str] = []
    if isinstance(profile_list, dict):
        entries = [(key, profile_list[key]) for key in sorted(profile_list, key=str)]
    elif isinstance(profile_list, list):
        entries = list(enumerate(profile_list))
    else:
        return [], (
            [f"profile_list is {type(profile_list).__name__}, not a list"] if profile_list else []
        )
    found = []
    for index, entry in entries:
        if not isinstance(entry, dict):
            notes.append(f"profileList[{index}] is not a mapping: left out")
            continue
        found.append(Profile(index, entry, (*path, index), tuple(_options(entry))))
    return found, notes


def _options(entry: Mapping[str, Any]) -> Iterator[Option]:
    options = entry.get("profile_options")
    if not isinstance(options, dict):
        return
    for key, option in options.items():
        if not isinstance(option, dict):
            continue
        choices = option.get("choices")
        choices = (
            {str(k): v for k, v in choices.items() if isinstance(v, dict)}
            if isinstance(choices, dict)
            else {}
        )
        default = next(
            (k for k, v in choices.items() if v.get("default")), next(iter(choices), None)
        )
        unlisted = option.get("unlisted_choice")
        enabled = unlisted if isinstance(unlisted, dict) and unlisted.get("enabled") else None
        yield Option(str(key), choices, default, enabled)


def default_selection(profile: Profile, typed: str | None) -> Selection | None:
    """The profile with each option at its default; None when an option has no default and
    nothing is typed into its unlisted_choice."""
    chosen: list[tuple[str, str | object]] = []
    for option in profile.options:
        if option.default is not None:
            chosen.append((option.key, option.default))
        elif option.unlisted is not None and typed is not None:
            chosen.append((option.key, UNLISTED))
        else:
            return None
    return Selection(
        profile, tuple(chosen), typed if any(c is UNLISTED for _, c in chosen) else None
    )


def image_selections(profile: Profile) -> list[Selection]:
    """The default selection and each choice of each option that offers images (the others at
    their defaults): every image the profile offers from its listed choices."""
    base = default_selection(profile, None)
    if base is None:
        return []
    found = [base]
    for option in profile.options:
        if option.sets_image():
            found += [
                _with(base, option.key, key) for key in option.choices if key != option.default
            ]
    return found


def varied(selection: Selection) -> list[Selection]:
    """`selection`, then with each other choice of each option that offers no image, one at
    a time (the choices' resources, default URLs, environments)."""
    found = [selection]
    for option in selection.profile.options:
        if option.sets_image() or option.default is None:
            continue
        current = dict(selection.chosen).get(option.key)
        found += [_with(selection, option.key, key) for key in option.choices if key != current]
    return found


def typed_selections(profile: Profile, image: str) -> list[Selection]:
    """The profile with `image` typed into each option whose unlisted_choice sets the image."""
    found = []
    base = default_selection(profile, image)
    for option in profile.options:
        if option.types_image() and base is not None:
            found.append(Selection(profile, _replaced(base.chosen, option.key, UNLISTED), image))
    return found


def _with(selection: Selection, option: str, choice: str) -> Selection:
    return Selection(
        selection.profile, _replaced(selection.chosen, option, choice), selection.typed
    )


def _replaced(
    chosen: tuple[tuple[str, str | object], ...], option: str, choice: str | object
) -> tuple[tuple[str, str | object], ...]:
    return tuple((key, choice if key == option else value) for key, value in chosen)


def _override(entry: Any) -> Mapping[str, Any]:
    found = entry.get("kubespawner_override") if isinstance(entry, dict) else None
    return found if isinstance(found, dict) else {}


def recursive_format(value: Any, names: Mapping[str, str]) -> Any:
    """KubeSpawner's utils.recursive_format: `{name}` placeholders filled, others kept."""
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: names.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [recursive_format(item, names) for item in value]
    if isinstance(value, dict):
        return {recursive_format(k, names): recursive_format(v, names) for k, v in value.items()}
    return value
