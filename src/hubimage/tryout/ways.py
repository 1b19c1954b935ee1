"""How a user of each hub can start a server of an image that no hub config names yet.

Read from the hub config as `hubimage.spawnprofiles` reads it (the same layers, merged
values, profile list and `hub.extraConfig`), one of three ways per hub:

- `permalink`: the hub runs jupyterhub-fancy-profiles and a profile offers an
  `unlisted_choice` whose `kubespawner_override.image` takes the typed `{value}`: a link that
  opens the hub's spawn form with that profile, "Other..." and the image filled in, and
  starts it (`hubimage.tryout.permalink`);
- `unlisted-choice`: such a profile, but no link can be built (no fancy-profiles, no known
  domain, a slug this module cannot derive for sure): the profile to pick and the text to
  paste;
- `bump`: no profile lets a user type an image: the `hubimage bump --scope hub` command that
  points this (staging) hub at the image, planned here so a refusal is said at once.

The hub's domain is the hub entry's `domain:` (2i2c's cluster.yaml, the 2021 and 2022 hub
lists), else Zero to JupyterHub's `ingress.hosts[0]` when its ingress is enabled (hubploy
deployments set it per environment).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from hubimage.bump import edit_config_tree
from hubimage.bump.document import own_child
from hubimage.bump.hubfiles import FileCache, TextReader, cluster_beside
from hubimage.bump.hubploy import is_hubploy
from hubimage.bump.layout import find_layout, scalar_text
from hubimage.errors import ConfigError, HubimageError
from hubimage.reference import ImageReference
from hubimage.spawnprofiles.choices import Option, Profile, profiles
from hubimage.spawnprofiles.entry import hub_layers
from hubimage.spawnprofiles.extraconfig import fancy_profiles_snippet
from hubimage.spawnprofiles.layers import HubLayers, Path, Values
from hubimage.spawnprofiles.spawner import spawner_config
from hubimage.spawnprofiles.traits import plain
from hubimage.tryout.permalink import form_config, permalink, survives_login_redirect
from hubimage.tryout.slug import kubespawner_slug

Way = Literal["permalink", "unlisted-choice", "bump"]
_RANK: dict[Way, int] = {"permalink": 0, "unlisted-choice": 1, "bump": 2}
_DEFAULT_CHOICE_NAME = "Other..."  # KubeSpawner's display_name_in_choices default


@dataclass(frozen=True)
class UnlistedChoice:
    """A profile option whose "Other..." entry takes an image the user types."""

    profile: str  # the profile's display name
    slug: str | None  # KubeSpawner's slug for it; None when it cannot be derived for sure
    option: str  # the option's key in profile_options (`image`)
    option_name: str  # the option's display name (`Image`)
    choice_name: str  # the "Other..." entry's name in the option's list
    input_name: str  # the label of the field the image is typed into
    value: str  # exactly what to type
    source: str  # FILE:LINE of the unlisted_choice
    allowed_groups: tuple[str, ...] = ()  # only members of these groups see the profile
    offers_image: bool = False  # the profile's listed choices already offer this image name
    default: bool = False  # the profile is the one the form selects first (`default: true`)


@dataclass(frozen=True)
class TryOut:
    """One hub's way to start the image, and what the pull request comment needs to say."""

    hub: str
    way: Way
    image: str  # the image reference tried
    domain: str | None  # the hub's host name, e.g. staging.2i2c.cloud
    domain_source: str | None  # FILE:LINE that named it
    fancy_profiles: bool  # the hub's spawn form is jupyterhub-fancy-profiles'
    choice: UnlistedChoice | None = None  # for `permalink` and `unlisted-choice`
    permalink: str | None = None
    bump_command: str | None = None  # for `bump`
    bump_refused: str | None = None  # why that command would be refused, if it would
    notes: tuple[str, ...] = ()  # why no link, what to watch for
    variant: str = ""  # the hubploy environment this was read from

    @property
    def spawn_url(self) -> str | None:
        return f"https://{self.domain}/hub/spawn" if self.domain else None


@dataclass(frozen=True)
class _Reading:
    entry: str
    read: TextReader
    root: str
    chart: str | None
    image: ImageReference
    domains: Mapping[str, tuple[str, str]]  # hub -> (domain, FILE:LINE)


def ways_to_try(
    entry: str,
    read: TextReader,
    hubs: Sequence[str],
    image: ImageReference,
    *,
    root: str = "",
    chart: str | None = None,
) -> dict[str, TryOut]:
    """Each named hub's way to start `image` (every hub of `entry` when none is named).

    `entry`, `read`, `root` and `chart` are as `hubimage.spawnprofiles.derive_spawn_profiles`
    takes them. ConfigError for a config that cannot be read or has no such hub.
    """
    reading = _Reading(entry, read, root, chart, image, _entry_domains(entry, read, root))
    by_hub: dict[str, list[TryOut]] = {}
    for layers in hub_layers(entry, read, hubs, root=root, chart=chart):
        by_hub.setdefault(layers.hub, []).append(_way(layers, reading))
    return {hub: _best(found) for hub, found in by_hub.items()}


def _best(found: list[TryOut]) -> TryOut:
    """hubploy's environments: the best way, staging's on a tie (it is tried first)."""
    order = {"staging": 0, "": 1}
    return min(found, key=lambda t: (_RANK[t.way], order.get(t.variant, 2)))


def _way(layers: HubLayers, reading: _Reading) -> TryOut:
    values = Values(layers.layers)
    jupyterhub = layers.jupyterhub
    fancy = fancy_profiles_snippet(values, jupyterhub) is not None
    domain, domain_source = reading.domains.get(layers.hub) or _ingress_host(values, jupyterhub)
    listed = spawner_config(values, jupyterhub).traits.get("profile_list")
    found, _ = profiles(plain(listed), listed.path or () if listed else ())
    notes: list[str] = []
    choice = _pick(
        [c for profile in found for c in _choices(profile, values, reading.image, notes)]
    )
    base = TryOut(
        layers.hub,
        "bump",
        str(reading.image),
        domain,
        domain_source,
        fancy,
        variant=layers.variant,
    )
    if choice is None:
        return _bump_way(base, reading, notes)
    link, why_not = _link(base, choice, values, jupyterhub, _breaks_the_form(found))
    notes += why_not
    way: Way = "permalink" if link else "unlisted-choice"
    return _replace(base, notes, way=way, choice=choice, permalink=link)


def _replace(base: TryOut, notes: Sequence[str], **changes: Any) -> TryOut:
    return replace(base, notes=tuple(dict.fromkeys(notes)), **changes)


# --- profiles whose "Other..." takes an image --------------------------------------------


def _choices(
    profile: Profile, values: Values, image: ImageReference, notes: list[str]
) -> list[UnlistedChoice]:
    # With its digest the image is exactly the one checked; without, where a hub's
    # validation_regex or template takes only `name:tag`.
    texts = [str(image)]
    if image.digest and image.tag:
        texts.append(f"{image.name}:{image.tag}")
    found = []
    for option in profile.options:
        if not option.types_image() or option.unlisted is None:
            continue
        where = values.origin((*profile.path, "profile_options", option.key, "unlisted_choice"))
        value, problem = None, ""
        for text in texts:
            value, problem = _typed_value(option.unlisted, text)
            if value is not None:
                break
        if value is None:
            notes.append(
                f"{profile.label}: the unlisted choice of {option.key} ({where}) {problem}"
            )
            continue
        found.append(_unlisted_choice(profile, option, value, where, str(image)))
    return found


def _unlisted_choice(
    profile: Profile, option: Option, value: str, where: str, image: str
) -> UnlistedChoice:
    entry, unlisted = profile.entry, option.unlisted or {}
    declared = entry.get("slug")
    slug = str(declared) if declared is not None else kubespawner_slug(entry.get("display_name"))
    config = entry.get("profile_options", {}).get(option.key, {})
    groups = entry.get("allowed_groups")
    return UnlistedChoice(
        profile=str(entry.get("display_name") or f"profileList[{profile.index}]"),
        slug=slug,
        option=option.key,
        option_name=str(config.get("display_name") or option.key),
        choice_name=str(unlisted.get("display_name_in_choices") or _DEFAULT_CHOICE_NAME),
        input_name=str(unlisted.get("display_name") or option.key),
        value=value,
        source=where,
        allowed_groups=tuple(str(g) for g in groups) if isinstance(groups, list) else (),
        offers_image=_offers(profile, image),
        default=entry.get("default") is True,
    )


def _typed_value(unlisted: Mapping[str, Any], image: str) -> tuple[str | None, str]:
    """What to type so the unlisted choice's `image: "...{value}..."` becomes `image`, and
    whether its validation_regex takes it (KubeSpawner: `re.match`; the form: the `pattern`
    attribute, the whole value; fancy-profiles' own check: a search)."""
    template = unlisted.get("kubespawner_override", {}).get("image")
    if not isinstance(template, str) or template.count("{value}") != 1:
        return None, f"sets the image to {template!r}, not to a typed {{value}}"
    prefix, suffix = template.split("{value}")
    if "{" in prefix + suffix or "}" in prefix + suffix:
        return None, f"sets the image to {template!r}, with other fields than {{value}}"
    fits = image.startswith(prefix) and image.endswith(suffix)
    if not fits or len(image) <= len(prefix) + len(suffix):
        return None, f"makes images {template!r}: {image} is not one"
    value = image[len(prefix) : len(image) - len(suffix)]
    regex = unlisted.get("validation_regex")
    if isinstance(regex, str) and regex:
        try:
            matched = bool(re.match(regex, value) and re.fullmatch(regex, value))
        except re.error:
            matched = True  # not Python's syntax: the hub's own check decides
        if not matched:
            return None, f"refuses {value!r}: it must match {regex!r}"
    return value, ""


def _offers(profile: Profile, image: str) -> bool:
    """Whether the profile already offers the image's name (its own override or a listed
    choice): the profile this image is meant for."""
    try:
        wanted = ImageReference.parse(image).qualified_name
    except HubimageError:
        return False
    entries = [profile.entry, *(c for o in profile.options for c in o.choices.values())]
    for entry in entries:
        offered = (entry.get("kubespawner_override") or {}).get("image")
        try:
            if isinstance(offered, str) and ImageReference.parse(offered).qualified_name == wanted:
                return True
        except HubimageError:
            continue
    return False


def _pick(found: list[UnlistedChoice]) -> UnlistedChoice | None:
    """The profile the image is meant for, then one open to everyone, then the default
    one, then the first."""
    ranked = sorted(
        range(len(found)),
        key=lambda i: (
            not found[i].offers_image,
            bool(found[i].allowed_groups),
            not found[i].default,
            i,
        ),
    )
    return found[ranked[0]] if ranked else None


# --- the link ------------------------------------------------------------------------------


def _breaks_the_form(found: Sequence[Profile]) -> str | None:
    """An option without `choices` (only an unlisted_choice): jupyterhub-fancy-profiles 0.7.0
    reads `Object.keys(choices)` for every option of every profile (useSelectOptions.ts),
    which throws, and its whole form stays empty (seen in Chromium with the package's own
    form). KubeSpawner's own form takes such an option."""
    for profile in found:
        options = profile.entry.get("profile_options")
        for key, option in options.items() if isinstance(options, dict) else ():
            if isinstance(option, dict) and not isinstance(option.get("choices"), dict):
                return (
                    f"{profile.label}'s option {key} has no `choices`: jupyterhub-fancy-profiles "
                    "fails to show its form then (give the option `choices: {}`), so no link "
                    "to it is built"
                )
    return None


def _link(
    base: TryOut,
    choice: UnlistedChoice,
    values: Values,
    jupyterhub: Path,
    broken: str | None,
) -> tuple[str | None, list[str]]:
    if not base.fancy_profiles:
        return None, []  # KubeSpawner's own form takes no link
    problems = [broken] if broken else []
    if base.domain is None:
        problems.append(
            "the hub config names no domain for this hub (no `domain:` in its entry, no "
            "ingress host), so no link to its spawn page can be built"
        )
    if choice.slug is None:
        problems.append(
            f"the slug KubeSpawner derives from the profile name {choice.profile!r} is not "
            "certain here (characters outside those hubimage transliterates); a `slug:` on "
            "the profile makes links possible"
        )
    parts = [choice.slug or "", choice.option, choice.value]
    if not all(survives_login_redirect(part) for part in parts):
        problems.append(
            "the profile's slug, the option or the image holds `+`, `&` or `%`, which "
            "JupyterHub's login redirect decodes before the form reads the link"
        )
    if problems or base.domain is None or choice.slug is None:
        return None, problems
    base_url = values.get((*jupyterhub, "hub", "baseUrl"))
    config = form_config(choice.slug, choice.option, choice.value)
    prefix = base_url if isinstance(base_url, str) else "/"
    link = permalink(f"https://{base.domain}", config, prefix)
    return link, []


# --- no way to choose: the bump -----------------------------------------------------------


def _bump_way(base: TryOut, reading: _Reading, notes: list[str]) -> TryOut:
    image = reading.image
    named = f"{image.name}:{image.tag}" if image.tag else image.name
    command = [
        "hubimage", "bump", "--config", reading.entry, "--hub", base.hub,
        "--image", named, "--scope", "hub",
    ]  # fmt: skip
    if image.digest:
        command += ["--pin-digest", image.digest]
    if reading.chart:
        command += ["--chart", reading.chart]
    refused = None
    try:
        edit_config_tree(
            reading.entry,
            reading.read,
            hubs=[base.hub],
            image=named,
            scope="hub",
            chart=reading.chart,
            digest=image.digest,
            root=reading.root,
        )
    except HubimageError as error:
        refused = str(error)
    command_text = " ".join(shlex.quote(part) for part in command)
    return _replace(base, notes, bump_command=command_text, bump_refused=refused)


# --- the hub's domain ------------------------------------------------------------------


def _entry_domains(entry: str, read: TextReader, root: str) -> dict[str, tuple[str, str]]:
    """hub (and cluster/hub) -> (domain, FILE:LINE) from the hub list's entries."""
    cache = FileCache(read)
    try:
        document = cache.document(entry)
    except ConfigError:
        return {}  # a folder (hubploy's deployments): hub_layers says what is wrong
    if document is None or is_hubploy(document):
        return {}
    layout = find_layout(document)
    if layout.kind == "values":
        cluster = cluster_beside(entry, cache, root)
        document = cache.document(cluster) if cluster is not None else None
        if document is None:
            return {}
        layout = find_layout(document)
    found: dict[str, tuple[str, str]] = {}
    for hub in layout.hubs:
        pair = own_child(document, hub.node, "domain")
        domain = scalar_text(pair[1]) if pair is not None else None
        if domain:
            where = document.location(pair[1]) if pair is not None else None
            source = f"{where.file}:{where.line}" if where else document.filename
            found.setdefault(hub.name, (domain.strip(), source))
            if hub.cluster:
                found[f"{hub.cluster}/{hub.name}"] = (domain.strip(), source)
    return found


def _ingress_host(values: Values, jupyterhub: Path) -> tuple[str | None, str | None]:
    ingress = (*jupyterhub, "ingress")
    hosts = values.get((*ingress, "hosts"))
    if values.get((*ingress, "enabled")) is not True or not isinstance(hosts, list) or not hosts:
        return None, None
    host = hosts[0]
    if not isinstance(host, str) or not host.strip():
        return None, None
    return host.strip(), values.origin((*ingress, "hosts", 0))
