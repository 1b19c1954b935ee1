"""Which files a hub's spawn is derived from, in which order, and where each setting came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump.files import confined_reader
from hubimage.check.profile import ZERO_TO_JUPYTERHUB
from hubimage.errors import ConfigError
from support.spawnprofile_fixtures import (
    applied,
    basehub_repo,
    derive,
    only_profile,
    write_tree,
)

CHART = """\
jupyterhub:
  singleuser:
    cmd: [wrapper, jupyterhub-singleuser]
    defaultUrl: /tree
    memory:
      limit: 1G
    extraEnv:
      SHELL: /bin/bash
      FROM_CHART: chart
    storage:
      type: static
      extraVolumeMounts:
        shm:
          name: dev-shm
          mountPath: /dev/shm
  hub:
    config:
      KubeSpawner:
        http_timeout: 120
"""


def test_later_layers_win_mappings_merge_and_lists_are_replaced(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["common.values.yaml", "one.values.yaml"]},
        {
            "common.values.yaml": """\
                jupyterhub:
                  singleuser:
                    defaultUrl: /lab
                    memory:
                      limit: 2G
                    extraEnv:
                      SHELL: /bin/zsh
                """,
            "one.values.yaml": """\
                jupyterhub:
                  singleuser:
                    cmd: [start.sh]
                    memory:
                      limit: 4G
                """,
        },
    )
    profile = only_profile(derive(tmp_path, entry, ["one"]))
    assert profile.cmd == ("start.sh",)  # a list replaced whole
    assert profile.default_url == "/lab"
    assert profile.memory_limit == 4 * 1024**3
    assert dict(profile.environment) == {"SHELL": "/bin/zsh", "FROM_CHART": "chart"}
    assert profile.http_timeout == 120
    assert profile.uid == 1000 and profile.fs_gid == 100  # Zero to JupyterHub's


def test_each_setting_names_the_last_file_and_line_that_set_it(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["one.values.yaml"]},
        {"one.values.yaml": "jupyterhub:\n  singleuser:\n    memory:\n      limit: 3G\n"},
    )
    profile = only_profile(derive(tmp_path, entry, ["one"]))
    assert applied(profile, "singleuser.memory.limit").source == (
        "config/clusters/test/one.values.yaml:4"
    )
    # the chart's values.yaml, lines counted from 1: `cmd:` is on line 3
    assert applied(profile, "singleuser.cmd").source == "helm-charts/basehub/values.yaml:3"
    assert applied(profile, "singleuser.extraEnv.SHELL").source == (
        "helm-charts/basehub/values.yaml:8"
    )
    assert applied(profile, "hub.config.KubeSpawner.http_timeout").source == (
        "helm-charts/basehub/values.yaml:19"
    )
    assert applied(profile, "singleuser.uid").source == ZERO_TO_JUPYTERHUB
    assert applied(profile, "singleuser.startTimeout").value == "300"


def test_a_daskhub_gets_basehubs_values_under_its_key(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"dask": ["dask.values.yaml"]},
        {"dask.values.yaml": "basehub:\n  jupyterhub:\n    singleuser:\n      defaultUrl: /lab\n"},
        chart="daskhub",
    )
    profile = only_profile(derive(tmp_path, entry, ["dask"]))
    assert profile.cmd == ("wrapper", "jupyterhub-singleuser")
    assert profile.default_url == "/lab"
    assert applied(profile, "singleuser.defaultUrl").source == (
        "config/clusters/test/dask.values.yaml:4"
    )


def test_a_daskhubs_values_jsonnet_is_noted_not_evaluated(tmp_path: Path) -> None:
    entry = basehub_repo(tmp_path, CHART, {"dask": []}, {}, chart="daskhub")
    write_tree(tmp_path, {"helm-charts/daskhub/values.jsonnet": "../basehub/values.jsonnet"})
    [spawn] = derive(tmp_path, entry, ["dask"])
    [note] = [note for note in spawn.notes if "jsonnet" in note]
    assert note.startswith("helm-charts/daskhub/values.jsonnet (a link to ../basehub/")
    assert "not evaluated" in note


def test_a_values_file_is_read_through_the_cluster_yaml_beside_it(tmp_path: Path) -> None:
    basehub_repo(
        tmp_path,
        CHART,
        {"one": ["common.values.yaml", "one.values.yaml"], "two": ["common.values.yaml"]},
        {
            "common.values.yaml": "jupyterhub:\n  singleuser:\n    defaultUrl: /common\n",
            "one.values.yaml": "jupyterhub:\n  singleuser:\n    defaultUrl: /one\n",
        },
    )
    [one] = derive(tmp_path, "config/clusters/test/one.values.yaml")
    assert (one.hub, one.profiles[0].default_url) == ("one", "/one")
    both = derive(tmp_path, "config/clusters/test/common.values.yaml")
    assert [spawn.hub for spawn in both] == ["one", "two"]  # every hub that lists it


def test_local_paths_with_the_folder_as_root(tmp_path: Path) -> None:
    entry = basehub_repo(tmp_path, CHART, {"one": []}, {})
    spawns = derive(tmp_path, entry, ["one"])
    local = f"{tmp_path}/{entry}"
    from hubimage.reference import ImageReference  # noqa: F401  (the API takes None too)
    from hubimage.spawnprofiles import derive_spawn_profiles

    same = derive_spawn_profiles(
        local, confined_reader(tmp_path), ["one"], None, root=str(tmp_path)
    )
    assert same[0].profiles[0].spawn_key() == spawns[0].profiles[0].spawn_key()
    assert applied(same[0].profiles[0], "singleuser.cmd").source == (
        f"{tmp_path}/helm-charts/basehub/values.yaml:3"
    )


def test_an_unknown_hub_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    entry = basehub_repo(tmp_path, CHART, {"staging": [], "prod": []}, {})
    with pytest.raises(ConfigError, match=r"cluster\.yaml: no hub named 'prd'; did you mean"):
        derive(tmp_path, entry, ["prd"])


def test_a_values_file_outside_the_repository_is_refused(tmp_path: Path) -> None:
    entry = basehub_repo(tmp_path, CHART, {"one": ["../../../../elsewhere.yaml"]}, {})
    with pytest.raises(ConfigError, match="leaves the config repository"):
        derive(tmp_path, entry, ["one"])


def test_malformed_yaml_is_a_config_error_naming_the_file(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path, CHART, {"one": ["one.values.yaml"]}, {"one.values.yaml": "a: [unclosed\n"}
    )
    with pytest.raises(ConfigError, match=r"one\.values\.yaml:\d+:\d+: not valid YAML"):
        derive(tmp_path, entry, ["one"])


def test_a_listed_file_that_is_missing_is_a_note(tmp_path: Path) -> None:
    entry = basehub_repo(tmp_path, CHART, {"one": ["gone.values.yaml"]}, {})
    [spawn] = derive(tmp_path, entry, ["one"])
    assert "config/clusters/test/gone.values.yaml: listed for hub one but does not exist" in (
        " ".join(spawn.notes)
    )


SOPS = """\
jupyterhub:
  singleuser:
    extraEnv:
      API_KEY: ENC[AES256_GCM,data:q83nP5Q=,iv:abc=,tag:def==,type:str]
      PORT: ENC[AES256_GCM,data:MTIz,iv:abc=,tag:def==,type:int]
  hub:
    config:
      GitHubOAuthenticator:
        client_secret: ENC[AES256_GCM,data:c2VjcmV0,iv:abc=,tag:def==,type:str]
sops:
  mac: ENC[AES256_GCM,data:bWFj,iv:abc=,tag:def==,type:str]
  version: 3.7.3
"""


def test_encrypted_values_become_placeholders_with_a_note_each(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["enc-one.secret.values.yaml"]},
        {"enc-one.secret.values.yaml": SOPS},
    )
    [spawn] = derive(tmp_path, entry, ["one"])
    environment = dict(spawn.profiles[0].environment)
    assert environment["API_KEY"] == "hubimage-encrypted-value"
    assert environment["PORT"] == "hubimage-encrypted-value"
    assert (
        "singleuser.extraEnv.API_KEY: encrypted in enc-one.secret.values.yaml; a placeholder "
        "was used"
    ) in spawn.notes
    # nothing of the ENC[...] text anywhere
    text = repr(spawn)
    assert "ENC[" not in text and "q83nP5Q" not in text
    assert applied(spawn.profiles[0], "singleuser.extraEnv.API_KEY").value == (
        "(encrypted: a placeholder)"
    )


def test_without_the_charts_values_only_z2jh_defaults_are_under_the_hub(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "hubs.yaml": """\
                hubs:
                  - name: alone
                    helm_chart: basehub
                    config:
                      jupyterhub:
                        singleuser:
                          defaultUrl: /lab
                """
        },
    )
    [spawn] = derive(tmp_path, "hubs.yaml")
    profile = spawn.profiles[0]
    assert profile.cmd == ("jupyterhub-singleuser",)
    assert profile.default_url == "/lab"
    assert applied(profile, "singleuser.defaultUrl").source == "hubs.yaml:7"
    assert any("were not found in the repository" in note for note in spawn.notes)


def test_a_values_file_alone_with_its_chart_named(tmp_path: Path) -> None:
    basehub_repo(tmp_path, CHART, {"one": []}, {})
    write_tree(tmp_path, {"config/clusters/test/alone.values.yaml": "jupyterhub: {}\n"})
    spawns = derive(tmp_path, "config/clusters/test/alone.values.yaml", ["solo"], chart="basehub")
    [spawn] = spawns
    assert spawn.hub == "solo"
    assert spawn.profiles[0].cmd == ("wrapper", "jupyterhub-singleuser")  # the chart's


def test_a_plain_z2jh_config_is_read_at_its_top(tmp_path: Path) -> None:
    write_tree(tmp_path, {"config.yaml": "singleuser:\n  defaultUrl: /lab\n  cmd: null\n"})
    [spawn] = derive(tmp_path, "config.yaml")
    assert spawn.hub == "config"
    assert (spawn.profiles[0].default_url, spawn.profiles[0].cmd) == ("/lab", None)
