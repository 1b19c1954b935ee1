"""profileList: which profiles and choices run the image, and their overrides as KubeSpawner
applies them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.errors import ConfigError
from hubimage.spawnprofiles import HubSpawn
from support.spawnprofile_fixtures import applied, basehub_repo, derive, write_tree

CHART = """\
jupyterhub:
  singleuser:
    image: {name: quay.io/org/default, tag: "1"}
    memory: {limit: 1G}
    extraEnv:
      BASE: base
      DROPPED: soon
    nodeSelector: {pool: user}
"""

PROFILES = """\
jupyterhub:
  singleuser:
    profileList:
      - display_name: Small
        slug: small
        kubespawner_override:
          mem_limit: 2G
          environment:
            PROFILE: small
            DROPPED: null
          node_selector: {size: small}
        profile_options:
          image:
            display_name: Image
            choices:
              pangeo:
                display_name: Pangeo
                kubespawner_override:
                  image: pangeo/pangeo-notebook:2024.01.01
              scipy:
                display_name: SciPy
                default: true
                kubespawner_override:
                  image: quay.io/jupyter/scipy-notebook:2024-03-18
                  environment: {CHOICE: scipy}
          url:
            display_name: Interface
            choices:
              lab:
                kubespawner_override: {default_url: /lab}
              rstudio:
                kubespawner_override: {default_url: /rstudio, mem_limit: 3G}
      - display_name: Custom
        profile_options:
          image:
            display_name: Image
            unlisted_choice:
              enabled: true
              kubespawner_override:
                image: "{value}"
      - display_name: Default image
        kubespawner_override:
          cpu_limit: 2
"""


def _spawn(tmp_path: Path, image: str | None, profiles: str = PROFILES) -> HubSpawn:
    entry = basehub_repo(
        tmp_path, CHART, {"one": ["one.values.yaml"]}, {"one.values.yaml": profiles}
    )
    [spawn] = derive(tmp_path, entry, ["one"], image)
    return spawn


def test_the_choice_offering_the_image_runs_it_with_each_other_choice(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, "pangeo/pangeo-notebook:new-tag")
    assert [p.name for p in spawn.profiles] == [
        "Small (small) image=pangeo url=lab",
        "Small (small) image=pangeo url=rstudio",
    ]
    lab, rstudio = spawn.profiles
    assert lab.image == "pangeo/pangeo-notebook:2024.01.01"
    assert (lab.default_url, lab.memory_limit) == ("/lab", 2 * 1024**3)
    assert (rstudio.default_url, rstudio.memory_limit) == ("/rstudio", 3 * 1024**3)
    assert "Custom also lets users type an image (unlisted_choice): not derived" in spawn.notes


def test_overrides_merge_dicts_as_kubespawner_does(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, "quay.io/jupyter/scipy-notebook")
    profile = spawn.profiles[0]
    assert profile.name == "Small (small) image=scipy url=lab"
    # environment merged entry by entry; None removes; the choice applies after the profile
    assert dict(profile.environment) == {"BASE": "base", "PROFILE": "small", "CHOICE": "scipy"}
    setting = "singleuser.profileList[0].profile_options.image.choices.scipy.kubespawner_override"
    assert applied(profile, f"{setting}.environment.CHOICE").source == (
        "config/clusters/test/one.values.yaml:25"
    )
    assert applied(profile, f"{setting}.image").source == "config/clusters/test/one.values.yaml:24"
    # node_selector merged too, and noted as not reproduced
    assert any(
        n.startswith("node selectors, tolerations and affinity: singleuser.profileList[0]")
        for n in profile.not_evaluated
    )


def test_the_hubs_default_image_runs_in_profiles_that_do_not_set_one(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, "quay.io/org/default:2")
    [profile] = spawn.profiles
    assert profile.name == "Default image"
    assert (profile.image, profile.cpu_limit) == ("quay.io/org/default:1", 2.0)
    assert applied(profile, "singleuser.image").source == "helm-charts/basehub/values.yaml:3"


def test_an_image_offered_only_by_typing_it_runs_through_unlisted_choice(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, "ghcr.io/someone/else:3")
    [profile] = spawn.profiles
    assert profile.name == "Custom image=(typed: ghcr.io/someone/else:3)"
    assert profile.image == "ghcr.io/someone/else:3"
    assert any("only through unlisted_choice" in note for note in spawn.notes)


def test_without_an_offer_every_profile_at_its_defaults_stands_in(tmp_path: Path) -> None:
    listed_only = PROFILES.split("      - display_name: Custom")[0]
    spawn = _spawn(tmp_path, "ghcr.io/someone/else:3", listed_only)
    assert [p.name for p in spawn.profiles] == ["Small (small) image=scipy url=lab"]
    assert (
        "hub one does not offer ghcr.io/someone/else under that name: every profile at its "
        "default choices stands in"
    ) in spawn.notes


def test_no_image_given_derives_every_profile(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, None)
    assert [p.name for p in spawn.profiles] == [
        "Small (small) image=scipy url=lab",
        "Default image",
    ]
    assert any(
        n.startswith("Custom: an option has no default and nothing typed") for n in spawn.notes
    )


def test_a_hub_without_profiles_has_one_default_profile(tmp_path: Path) -> None:
    spawn = _spawn(tmp_path, "quay.io/org/other", "jupyterhub: {}\n")
    [profile] = spawn.profiles
    assert profile.name == "default"
    assert (
        "hub one does not offer quay.io/org/other under that name: the default profile stands in"
        in (spawn.notes)
    )


def test_a_profile_list_from_hub_config_is_used_too(tmp_path: Path) -> None:
    spawn = _spawn(
        tmp_path,
        "quay.io/org/default",
        """\
        jupyterhub:
          hub:
            config:
              KubeSpawner:
                profile_list:
                  - display_name: From hub.config
                    kubespawner_override: {mem_limit: 5G}
        """,
    )
    [profile] = spawn.profiles
    assert (profile.name, profile.memory_limit) == ("From hub.config", 5 * 1024**3)
    assert applied(
        profile, "hub.config.KubeSpawner.profile_list[0].kubespawner_override.mem_limit"
    ).source == ("config/clusters/test/one.values.yaml:7")


def test_hubploy_environments_are_named_and_identical_ones_kept_once(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "hub/Chart.yaml": "apiVersion: v1\nname: hub\nversion: 1\n",
            "hub/requirements.yaml": (
                "dependencies:\n  - name: jupyterhub\n    version: 3.3.8\n"
                "    repository: https://jupyterhub.github.io/helm-chart/\n"
            ),
            "hub/values.yaml": (
                "jupyterhub:\n  singleuser:\n    extraEnv:\n"
                "      JUPYTERHUB_SINGLEUSER_APP: notebook.notebookapp.NotebookApp\n"
            ),
            "deployments/same/hubploy.yaml": "images:\n  images:\n    - name: gcr.io/x/same:abc\n",
            "deployments/same/config/common.yaml": (
                "jupyterhub:\n  singleuser:\n    defaultUrl: /lab\n"
            ),
            "deployments/same/config/staging.yaml": "jupyterhub: {}\n",
            "deployments/same/config/prod.yaml": "jupyterhub: {}\n",
            "deployments/differ/hubploy.yaml": (
                "images:\n  images:\n    - name: gcr.io/x/differ:1\n"
            ),
            "deployments/differ/config/common.yaml": "jupyterhub: {}\n",
            "deployments/differ/config/staging.yaml": (
                "jupyterhub:\n  singleuser:\n    memory:\n      limit: 2G\n"
            ),
            "deployments/differ/config/prod.yaml": "jupyterhub: {}\n",
        },
    )
    same, differ = derive(tmp_path, "deployments", ["same", "differ"], "gcr.io/x/same")
    assert [p.name for p in same.profiles] == ["default [staging, prod]"]
    profile = same.profiles[0]
    assert profile.image == "gcr.io/x/same:abc"
    assert applied(profile, "singleuser.image").source == "deployments/same/hubploy.yaml:3"
    assert dict(profile.environment) == {
        "JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp"
    }
    assert profile.default_url == "/lab"
    assert [p.name for p in differ.profiles] == ["default [staging]", "default [prod]"]
    assert [p.memory_limit for p in differ.profiles] == [2 * 1024**3, None]
    assert any("secrets/staging.yaml: not in the repository" in n for n in same.notes)


def test_a_hubploy_yaml_is_its_deployments_hub_only(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "deployments/a/hubploy.yaml": "images:\n  images:\n    - name: gcr.io/x/a:1\n",
            "deployments/a/config/common.yaml": "jupyterhub: {}\n",
        },
    )
    [spawn] = derive(tmp_path, "deployments/a/hubploy.yaml")
    assert (spawn.hub, spawn.profiles[0].name, spawn.profiles[0].image) == (
        "a",
        "default",  # no staging or prod file: one environment, not named
        "gcr.io/x/a:1",
    )
    assert any(n.startswith("hub: no chart listing Zero to JupyterHub") for n in spawn.notes)
    with pytest.raises(ConfigError, match=r"hubploy\.yaml: no hub named 'b'; this hubploy"):
        derive(tmp_path, "deployments/a/hubploy.yaml", ["b"])
    with pytest.raises(ConfigError, match=r"deployments is a directory.*deployments/b/hubploy"):
        derive(tmp_path, "deployments", ["a", "b"])
