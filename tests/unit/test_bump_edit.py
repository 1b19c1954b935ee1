"""edit_config_text on small configs written here: layouts, quoting, anchors, creation."""

from __future__ import annotations

import pytest
from ruamel.yaml import YAML

from hubimage.bump import edit_config_text
from hubimage.errors import ConfigError

HUBS_2022 = """\
hubs:
  - name: staging
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/org/image  # the user image
            tag: 'abc123'
  - name: prod
    helm_chart: daskhub
    config:
      basehub:
        jupyterhub:
          singleuser:
            image:
              name: quay.io/org/image
              tag: abc123
"""


def bump(text: str, **options: object) -> str:
    options.setdefault("filename", "hubs.yaml")
    edit = edit_config_text(text, **options)  # type: ignore[arg-type]
    return edit.new_text


def load(text: str) -> object:
    return YAML(typ="safe", pure=True).load(text)


def test_two_hubs_in_one_call_keep_comments_and_quote_style() -> None:
    new = bump(HUBS_2022, hubs=["staging", "prod"], image="quay.io/org/image:def456")
    assert new == HUBS_2022.replace("tag: 'abc123'", "tag: 'def456'").replace(
        "tag: abc123", "tag: def456"
    )


def test_bumping_to_the_tag_already_there_changes_nothing() -> None:
    edit = edit_config_text(
        HUBS_2022, filename="hubs.yaml", hubs=["staging", "prod"], image="quay.io/org/image:abc123"
    )
    assert not edit.changed
    assert edit.new_text == HUBS_2022
    assert edit.changes == ()


def test_same_image_spelled_without_the_default_registry_keeps_the_file_spelling() -> None:
    new = bump(HUBS_2022, hubs=["prod"], image="org/image:def456")
    assert new == HUBS_2022.replace("tag: abc123", "tag: def456")


def test_a_tag_read_as_a_number_is_rewritten_quoted_even_when_equal() -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: org/image\n      tag: 1234567\n"
    edit = edit_config_text(text, filename="values.yaml", hubs=[], image="org/image:1234567")
    assert edit.changed
    assert edit.new_text == text.replace("tag: 1234567", 'tag: "1234567"')


@pytest.mark.parametrize(
    "tag", ["1234567", "0123", "1e5", "true", "0x1F", "1.0", "yes", "null", "2001-12-14", "1_000"]
)
def test_tags_yaml_reads_as_non_strings_are_quoted(tag: str) -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: org/image\n      tag: abc\n"
    new = bump(text, hubs=[], image=f"org/image:{tag}")
    assert new == text.replace("tag: abc", f'tag: "{tag}"')
    assert load(new) == {"jupyterhub": {"singleuser": {"image": {"name": "org/image", "tag": tag}}}}


@pytest.mark.parametrize("tag", ["2021.02.19", "v1.0", "abc123", "4066a62", "latest"])
def test_tags_that_read_as_strings_stay_plain(tag: str) -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: org/image\n      tag: abc\n"
    assert bump(text, hubs=[], image=f"org/image:{tag}") == text.replace("abc", tag)


def test_single_quoted_name_decides_the_quotes_of_a_new_numeric_tag() -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: 'org/image'\n      tag: abc\n"
    new = bump(text, hubs=[], image="org/image:0123")
    assert new == text.replace("tag: abc", "tag: '0123'")


def test_crlf_file_stays_crlf_for_changed_and_created_lines() -> None:
    text = (
        "hubs:\r\n"
        "  - name: a\r\n"
        "    helm_chart: basehub\r\n"
        "    config:\r\n"
        "      jupyterhub:\r\n"
        "        singleuser:\r\n"
        "          image:\r\n"
        "            name: org/image\r\n"
        "            tag: old\r\n"
        "  - name: b\r\n"
        "    helm_chart: basehub\r\n"
        "    config:\r\n"
        "      jupyterhub:\r\n"
        "        hub: {}\r\n"
    )
    new = bump(text, hubs=["a", "b"], image="org/image:new")
    assert new == text.replace("tag: old", "tag: new") + (
        "        singleuser:\r\n"
        "          image:\r\n"
        "            name: org/image\r\n"
        "            tag: new\r\n"
    )


def test_anchor_shared_between_hubs_is_refused_naming_them() -> None:
    text = """\
hubs:
  - name: alpha
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser: &shared
          image:
            name: org/image
            tag: old
  - name: beta
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser: *shared
  - name: gamma
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser: *shared
"""
    with pytest.raises(ConfigError, match=r"&shared \(line 6\), which hub beta, hub gamma"):
        bump(text, hubs=["alpha"], image="org/image:new")
    with pytest.raises(ConfigError, match=r"which hub gamma also"):
        bump(text, hubs=["alpha", "beta"], image="org/image:new")
    expected = text.replace("tag: old", "tag: new")
    assert bump(text, hubs=["alpha", "beta", "gamma"], image="org/image:new") == expected
    assert bump(text, hubs=["beta"], image="org/image:new", allow_shared=True) == expected


def test_creating_in_a_shared_anchor_is_refused_too() -> None:
    text = """\
hubs:
  - name: alpha
    helm_chart: basehub
    config:
      jupyterhub: &jh
        custom: {}
  - name: beta
    helm_chart: basehub
    config:
      jupyterhub: *jh
"""
    with pytest.raises(ConfigError, match="hub beta"):
        bump(text, hubs=["alpha"], image="org/image:new")


def test_top_level_list_of_hubs_with_template_and_string_image() -> None:
    # The document is itself the list of hubs; the image is one "name:tag" string.
    text = """\
- name: one
  template: base-hub
  config:
    jupyterhub:
      singleuser:
        image: "localhost:5000/org/img:1.0"   # pinned
- name: two
  template: daskhub
  config:
    base-hub:
      jupyterhub: {}
"""
    new = bump(text, hubs=["one"], image="localhost:5000/org/img:2.0")
    assert new == text.replace('"localhost:5000/org/img:1.0"', '"localhost:5000/org/img:2.0"')


def test_registry_with_port_in_the_name_of_a_map() -> None:
    text = (
        "jupyterhub:\n  singleuser:\n    image:\n      name: localhost:5000/org/img\n"
        "      tag: v1\n"
    )
    new = bump(text, hubs=[], image="localhost:5000/org/img:v2")
    assert new == text.replace("tag: v1", "tag: v2")


def test_explicit_path_overrides_detection() -> None:
    text = """\
jupyterhub:
  singleuser:
    image:
      name: org/default
      tag: one
    profileList:
      - display_name: a
        profile_options:
          image:
            choices:
              a:
                kubespawner_override:
                  image: org/other:one
"""
    path = (
        "jupyterhub.singleuser.profileList[0].profile_options.image.choices.a"
        ".kubespawner_override.image"
    )
    edit = edit_config_text(text, filename="v.yaml", hubs=["h"], image="org/other:two", path=path)
    assert edit.new_text == text.replace("org/other:one", "org/other:two")
    [change] = edit.changes
    assert (change.hub, change.path, change.line, change.old, change.new) == (
        "h",
        path,
        13,
        "org/other:one",
        "org/other:two",
    )


def test_explicit_path_to_a_tag_means_its_image_mapping() -> None:
    text = 'a:\n  "dotted.key":\n    name: org/x\n    tag: one\n'
    new = bump(text, hubs=[], image="org/x:two", path='a["dotted.key"].tag')
    assert new == text.replace("tag: one", "tag: two")


def test_create_deep_block_with_the_files_indentation() -> None:
    text = (
        "hubs:\n    - name: h\n      helm_chart: daskhub\n      config:\n"
        "          nfs:\n              enabled: true\n"
    )
    new = bump(text, hubs=["h"], image="org/x:1.2")
    assert new == text + (
        "          basehub:\n"
        "              jupyterhub:\n"
        "                  singleuser:\n"
        "                      image:\n"
        "                          name: org/x\n"
        '                          tag: "1.2"\n'
    )


def test_create_config_for_a_hub_without_one() -> None:
    text = "hubs:\n- name: h\n  helm_chart: basehub\n- name: other\n  helm_chart: basehub\n"
    new = bump(text, hubs=["h"], image="org/x:abc")
    assert new == text.replace(
        "  helm_chart: basehub\n- name: other",
        "  helm_chart: basehub\n"
        "  config:\n"
        "    jupyterhub:\n"
        "      singleuser:\n"
        "        image:\n"
        "          name: org/x\n"
        "          tag: abc\n"
        "- name: other",
    )


def test_create_after_a_block_scalar_and_trailing_comments() -> None:
    text = """\
jupyterhub:
  hub:
    extraConfig:
      a: |
        # python, not a YAML comment
        c.X = 1

  # a comment about what follows
other: 1
"""
    new = bump(text, hubs=[], image="org/x:abc")
    assert new == text.replace(
        "        c.X = 1\n",
        "        c.X = 1\n  singleuser:\n    image:\n      name: org/x\n      tag: abc\n",
    )


def test_image_mapping_missing_its_tag_gets_one() -> None:
    text = "jupyterhub:\n  singleuser:\n    image:\n      name: org/x\n    cpu: 1\n"
    new = bump(text, hubs=[], image="org/x:abc")
    assert new == text.replace("name: org/x\n", "name: org/x\n      tag: abc\n")


def test_flow_mapping_image_is_edited_in_place() -> None:
    text = "jupyterhub:\n  singleuser:\n    image: {name: org/x, tag: old}\n"
    assert bump(text, hubs=[], image="org/x:new") == text.replace("old", "new")


def test_file_without_final_newline_stays_without_one() -> None:
    # Issue 13 (fails at b3ac158, which added a final line break): only the added lines differ.
    text = "jupyterhub:\n  hub: {}"
    new = bump(text, hubs=[], image="org/x:abc")
    assert new == text + "\n  singleuser:\n    image:\n      name: org/x\n      tag: abc"


def test_byte_order_mark_is_kept() -> None:
    text = "\ufeffjupyterhub:\n  singleuser:\n    image:\n      name: org/x\n      tag: a\n"
    assert bump(text, hubs=[], image="org/x:b") == text.replace("tag: a", "tag: b")


def test_other_references_in_other_hubs_are_reported_and_updated_on_request() -> None:
    text = """\
hubs:
  - name: a
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser:
          image: {name: org/x, tag: "1"}
  - name: b
    helm_chart: basehub
    config:
      jupyterhub:
        prePuller:
          extraImages:
            x: {name: quay.io/org/x, tag: "1"}
        singleuser:
          profileList:
            - kubespawner_override:
                image: org/x:1
"""
    edit = edit_config_text(text, filename="h.yaml", hubs=["a"], image="org/x:2")
    assert edit.new_text == text.replace('tag: "1"}\n  - name: b', 'tag: "2"}\n  - name: b')
    assert [(r.path, r.line, r.value, r.updated) for r in edit.other_references] == [
        ("hubs[1].config.jupyterhub.prePuller.extraImages.x", 14, "quay.io/org/x:1", False),
        (
            "hubs[1].config.jupyterhub.singleuser.profileList[0].kubespawner_override.image",
            18,
            "org/x:1",
            False,
        ),
    ]
    updated = edit_config_text(
        text, filename="h.yaml", hubs=["a"], image="org/x:2", update_references=True
    )
    assert updated.new_text == text.replace('"1"', '"2"').replace("org/x:1", "org/x:2")
    assert all(reference.updated for reference in updated.other_references)


def test_merge_key_inherited_image_is_refused() -> None:
    text = """\
base: &base
  name: org/x
  tag: old
jupyterhub:
  singleuser:
    image:
      <<: *base
"""
    with pytest.raises(ConfigError, match="merge key"):
        bump(text, hubs=[], image="org/x:new")


def test_values_file_with_no_hub_sections_is_refused() -> None:
    with pytest.raises(ConfigError, match="is this a hub's config"):
        bump("name: something\nitems: [1, 2]\n", hubs=[], image="org/x:new")


def test_unknown_chart_with_no_image_is_refused() -> None:
    text = "hubs:\n- name: h\n  helm_chart: binderhub\n  config:\n    x: 1\n"
    with pytest.raises(ConfigError, match="binderhub"):
        bump(text, hubs=["h"], image="org/x:new")


def test_same_hub_name_in_two_clusters_needs_the_cluster() -> None:
    text = """\
clusters:
  - name: c1
    hubs:
      - name: h
        template: base-hub
        config: {jupyterhub: {singleuser: {image: {name: org/x, tag: a}}}}
  - name: c2
    hubs:
      - name: h
        template: base-hub
        config: {jupyterhub: {singleuser: {image: {name: org/x, tag: a}}}}
"""
    with pytest.raises(ConfigError, match="c1/h, c2/h"):
        bump(text, hubs=["h"], image="org/x:b")
    assert (
        bump(text, hubs=["c2/h"], image="org/x:b")
        == text[::-1].replace("a :gat", "b :gat", 1)[::-1]
    )


@pytest.mark.parametrize(
    ("empty", "filled"),
    [
        ("tag:", "tag: abc"),
        ("tag:   # none yet", "tag: abc   # none yet"),
        ("tag: ~", "tag: abc"),
        ("tag: null", "tag: abc"),
    ],
)
def test_an_empty_tag_is_filled_in(empty: str, filled: str) -> None:
    text = f"jupyterhub:\n  singleuser:\n    image:\n      name: org/x\n      {empty}\n    x: 1\n"
    assert bump(text, hubs=[], image="org/x:abc") == text.replace(empty, filled)


def test_empty_values_on_the_way_are_replaced_by_the_block() -> None:
    text = (
        "hubs:\n"
        "- name: h\n  helm_chart: daskhub\n  config: {}  # nothing yet\n"
        "- name: i\n  helm_chart: basehub\n  config:\n"
        "- name: j\n  helm_chart: basehub\n  config:\n    jupyterhub:\n      singleuser: &s ~\n"
        "- name: k\n  helm_chart: basehub\n  config:\n    jupyterhub:\n      singleuser: *s\n"
    )
    new = bump(text, hubs=["h", "i", "j", "k"], image="org/x:abc")
    assert new == (
        "hubs:\n"
        "- name: h\n  helm_chart: daskhub\n  config:\n    basehub:\n      jupyterhub:\n"
        "        singleuser:\n          image:\n            name: org/x\n            tag: abc"
        "  # nothing yet\n"
        "- name: i\n  helm_chart: basehub\n  config:\n    jupyterhub:\n      singleuser:\n"
        "        image:\n          name: org/x\n          tag: abc\n"
        "- name: j\n  helm_chart: basehub\n  config:\n    jupyterhub:\n      singleuser: &s\n"
        "        image:\n          name: org/x\n          tag: abc\n"
        "- name: k\n  helm_chart: basehub\n  config:\n    jupyterhub:\n      singleuser: *s\n"
    )


def test_create_after_a_list_ending_in_aliases_defined_out_of_order() -> None:
    text = "x: &a [1]\ny: &b [2]\njupyterhub:\n  hub:\n    list:\n    - *b\n    - *a\nother: 1\n"
    new = bump(text, hubs=[], image="a/b:c")
    assert new == text.replace(
        "    - *a\n", "    - *a\n  singleuser:\n    image:\n      name: a/b\n      tag: c\n"
    )
