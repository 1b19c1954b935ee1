"""What image a hub's users really get: its values files merged as Helm merges `-f` files.

Helm merges the files given with `-f` in order: mappings key by key, anything else (lists,
scalars, null) replaced whole by the later file. In the merged values, Zero to JupyterHub
offers users `singleuser.image`, unless `singleuser.profileList` lists profiles: then each
profile's `kubespawner_override.image` (else `singleuser.image`), and within a profile each
`profile_options.<option>.choices.<choice>.kubespawner_override.image` (else the
profile's). Those offers are what a bump must change, and all it may change.

Everything here works on plain data (dicts, lists, scalars as parsed), never on text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SINGLEUSER = ("jupyterhub", "singleuser")
WRAPPER_KEYS = ("basehub", "base-hub")


@dataclass(frozen=True)
class Offer:
    """One image a user of the hub can get: where it is chosen, and the image (None: unset)."""

    where: str  # `singleuser.image`, `profileList[1]`, `profileList[0].image=pangeo`
    image: str | None


Offers = tuple[Offer, ...]


def merge_values(layers: Iterable[Any]) -> Any:
    """The values Helm uses for `-f layer1 -f layer2 ...` (later files win)."""
    merged: Any = {}
    for layer in layers:
        merged = _merge(merged, layer)
    return merged


def _merge(base: Any, override: Any) -> Any:
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merge(merged[key], value) if key in merged else value
    return merged


def chart_prefix(values: Any, chart: str | None, wrapper: str | None = None) -> tuple[str, ...]:
    """Where basehub's values start for this chart: `()` or `(wrapper,)` for daskhub-style charts.

    `wrapper` is the key the chart's Chart.yaml gives basehub; without it, the wrapper key
    present in the values (or `basehub`).
    """
    if chart in ("basehub", "base-hub"):
        return ()
    present = [key for key in WRAPPER_KEYS if isinstance(values, dict) and key in values]
    if chart is None and isinstance(values, dict) and "jupyterhub" in values:
        return ()
    if wrapper is not None:
        return (wrapper,)
    if present:
        return (present[0],)
    return () if chart is None else ("basehub",)


def offered_images(
    values: Any, prefix: Sequence[str] = (), explicit: Sequence[str | int] | None = None
) -> Offers:
    """Every image the hub offers its users, in profile order.

    With `explicit` (a path the user named, relative to the values), the image there too:
    the user said that is the image (a pre-puller entry, a hubploy `images` list...).
    """
    offers = _offers(values, prefix)
    if explicit is not None:
        where = ".".join(str(key) for key in explicit)
        offers += (Offer(f"--path {where}", image_text(get_path(values, explicit))),)
    return offers


def _offers(values: Any, prefix: Sequence[str]) -> Offers:
    hubploy = get_path(values, ("images",))
    if not prefix and isinstance(hubploy, dict) and get_path(values, ("jupyterhub",)) is None:
        if isinstance(hubploy.get("image_name"), str):
            return (Offer("images.image_name", hubploy["image_name"]),)
        if isinstance(hubploy.get("images"), list):
            listed = enumerate(hubploy["images"])
            return tuple(Offer(f"images.images[{i}]", image_text(e)) for i, e in listed)
    singleuser = get_path(values, (*prefix, *SINGLEUSER))
    default = image_text(get_path(singleuser, ("image",)))
    profiles = get_path(singleuser, ("profileList",))
    if not isinstance(profiles, list) or not profiles:
        return (Offer("singleuser.image", default),)
    offers: list[Offer] = []
    for index, profile in enumerate(profiles):
        own = _override_image(profile)
        image = own if own is not None else default
        choices = list(_choice_images(profile))
        if not choices:
            offers.append(Offer(f"profileList[{index}]", image))
        for option, choice, choice_image in choices:
            chosen = choice_image if choice_image is not None else image
            offers.append(Offer(f"profileList[{index}].{option}={choice}", chosen))
    return tuple(offers)


def _choice_images(profile: Any) -> Iterable[tuple[str, str, str | None]]:
    """(option, choice, image or None) for options whose choices set an image somewhere."""
    options = get_path(profile, ("profile_options",))
    if not isinstance(options, dict):
        return
    for option_key, option in options.items():
        choices = get_path(option, ("choices",))
        if not isinstance(choices, dict):
            continue
        images = {str(key): _override_image(choice) for key, choice in choices.items()}
        if any(image is not None for image in images.values()):
            for choice_key, image in images.items():
                yield str(option_key), choice_key, image


def _override_image(entry: Any) -> str | None:
    image = get_path(entry, ("kubespawner_override", "image"))
    return image if isinstance(image, str) else None


def image_text(image: Any) -> str | None:
    """`name:tag` of an image value (`{name, tag}` or a string); the bare name without a tag."""
    if isinstance(image, str):
        return image
    if not isinstance(image, dict) or not isinstance(image.get("name"), str):
        return None
    tag = image.get("tag")
    return f"{image['name']}:{tag}" if tag is not None and tag != "" else str(image["name"])


def get_path(data: Any, path: Sequence[str | int]) -> Any:
    for key in path:
        if isinstance(data, list):
            if not (isinstance(key, int) and 0 <= key < len(data)):
                return None
            data = data[key]
        elif isinstance(data, Mapping) and key in data:
            data = data[key]
        else:
            return None
    return data


def describe(offers: Offers) -> str:
    """The offers for a message: `profileList[0]: a:1, profileList[1]: b:2`."""
    return ", ".join(f"{offer.where}: {offer.image or '(none)'}" for offer in offers)
