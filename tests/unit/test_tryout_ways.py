"""How each hub lets a user start an image, read from hand-written hub configs: a
fancy-profiles link, a profile's "Other..." entry, or the staging bump command."""

from __future__ import annotations

import shlex
import textwrap
from pathlib import Path

import pytest

from hubimage.errors import ConfigError
from hubimage.reference import ImageReference
from hubimage.tryout import TryOut, ways_to_try
from support.spawnprofile_fixtures import BASEHUB_CHART, files_under, write_tree

IMAGE = ImageReference.parse("quay.io/my-org/hub-image:pr-7")

# basehub's own values, as in 2i2c's chart: the fancy-profiles form is set up for every hub.
FANCY_CHART = """\
jupyterhub:
  singleuser:
    image: {name: quay.io/my-org/hub-image, tag: "2026.01.01"}
  hub:
    extraConfig:
      07-enable-fancy-profiles: |
        from jupyterhub_fancy_profiles import setup_ui
        setup_ui(c)
"""
PLAIN_CHART = """\
jupyterhub:
  singleuser:
    image: {name: quay.io/my-org/hub-image, tag: "2026.01.01"}
"""

UNLISTED = """\
jupyterhub:
  singleuser:
    profileList:
      - display_name: "Small: 1 CPU, 4 GB"
        profile_options:
          image:
            display_name: Image
            unlisted_choice:
              enabled: true
              display_name: Custom image
              validation_regex: ^.+:.+$
              kubespawner_override:
                image: "{value}"
            choices:
              scipy:
                display_name: SciPy
                kubespawner_override:
                  image: quay.io/jupyter/scipy-notebook:2024-03-18
"""

NO_CHOICE = """\
jupyterhub:
  singleuser:
    image: {name: quay.io/my-org/hub-image, tag: "2026.02.01"}
"""


def _tree(root: Path, chart_values: str, hubs: dict[str, str], *, domains: bool = True) -> str:
    """A 2i2c-style repository: basehub's chart with `chart_values`, one cluster whose hubs
    (name -> own values) have `domain: <hub>.example.org`."""
    lines = ["name: test", "provider: gcp", "hubs:"]
    files = {
        "helm-charts/basehub/Chart.yaml": BASEHUB_CHART,
        "helm-charts/basehub/values.yaml": chart_values,
    }
    for hub, values in hubs.items():
        lines += [f"  - name: {hub}"]
        lines += [f"    domain: {hub}.example.org"] if domains else []
        lines += ["    helm_chart: basehub", "    helm_chart_values_files:"]
        lines += [f"      - {hub}.values.yaml"]
        files[f"config/clusters/test/{hub}.values.yaml"] = values
    files["config/clusters/test/cluster.yaml"] = "\n".join(lines) + "\n"
    write_tree(root, files)
    return "config/clusters/test/cluster.yaml"


def _ways(
    root: Path, entry: str, hubs: list[str], image: ImageReference = IMAGE
) -> dict[str, TryOut]:
    return ways_to_try(entry, files_under(root), hubs, image)


def test_fancy_profiles_and_an_unlisted_choice_give_the_permalink(tmp_path: Path) -> None:
    entry = _tree(tmp_path, FANCY_CHART, {"staging": UNLISTED})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.way == "permalink"
    assert way.fancy_profiles
    assert (way.domain, way.domain_source) == (
        "staging.example.org",
        "config/clusters/test/cluster.yaml:5",
    )
    assert way.choice is not None
    assert (way.choice.profile, way.choice.slug) == ("Small: 1 CPU, 4 GB", "small-1-cpu-4-gb")
    assert (way.choice.option, way.choice.value) == ("image", "quay.io/my-org/hub-image:pr-7")
    assert (way.choice.option_name, way.choice.choice_name, way.choice.input_name) == (
        "Image",
        "Other...",
        "Custom image",
    )
    assert way.choice.source == "config/clusters/test/staging.values.yaml:9"  # its mapping
    assert way.permalink == (
        "https://staging.example.org/hub/login?next=/hub/spawn%23fancy-forms-config="
        "%7B%22profile%22%3A%22small-1-cpu-4-gb%22%2C%22image%22%3A%22unlisted_choice%22%2C"
        "%22image%3Aunlisted_choice%22%3A%22quay.io%2Fmy-org%2Fhub-image%3Apr-7%22%2C"
        "%22autoStart%22%3A%22true%22%7D"
    )
    assert way.bump_command is None
    assert way.notes == ()


def test_an_unlisted_choice_without_fancy_profiles_gives_the_text_to_paste(
    tmp_path: Path,
) -> None:
    entry = _tree(tmp_path, PLAIN_CHART, {"staging": UNLISTED})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.way == "unlisted-choice"
    assert not way.fancy_profiles
    assert way.permalink is None
    assert way.choice is not None and way.choice.value == str(IMAGE)
    assert way.spawn_url == "https://staging.example.org/hub/spawn"


def test_no_way_to_choose_an_image_gives_the_staging_bump_command(tmp_path: Path) -> None:
    entry = _tree(tmp_path, FANCY_CHART, {"staging": NO_CHOICE, "prod": NO_CHOICE})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.way == "bump"
    assert way.choice is None and way.permalink is None
    assert way.bump_command == (
        "hubimage bump --config config/clusters/test/cluster.yaml --hub staging "
        "--image quay.io/my-org/hub-image:pr-7 --scope hub"
    )
    assert way.bump_refused is None


def test_the_bump_command_pins_the_digest_and_names_the_chart(tmp_path: Path) -> None:
    write_tree(tmp_path, {"hub.values.yaml": NO_CHOICE})
    digest = "sha256:" + "ab" * 32
    image = IMAGE.with_digest(digest)
    [(hub, way)] = ways_to_try(
        "hub.values.yaml", files_under(tmp_path), ["alone"], image, chart="basehub"
    ).items()
    assert (hub, way.way, way.domain) == ("alone", "bump", None)
    assert way.bump_command is not None
    assert shlex.split(way.bump_command)[-4:] == ["--pin-digest", digest, "--chart", "basehub"]


def test_a_bump_hubimage_would_refuse_says_why(tmp_path: Path) -> None:
    """The image lives in profile choices (no unlisted_choice): `--scope hub` cannot make a
    small override there, and the way says so."""
    choices = UNLISTED.replace("enabled: true", "enabled: false")
    entry = _tree(tmp_path, FANCY_CHART, {"staging": choices})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.way == "bump"
    assert way.bump_refused is not None and "profile" in way.bump_refused


# A hubploy deployment's common values: the fancy-profiles form and the profile list.
HUBPLOY_COMMON = FANCY_CHART.replace("  singleuser:\n", "", 1).replace(
    '    image: {name: quay.io/my-org/hub-image, tag: "2026.01.01"}\n', ""
) + UNLISTED.removeprefix("jupyterhub:\n")


def test_hubploy_names_no_domain_so_the_profile_and_text_stand_in(tmp_path: Path) -> None:
    way = _hubploy_way(tmp_path, staging="{}\n")
    assert way.way == "unlisted-choice"
    assert way.fancy_profiles and way.domain is None
    assert way.permalink is None
    assert any("names no domain" in note for note in way.notes)
    assert way.variant == "staging"


def test_hubploy_ingress_host_of_staging_is_the_domain(tmp_path: Path) -> None:
    staging = (
        "jupyterhub:\n  ingress:\n    enabled: true\n    hosts: [stat159-staging.example.edu]\n"
    )
    way = _hubploy_way(tmp_path, staging)
    assert (way.way, way.variant) == ("permalink", "staging")
    assert way.domain == "stat159-staging.example.edu"
    assert way.domain_source == "deployments/stat159/config/staging.yaml:4"
    assert way.permalink is not None
    assert way.permalink.startswith("https://stat159-staging.example.edu/hub/login?next=")


def _hubploy_way(root: Path, staging: str) -> TryOut:
    write_tree(
        root,
        {
            "hub/Chart.yaml": "apiVersion: v1\nname: hub\nversion: 0.1.0\n",
            "hub/requirements.yaml": "dependencies:\n - name: jupyterhub\n   version: 3.3.8\n",
            "hub/values.yaml": "jupyterhub: {}\n",
            "deployments/stat159/hubploy.yaml": (
                "images:\n  images:\n    - name: quay.io/my-org/hub-image:abc123\n"
            ),
            "deployments/stat159/config/common.yaml": HUBPLOY_COMMON,
            "deployments/stat159/config/staging.yaml": staging,
            "deployments/stat159/config/prod.yaml": "{}\n",
        },
    )
    return ways_to_try("deployments", files_under(root), ["stat159"], IMAGE)["stat159"]


@pytest.mark.parametrize(
    ("template", "regex", "expected"),
    [
        ('"quay.io/my-org/{value}"', "", "hub-image:pr-7"),
        ('"{value}"', "^quay\\.io/my-org/.+:.+$", "quay.io/my-org/hub-image:pr-7"),
        ('"{value}"', "^pangeo/.+$", None),  # the hub refuses the image
        ('"quay.io/other/{value}"', "", None),  # a template this image does not fit
        ('"quay.io/my-org/hub-image:2024"', "", None),  # fixed: nothing typed gets in
    ],
)
def test_what_to_type_fills_the_unlisted_choice_template(
    tmp_path: Path, template: str, regex: str, expected: str | None
) -> None:
    values = UNLISTED.replace('"{value}"', template).replace("^.+:.+$", regex or "''")
    entry = _tree(tmp_path, FANCY_CHART, {"staging": values})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    if expected is None:
        assert way.way == "bump"
        assert way.choice is None
    else:
        assert way.choice is not None and way.choice.value == expected
        assert way.way == "permalink"


def test_the_profile_that_offers_the_image_is_picked_over_the_default(tmp_path: Path) -> None:
    values = """\
    jupyterhub:
      singleuser:
        profileList:
          - display_name: Staff
            default: true
            allowed_groups: [staff]
            profile_options: &options
              image:
                display_name: Image
                unlisted_choice: {enabled: true, kubespawner_override: {image: "{value}"}}
                choices:
                  other: {kubespawner_override: {image: "quay.io/jupyter/base:1"}}
          - display_name: Everyone
            profile_options: *options
          - display_name: Ours
            slug: ours
            profile_options:
              image:
                display_name: Environment
                unlisted_choice: {enabled: true, kubespawner_override: {image: "{value}"}}
                choices:
                  ours: {kubespawner_override: {image: "quay.io/my-org/hub-image:2026.01.01"}}
    """
    entry = _tree(tmp_path, FANCY_CHART, {"staging": textwrap.dedent(values)})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.choice is not None
    assert (way.choice.profile, way.choice.slug, way.choice.option_name) == (
        "Ours",
        "ours",
        "Environment",
    )
    assert way.choice.offers_image
    # Without it, a profile everyone sees comes before the default one limited to a group.
    without = textwrap.dedent(values).replace("my-org/hub-image:2026", "jupyter/other:2026")
    entry = _tree(tmp_path, FANCY_CHART, {"staging": without})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.choice is not None and way.choice.profile == "Everyone"
    # Every profile limited to groups: the default one.
    grouped = without.replace(
        "- display_name: Everyone\n", "- display_name: Everyone\n        allowed_groups: [all]\n"
    ).replace("slug: ours\n", "slug: ours\n        allowed_groups: [all]\n")
    entry = _tree(tmp_path, FANCY_CHART, {"staging": grouped})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.choice is not None
    assert (way.choice.profile, way.choice.default, way.choice.allowed_groups) == (
        "Staff",
        True,
        ("staff",),
    )


def test_a_slug_hubimage_cannot_derive_gives_no_link(tmp_path: Path) -> None:
    values = UNLISTED.replace('"Small: 1 CPU, 4 GB"', '"小型 Small"')
    entry = _tree(tmp_path, FANCY_CHART, {"staging": values})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert way.way == "unlisted-choice"
    assert way.choice is not None and way.choice.slug is None
    assert any("slug" in note for note in way.notes)


def test_a_cluster_without_domains_gives_no_link(tmp_path: Path) -> None:
    entry = _tree(tmp_path, FANCY_CHART, {"staging": UNLISTED}, domains=False)
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert (way.way, way.domain) == ("unlisted-choice", None)
    assert any("names no domain" in note for note in way.notes)


def test_a_values_file_entry_finds_the_domain_in_the_cluster_beside_it(tmp_path: Path) -> None:
    _tree(tmp_path, FANCY_CHART, {"staging": UNLISTED})
    ways = _ways(tmp_path, "config/clusters/test/staging.values.yaml", [])
    assert list(ways) == ["staging"]
    assert ways["staging"].domain == "staging.example.org"


def test_an_unknown_hub_is_a_config_error(tmp_path: Path) -> None:
    entry = _tree(tmp_path, FANCY_CHART, {"staging": UNLISTED})
    with pytest.raises(ConfigError, match="no hub named 'stagin'"):
        _ways(tmp_path, entry, ["stagin"])


def test_an_option_without_choices_anywhere_gives_no_link(tmp_path: Path) -> None:
    """jupyterhub-fancy-profiles cannot show such an option, and then no profile at all
    (tests/integration/test_tryout_permalink_browser.py sees it)."""
    other = (
        "      - display_name: Bring your own\n"
        "        profile_options:\n"
        "          image:\n"
        '            unlisted_choice: {enabled: true, kubespawner_override: {image: "{value}"}}\n'
    )
    values = UNLISTED + other
    entry = _tree(tmp_path, FANCY_CHART, {"staging": values})
    way = _ways(tmp_path, entry, ["staging"])["staging"]
    assert (way.way, way.permalink) == ("unlisted-choice", None)
    assert [note for note in way.notes if "has no `choices`" in note] == [
        "Bring your own's option image has no `choices`: jupyterhub-fancy-profiles fails to "
        "show its form then (give the option `choices: {}`), so no link to it is built"
    ]
    with_empty = values.replace(
        "image:\n            unlisted_choice",
        "image:\n            choices: {}\n            unlisted_choice",
    )
    entry = _tree(tmp_path, FANCY_CHART, {"staging": with_empty})
    assert _ways(tmp_path, entry, ["staging"])["staging"].way == "permalink"


def test_the_image_is_typed_with_its_digest_unless_the_hub_refuses_it(tmp_path: Path) -> None:
    digest = "sha256:" + "cd" * 32
    pinned = IMAGE.with_digest(digest)
    entry = _tree(tmp_path, FANCY_CHART, {"staging": UNLISTED})
    way = _ways(tmp_path, entry, ["staging"], pinned)["staging"]
    assert way.choice is not None and way.choice.value == f"{IMAGE}@{digest}"
    tags_only = UNLISTED.replace("^.+:.+$", "'^[^@]+:[^@]+$'")
    entry = _tree(tmp_path, FANCY_CHART, {"staging": tags_only})
    way = _ways(tmp_path, entry, ["staging"], pinned)["staging"]
    assert way.choice is not None and way.choice.value == str(IMAGE)
    assert way.way == "permalink"
