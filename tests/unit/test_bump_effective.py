"""Issue 13: the bump's post-condition is what each hub's users get, in merged values.

Layouts written here after 2i2c's (cluster.yaml + values files). Each test notes how the
code at b3ac158 failed it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.bump import bump_config_file
from hubimage.errors import ConfigError

PROFILES = """\
basehub:
  jupyterhub:
    singleuser:
      profileList:
        - display_name: Small
          profile_options:
            image:
              display_name: Image
              choices:
                scipy:
                  display_name: SciPy
                  kubespawner_override:
                    image: quay.io/org/scipy:2025.1
                r:
                  display_name: R
                  kubespawner_override:
                    image: rocker/binder:4.4
"""
OWN = "basehub:\n  jupyterhub:\n    custom:\n      homepage: {}\n"
IMAGE = """\
jupyterhub:
  singleuser:
    image:
      name: quay.io/org/python
      tag: "2025.1"
"""


def cluster(hubs: dict[str, list[str]], chart: str = "daskhub") -> str:
    lines = ["name: test", "hubs:"]
    for hub, files in hubs.items():
        lines += [f"- name: {hub}", f"  helm_chart: {chart}", "  helm_chart_values_files:"]
        lines += [f"  - {file}" for file in files]
    return "\n".join(lines) + "\n"


def layout(folder: Path, files: dict[str, str]) -> dict[str, bytes]:
    for name, text in files.items():
        (folder / name).write_text(text)
    return snapshot(folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {file.name: file.read_bytes() for file in sorted(folder.iterdir())}


def changed(folder: Path, before: dict[str, bytes]) -> list[str]:
    after = snapshot(folder)
    return [name for name in after if after[name] != before.get(name)]


STAGING_PROD = {"staging": ["common.values.yaml", "staging.values.yaml"]} | {
    "prod": ["common.values.yaml", "prod.values.yaml"]
}


def profile_cluster(tmp_path: Path) -> dict[str, bytes]:
    return layout(
        tmp_path,
        {
            "cluster.yaml": cluster(STAGING_PROD),
            "common.values.yaml": PROFILES,
            "staging.values.yaml": OWN,
            "prod.values.yaml": OWN,
        },
    )


def test_profile_choice_hub_through_its_own_values_file_is_refused(tmp_path: Path) -> None:
    # b3ac158 exited 0 and added a jupyterhub.singleuser.image block to staging.values.yaml
    # that no user of the hub gets (they pick from the profile choices in common).
    before = profile_cluster(tmp_path)
    with pytest.raises(ConfigError, match=r"changes the image of hub\(s\) prod too") as raised:
        bump_config_file(
            tmp_path / "staging.values.yaml", hubs=["staging"], image="quay.io/org/scipy:2026.2"
        )
    assert raised.value.hint is not None and "--hub prod" in raised.value.hint
    assert changed(tmp_path, before) == []


def test_profile_choice_hubs_named_together_edit_the_choice(tmp_path: Path) -> None:
    before = profile_cluster(tmp_path)
    result = bump_config_file(
        tmp_path / "staging.values.yaml",
        hubs=["staging", "prod"],
        image="quay.io/org/scipy:2026.2",
    )
    assert changed(tmp_path, before) == ["common.values.yaml"]
    assert (tmp_path / "common.values.yaml").read_text() == PROFILES.replace(
        "scipy:2025.1", "scipy:2026.2"
    )
    [edit] = [edit for edit in result.edits if edit.changed]
    assert [change.hub for change in edit.changes] == ["staging, prod"]


def test_dead_image_block_is_not_success(tmp_path: Path) -> None:
    # staging sets singleuser.image, but every profile choice overrides it: at b3ac158 the
    # dead block was bumped and the call exited 0.
    dead = OWN + "    singleuser:\n      image:\n        name: quay.io/org/scipy\n        tag: x\n"
    before = layout(
        tmp_path,
        {
            "cluster.yaml": cluster(STAGING_PROD),
            "common.values.yaml": PROFILES,
            "staging.values.yaml": dead,
            "prod.values.yaml": OWN,
        },
    )
    # The edit that reaches staging's users is in common, which prod's users get too.
    with pytest.raises(ConfigError, match=r"changes the image of hub\(s\) prod too"):
        bump_config_file(
            tmp_path / "cluster.yaml", hubs=["staging"], image="quay.io/org/scipy:2026.2"
        )
    assert changed(tmp_path, before) == []
    bump_config_file(
        tmp_path / "cluster.yaml", hubs=["staging", "prod"], image="quay.io/org/scipy:2026.2"
    )
    assert changed(tmp_path, before) == ["common.values.yaml"]


UTORONTO = {
    "r-staging": ["r-common.values.yaml", "r-staging.values.yaml"],
    "r-prod": ["r-common.values.yaml", "r-prod.values.yaml"],
}


def test_hub_that_overrides_the_image_later_does_not_share_it(tmp_path: Path) -> None:
    # At b3ac158: "hub(s) r-staging use this file too", although r-staging sets its own.
    before = layout(
        tmp_path,
        {
            "cluster.yaml": cluster(UTORONTO, chart="basehub"),
            "r-common.values.yaml": IMAGE,
            "r-staging.values.yaml": IMAGE.replace('"2025.1"', '"staging-1"'),
            "r-prod.values.yaml": "jupyterhub:\n  hub: {}\n",
        },
    )
    bump_config_file(tmp_path / "cluster.yaml", hubs=["r-prod"], image="quay.io/org/python:2026")
    assert changed(tmp_path, before) == ["r-common.values.yaml"]
    assert (tmp_path / "r-common.values.yaml").read_text() == IMAGE.replace("2025.1", "2026")


def test_staging_first_writes_an_override_only_staging_gets(tmp_path: Path) -> None:
    # b3ac158 had no way to change one hub whose image is in a shared file.
    before = layout(
        tmp_path,
        {
            "cluster.yaml": cluster(UTORONTO, chart="basehub"),
            "r-common.values.yaml": IMAGE,
            "r-staging.values.yaml": "jupyterhub:\n  hub: {}\n",
            "r-prod.values.yaml": "jupyterhub:\n  hub: {}\n",
        },
    )
    result = bump_config_file(
        tmp_path / "cluster.yaml",
        hubs=["r-staging"],
        image="quay.io/org/python:2026",
        scope="hub",
    )
    assert changed(tmp_path, before) == ["r-staging.values.yaml"]
    assert (tmp_path / "r-staging.values.yaml").read_text() == (
        "jupyterhub:\n  hub: {}\n"
        '  singleuser:\n    image:\n      name: quay.io/org/python\n      tag: "2026"\n'
    )
    [edit] = result.edits
    assert [(c.hub, c.old) for c in edit.changes] == [("r-staging", None), ("r-staging", None)]
    # Prod next, after a look: the shared file, where prod's image comes from.
    bump_config_file(tmp_path / "cluster.yaml", hubs=["r-prod"], image="quay.io/org/python:2026")
    assert 'tag: "2026"' in (tmp_path / "r-common.values.yaml").read_text()


def test_staging_first_in_profile_choices_is_refused_with_the_reason(tmp_path: Path) -> None:
    before = profile_cluster(tmp_path)
    with pytest.raises(ConfigError, match="copy the whole profileList") as raised:
        bump_config_file(
            tmp_path / "cluster.yaml",
            hubs=["staging"],
            image="quay.io/org/scipy:2026.2",
            scope="hub",
        )
    assert "Helm replaces a list whole" in raised.value.message
    assert raised.value.hint is not None and "--hub prod" in raised.value.hint
    assert changed(tmp_path, before) == []


def test_staging_first_needs_a_last_file_of_the_hubs_own(tmp_path: Path) -> None:
    hubs = {
        "staging": ["staging.values.yaml", "common.values.yaml"],
        "prod": ["common.values.yaml"],
    }
    before = layout(
        tmp_path,
        {
            "cluster.yaml": cluster(hubs, chart="basehub"),
            "common.values.yaml": IMAGE,
            "staging.values.yaml": "jupyterhub:\n  hub: {}\n",
        },
    )
    with pytest.raises(ConfigError, match="is listed by hub\\(s\\) prod too"):
        bump_config_file(
            tmp_path / "cluster.yaml", hubs=["staging"], image="quay.io/org/python:2", scope="hub"
        )
    assert changed(tmp_path, before) == []


def test_any_entry_point_gives_the_same_edit(tmp_path: Path) -> None:
    files = {
        "cluster.yaml": cluster(UTORONTO, chart="basehub"),
        "r-common.values.yaml": IMAGE,
        "r-staging.values.yaml": IMAGE.replace('"2025.1"', '"staging-1"'),
        "r-prod.values.yaml": "jupyterhub:\n  hub: {}\n",
    }
    results = []
    for entry in ("cluster.yaml", "r-prod.values.yaml", "r-common.values.yaml"):
        before = layout(tmp_path, files)
        bump_config_file(tmp_path / entry, hubs=["r-prod"], image="quay.io/org/python:3")
        results.append((changed(tmp_path, before), snapshot(tmp_path)))
    assert results[0][0] == ["r-common.values.yaml"]
    assert results[0] == results[1] == results[2]


def test_pinned_digest_written_then_replaced(tmp_path: Path) -> None:
    digest = "sha256:" + "ab" * 32
    before = profile_cluster(tmp_path)
    options = {"hubs": ["staging", "prod"], "digest": digest}
    bump_config_file(tmp_path / "cluster.yaml", image="quay.io/org/scipy:2026.2", **options)  # type: ignore[arg-type]
    text = (tmp_path / "common.values.yaml").read_text()
    assert text == PROFILES.replace("scipy:2025.1", f"scipy:2026.2@{digest}")
    bump_config_file(
        tmp_path / "cluster.yaml", hubs=["staging", "prod"], image="quay.io/org/scipy:3"
    )
    assert (tmp_path / "common.values.yaml").read_text() == PROFILES.replace(
        "scipy:2025.1", "scipy:3"
    )
    assert changed(tmp_path, before) == ["common.values.yaml"]


def test_pinned_digest_in_a_name_tag_block(tmp_path: Path) -> None:
    digest = "sha256:" + "0f" * 32
    file = tmp_path / "values.yaml"
    file.write_text(IMAGE)
    bump_config_file(file, hubs=[], image="quay.io/org/python:2026", digest=digest)
    assert file.read_text() == IMAGE.replace('"2025.1"', f'"2026@{digest}"')
    bump_config_file(file, hubs=[], image="quay.io/org/python:2027")
    assert file.read_text() == IMAGE.replace('"2025.1"', '"2027"')


def test_create_a_missing_path(tmp_path: Path) -> None:
    # b3ac158: --path of a key that does not exist was always refused.
    file = tmp_path / "values.yaml"
    file.write_text(OWN)
    path = "basehub.jupyterhub.prePuller.extraImages.mine"
    with pytest.raises(ConfigError, match="does not exist"):
        bump_config_file(file, hubs=[], image="org/x:1", path=path)
    bump_config_file(file, hubs=[], image="org/x:1", path=path, create=True)
    assert file.read_text() == OWN + (
        "    prePuller:\n      extraImages:\n        mine:\n          name: org/x\n"
        '          tag: "1"\n'
    )
