"""The bump's action inputs: in commit and pr modes hub-config stays in the repository
(issue 12 item 4, refused nowhere at b3ac158), and bump-scope, pin-digest, chart (issue 13,
absent at b3ac158)."""

from __future__ import annotations

import pytest

from hubimage.errors import UsageError
from hubimage.inputs import parse_inputs, read_action_inputs


def inputs(**values: str) -> dict[str, str]:
    raw = read_action_inputs({})
    raw.update({name.replace("_", "-"): value for name, value in values.items()})
    return raw


@pytest.mark.parametrize("config", ["/etc/hubs.yaml", "../other/hubs.yaml", "a/../../x.yaml"])
def test_hub_config_outside_the_repository_is_refused(config: str) -> None:
    with pytest.raises(UsageError, match=r"input 'hub-config'.*leaves the repository"):
        parse_inputs(inputs(hub_config=config, hubs="staging", bump_mode="pr"))
    # In file mode it is a local path the workflow chose: any path, as long as it is there.
    with pytest.raises(UsageError, match=r"input 'hub-config'.*does not exist"):
        parse_inputs(inputs(hub_config=config, hubs="s", bump_mode="file"))
    here = parse_inputs(inputs(hub_config="/etc/hostname", hubs="s", bump_mode="file"))
    assert str(here.hub_config) == "/etc/hostname"


def test_hub_config_inside_the_repository_and_bump_inputs() -> None:
    parsed = parse_inputs(
        inputs(
            hub_config="config/clusters/a/../b/cluster.yaml",
            hubs="staging",
            bump_scope="hub",
            pin_digest="true",
            chart="daskhub",
        )
    )
    assert str(parsed.hub_config) == "config/clusters/a/../b/cluster.yaml"
    assert (parsed.bump_scope, parsed.pin_digest, parsed.chart) == ("hub", True, "daskhub")
    with pytest.raises(UsageError, match="input 'bump-scope'"):
        parse_inputs(inputs(bump_scope="everything"))
