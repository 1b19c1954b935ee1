"""Over every real hub config: a bump works or is refused as bad input; the current image."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump import edit_config_tree
from hubimage.bump.current import current_hub_image
from hubimage.errors import BadInputError, ConfigError
from support.hub_config_fixtures import hub_config_names, read_under

FIXTURE_NAMES = hub_config_names()


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_every_fixture_file_takes_a_bump_or_is_refused_cleanly(
    hub_configs: Path, name: str
) -> None:
    """Whatever the layout, a bump with no hub named either works or is bad input."""
    text = (hub_configs / name).read_text(encoding="utf-8")
    try:
        edit_config_tree(name, read_under(hub_configs), hubs=[], image="quay.io/2i2c/x:1.2.3")
    except BadInputError as error:
        assert name in error.message or "hub" in error.message
    assert (hub_configs / name).read_text(encoding="utf-8") == text


def test_current_image_in_each_layout(hub_configs: Path) -> None:
    def current(config: str, hub: str, path: str | None = None) -> str | None:
        return current_hub_image(config, hub, path, read=read_under(hub_configs))

    assert current("2021/hubs.yaml", "dask-staging") == "pangeo/pangeo-notebook:2020.12.08"
    assert current("2021/hubs.yaml", "staging") is None
    assert current("2022/pangeo-hubs.cluster.yaml", "prod") == "pangeo/pangeo-notebook:bcfacc5"
    assert current("2026/2i2c/cluster.yaml", "mtu") == (
        "quay.io/2i2c/cloudbank-data8-image:6286b77ae45c"
    )
    assert current("2026/utoronto/python-common.values.yaml", "any") == (
        "quay.io/2i2c/utoronto-image:c2d316fa18d9"
    )
    # Several profile images and no path: which one is "the" image is unknown.
    assert current("2026/awi-ciroh/cluster.yaml", "staging") is None
    choice = "basehub.jupyterhub.singleuser.profileList[0].profile_options.image.choices.new"
    assert current(
        "2026/awi-ciroh/cluster.yaml", "staging", f"{choice}.kubespawner_override.image"
    ) == ("quay.io/2i2c/awi-ciroh-image:091bf802ad3d")
    with pytest.raises(ConfigError, match="did you mean 'staging'"):
        current("2021/hubs.yaml", "stagging")
