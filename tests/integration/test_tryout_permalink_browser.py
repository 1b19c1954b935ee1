"""The permalink, read back by the real thing: jupyterhub-fancy-profiles' own spawn form (from
its PyPI package, behind a hub's login redirect; tests/support/fancy_profiles.py) opened in
headless Chromium. The form must select the profile, its "Other..." entry and the image, and
(autoStart) submit exactly what KubeSpawner reads: `profile`,
`profile-option-<slug>--<option>` = `unlisted_choice` and `...--unlisted-choice` = the image.
"""

from __future__ import annotations

import os
import textwrap
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from hubimage.check.landing import BROWSER_ARGS, find_browser
from hubimage.reference import ImageReference
from hubimage.tryout import TryOut, ways_to_try
from hubimage.tryout.permalink import form_config, permalink
from support.fancy_profiles import FancyProfilesHub, fancy_profiles_hub, hub_profile_list
from support.spawnprofile_census import hubs_2i2c, reader
from support.spawnprofile_fixtures import BASEHUB_CHART, files_under, write_tree

pytestmark = pytest.mark.no_engine
playwright = pytest.importorskip("playwright.sync_api", reason="needs Playwright for Python")

IMAGE = ImageReference.parse("quay.io/my-org/hub-image:pr-7")
WAIT = 20.0  # seconds for the form to load and submit itself

CHART = """\
jupyterhub:
  hub:
    extraConfig:
      07-enable-fancy-profiles: |
        from jupyterhub_fancy_profiles import setup_ui
        setup_ui(c)
"""
# Three profiles, the one to pick second; its options: an image (with "Other...") and
# resources whose default must stay; another profile's option has only `choices: {}`.
PROFILES = """\
jupyterhub:
  singleuser:
    profileList:
      - display_name: "Large: 8 CPU, 64 GB"
        default: true
        profile_options:
          image:
            display_name: Image
            choices:
              scipy:
                display_name: SciPy
                kubespawner_override: {image: "quay.io/jupyter/scipy-notebook:1"}
      - display_name: "Small: 1 CPU, 4 GB \\u2014 Anna\\u2019s"
        profile_options:
          resources:
            display_name: Resources
            choices:
              mem_2: {display_name: 2 GB, kubespawner_override: {mem_limit: 2G}}
              mem_4: {display_name: 4 GB, default: true, kubespawner_override: {mem_limit: 4G}}
          image:
            display_name: Environment
            unlisted_choice:
              enabled: true
              display_name: Custom image
              validation_regex: ^.+:.+$
              kubespawner_override: {image: "{value}"}
            choices:
              ours:
                display_name: Ours
                kubespawner_override: {image: "quay.io/my-org/hub-image:1"}
      - display_name: Bring your own
        slug: byo
        profile_options:
          image:
            display_name: Image
            choices: {}
            unlisted_choice: {enabled: true, kubespawner_override: {image: "{value}"}}
"""


@dataclass(frozen=True)
class ReadBack:
    landed: str  # the page's URL after the login redirect
    profile: str  # the slug the form selected
    option: str  # the option's selected value
    typed: str  # the unlisted choice's input
    posted: dict[str, list[str]]  # what the form submitted by itself (autoStart)
    errors: list[str]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    path = find_browser(None)
    if path is None:
        pytest.skip("no Chromium or Chrome installed (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=path,
            headless=True,
            chromium_sandbox=os.geteuid() != 0,  # Chromium's sandbox cannot run as root
            args=list(BROWSER_ARGS),
        )
        yield launched
        launched.close()


def read_back(browser: Any, hub: FancyProfilesHub, way: TryOut) -> ReadBack:
    """Open the permalink (its path and query, on the local hub) and read the form."""
    assert way.permalink is not None and way.choice is not None
    local = hub.url + way.permalink.removeprefix(f"https://{way.domain}")
    posts_before = len(hub.posts)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(local)
        deadline = time.monotonic() + WAIT
        while len(hub.posts) == posts_before and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        slug, option = way.choice.slug, way.choice.option
        field = f"profile-option-{slug}--{option}"
        return ReadBack(
            landed=page.url,
            profile=page.locator("input[name=profile]").get_attribute("value") or "",
            option=_value(page, f'input[name="{field}"]'),
            typed=_value(page, f'input[id="{field}--unlisted-choice"]'),
            posted=hub.posts[-1] if len(hub.posts) > posts_before else {},
            errors=errors,
        )
    finally:
        page.close()


def _value(page: Any, selector: str) -> str:
    found = page.locator(selector)
    return str(found.input_value()) if found.count() == 1 else f"({found.count()} found)"


def _expect(read: ReadBack, way: TryOut, *, with_select: bool = True) -> None:
    assert way.choice is not None
    slug, option, image = way.choice.slug, way.choice.option, way.choice.value
    assert read.errors == []
    # JupyterHub's login page sent the browser on to the form, the fragment decoded once.
    assert "/hub/spawn#fancy-forms-config={" in read.landed
    assert read.profile == slug
    assert read.typed == image
    field = f"profile-option-{slug}--{option}"
    assert read.posted.get("profile") == [slug]
    assert read.posted.get(f"{field}--unlisted-choice") == [image]
    if with_select:
        assert read.option == "unlisted_choice"
        assert read.posted.get(field) == ["unlisted_choice"]


@pytest.mark.parametrize(
    "image", [IMAGE, IMAGE.with_digest("sha256:" + "0f" * 32)], ids=["tag", "tag-and-digest"]
)
def test_the_permalink_selects_the_profile_other_and_the_image(
    browser: Any, tmp_path: Path, image: ImageReference
) -> None:
    write_tree(
        tmp_path,
        {
            "helm-charts/basehub/Chart.yaml": BASEHUB_CHART,
            "helm-charts/basehub/values.yaml": CHART,
            "config/c/cluster.yaml": textwrap.dedent("""\
                name: c
                hubs:
                  - name: staging
                    domain: staging.example.org
                    helm_chart: basehub
                    helm_chart_values_files: [staging.values.yaml]
                """),
            "config/c/staging.values.yaml": PROFILES,
        },
    )
    read = files_under(tmp_path)
    way = ways_to_try("config/c/cluster.yaml", read, ["staging"], image)["staging"]
    assert way.way == "permalink" and way.choice is not None
    assert way.choice.value == str(image)
    assert way.choice.slug == "small-1-cpu-4-gb-annas"
    profiles = hub_profile_list("config/c/cluster.yaml", read, "staging")
    with fancy_profiles_hub(profiles) as hub:
        result = read_back(browser, hub, way)
        _expect(result, way)
        # The other option of that profile kept its default.
        assert result.posted.get("profile-option-small-1-cpu-4-gb-annas--resources") == ["mem_4"]
        # The same profile list with the other profile picked: `choices: {}` shows no select.
        byo = _other_profile(way, "byo", "Bring your own")
        _expect(read_back(browser, hub, byo), byo, with_select=False)


def _other_profile(way: TryOut, slug: str, name: str) -> TryOut:
    assert way.choice is not None
    choice = replace(way.choice, profile=name, slug=slug, option="image")
    link = permalink(f"https://{way.domain}", form_config(slug, "image", choice.value))
    return replace(way, choice=choice, permalink=link)


def test_every_2i2c_hub_with_a_permalink(browser: Any, hub_configs: Path) -> None:
    """Each hub of the 2i2c tree that gets a link, with its own profile list."""
    root = hub_configs / "trees" / "2i2c-infrastructure-2026-08"
    checked = []
    by_entry: dict[str, list[str]] = {}
    for _, entry, hub in hubs_2i2c(root):
        by_entry.setdefault(entry, []).append(hub)
    for entry, hubs in by_entry.items():
        for name, way in ways_to_try(entry, reader(root), hubs, IMAGE).items():
            if way.way != "permalink":
                continue
            with fancy_profiles_hub(hub_profile_list(entry, reader(root), name)) as hub:
                _expect(read_back(browser, hub, way), way)
            checked.append(name)
    assert len(checked) == 24


def test_an_option_without_choices_breaks_the_form_so_no_link_is_built(
    browser: Any, tmp_path: Path
) -> None:
    """jupyterhub-fancy-profiles 0.7.0 cannot show an option that has no `choices`: its
    form stays empty for every profile. ways_to_try builds no link there, and says why."""
    broken = PROFILES.replace("            choices: {}\n", "")
    write_tree(
        tmp_path,
        {
            "helm-charts/basehub/Chart.yaml": BASEHUB_CHART,
            "helm-charts/basehub/values.yaml": CHART,
            "staging.values.yaml": broken,
        },
    )
    read = files_under(tmp_path)
    way = ways_to_try("staging.values.yaml", read, ["staging"], IMAGE, chart="basehub")["staging"]
    assert way.way == "unlisted-choice"
    assert any("has no `choices`" in note for note in way.notes)
    linked = _other_profile(replace(way, domain="staging.example.org"), "byo", "Bring your own")
    profiles = hub_profile_list("staging.values.yaml", read, "staging", chart="basehub")
    with fancy_profiles_hub(profiles) as hub:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        assert linked.permalink is not None
        page.goto(hub.url + linked.permalink.removeprefix("https://staging.example.org"))
        page.wait_for_timeout(2000)
        assert page.locator("#form").inner_html() == ""
        assert hub.posts == []
        assert any("Cannot convert undefined or null to object" in e for e in errors)
        page.close()
