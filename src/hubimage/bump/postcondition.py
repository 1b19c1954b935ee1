"""The post-condition of every bump, checked on the planned result in memory.

Every named hub's users get the new image after the edit, and no other hub's users get
anything different, unless shared changes were allowed. Offers come from
`effective.offered_images` on each hub's merged values, before and after.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from hubimage.bump.effective import Offers, describe
from hubimage.errors import ConfigError, ImageReferenceError
from hubimage.reference import ImageReference


def same_image(text: str | None, image: ImageReference) -> bool:
    """`text` names `image` (`2i2c/x:1` is `quay.io/2i2c/x:1`), with its tag and digest."""
    if text is None:
        return False
    try:
        found = ImageReference.parse(text)
    except ImageReferenceError:
        return False
    return (found.qualified_name, found.tag, found.digest) == (
        image.qualified_name,
        image.tag,
        image.digest,
    )


def gets_image(before: Offers, after: Offers, image: ImageReference) -> bool:
    """After the edit, some offer is the image, and every offer that changed became it."""
    if len(before) != len(after):
        return False
    changed = [new for old, new in zip(before, after, strict=True) if old != new]
    return any(same_image(o.image, image) for o in after) and all(
        same_image(o.image, image) for o in changed
    )


def failed_hubs(
    before: Mapping[str, Offers], after: Mapping[str, Offers], named: Sequence[str], image: str
) -> list[str]:
    reference = ImageReference.parse(image)
    return [hub for hub in named if not gets_image(before[hub], after[hub], reference)]


def changed_others(
    before: Mapping[str, Offers], after: Mapping[str, Offers], named: Sequence[str]
) -> list[str]:
    return [hub for hub in before if hub not in named and before[hub] != after.get(hub)]


def not_taking_effect(
    where: str, hub: str, after: Offers, image: str, why: str = ""
) -> ConfigError:
    return ConfigError(
        f"{where}: after this edit hub {hub}'s users would still not get {image} "
        f"(they would get {describe(after)}){why}; nothing was written",
        hint="pass --path with the value the hub's users get (one of those above), "
        "or --config with the hub's cluster.yaml",
    )


def others_changed_error(where: str, named: Sequence[str], others: Sequence[str]) -> ConfigError:
    shown = ", ".join(others[:10]) + (f" and {len(others) - 10} more" if len(others) > 10 else "")
    if len(others) <= 10:
        more = "add " + " ".join(f"--hub {hub}" for hub in others) + " to bump them as well"
    else:
        more = f"name all {len(others) + len(named)} hubs with --hub to bump them as well"
    return ConfigError(
        f"{where}: this edit changes the image of hub(s) {shown} too, whose users get their "
        f"image from it, not only of {', '.join(named)}; nothing was written",
        hint=f"{more}, or add --scope hub to change only {', '.join(named)}, or --allow-shared",
    )
