"""Property tests of the merged-values module (issue 13) against a merge written here.

The merge here works another way than `effective.merge_values`: each file is flattened
into leaf assignments (path -> scalar, list or empty mapping), applied in order (a leaf
replaces what was at its path and below, and any leaf above it), then unflattened.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hubimage.bump import edit_config_tree
from hubimage.bump.effective import chart_prefix, merge_values, offered_images
from hubimage.errors import ConfigError
from support.merged_values import independent_merge

KEYS = ["jupyterhub", "singleuser", "image", "name", "tag", "profileList", "x", "basehub"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["a", "b:1"]))
images = st.builds(lambda n, t: {"name": n, "tag": t}, st.sampled_from(["org/a", "org/b"]), scalars)
profiles = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "kubespawner_override": st.fixed_dictionaries(
                {"image": st.sampled_from(["org/a:1", "org/c:2"])}
            )
        },
    ),
    max_size=3,
)
leaf = st.one_of(scalars, images, profiles, st.lists(scalars, max_size=2))
trees = st.recursive(
    leaf, lambda inner: st.dictionaries(st.sampled_from(KEYS), inner, max_size=4), max_leaves=12
)
layers = st.lists(st.dictionaries(st.sampled_from(KEYS), trees, max_size=4), min_size=1, max_size=4)


@settings(max_examples=200, deadline=None)
@given(layers)
def test_merge_matches_the_independent_merge(files: list[dict[str, Any]]) -> None:
    assert merge_values(files) == independent_merge(files)


@settings(max_examples=200, deadline=None)
@given(layers, st.data())
def test_offers_after_a_random_edit_match(files: list[dict[str, Any]], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(files) - 1))
    prefix = data.draw(st.sampled_from([(), ("basehub",)]))
    edited = [dict(file) for file in files]
    target = edited[index]
    for key in (*prefix, "jupyterhub", "singleuser"):
        child = target.get(key)
        target[key] = dict(child) if isinstance(child, dict) else {}
        target = target[key]
    target["image"] = {"name": "org/new", "tag": data.draw(st.sampled_from(["1", "2"]))}
    for version in (files, edited):
        ours = merge_values(version)
        theirs = independent_merge(version)
        for chart in (None, "basehub", "daskhub"):
            assert offered_images(ours, chart_prefix(ours, chart)) == offered_images(
                theirs, chart_prefix(theirs, chart)
            )


# Through the real bump: random clusters of 3 hubs, their image in a shared or own file.
def values_text(image_tag: str | None, profile_image: str | None) -> str:
    lines = ["jupyterhub:", "  hub: {}"]
    if image_tag is not None or profile_image is not None:
        lines.append("  singleuser:")
    if image_tag is not None:
        lines += ["    image:", "      name: org/img", f'      tag: "{image_tag}"']
    if profile_image is not None:
        lines += ["    profileList:", "      - display_name: One", "        kubespawner_override:"]
        lines += [f"          image: {profile_image}"]
    return "\n".join(lines) + "\n"


file_texts = st.builds(
    values_text,
    st.none() | st.sampled_from(["1", "2"]),
    st.none() | st.sampled_from(["org/img:1", "org/other:1"]),
)


@settings(max_examples=80, deadline=None)
@given(
    common=file_texts,
    own=st.lists(file_texts, min_size=3, max_size=3),
    named=st.lists(st.sampled_from(["h0", "h1", "h2"]), min_size=1, max_size=3, unique=True),
    scope=st.sampled_from(["source", "hub"]),
)
def test_a_bump_either_reaches_exactly_the_named_hubs_or_is_refused(
    common: str, own: list[str], named: list[str], scope: str
) -> None:
    from ruamel.yaml import YAML

    files = {"c/common.values.yaml": common}
    files |= {f"c/h{i}.values.yaml": text for i, text in enumerate(own)}
    cluster = "hubs:\n" + "".join(
        f"- name: h{i}\n  helm_chart: basehub\n  helm_chart_values_files:\n"
        f"  - common.values.yaml\n  - h{i}.values.yaml\n"
        for i in range(3)
    )
    files["c/cluster.yaml"] = cluster
    try:
        result = edit_config_tree(
            "c/cluster.yaml",
            files.get,
            hubs=named,
            image="org/img:9",
            scope=scope,  # type: ignore[arg-type]
        )
    except ConfigError:
        return  # refused: nothing is written (the callers write only a returned result)
    new = dict(files) | {edit.file: edit.new_text for edit in result.edits}
    load = YAML(typ="safe").load

    def offers(texts: dict[str, str], hub: str) -> Any:
        merged = independent_merge(
            [load(texts["c/common.values.yaml"]), load(texts[f"c/{hub}.values.yaml"])]
        )
        return offered_images(merged)

    for hub in ("h0", "h1", "h2"):
        if hub in named:
            assert any(offer.image == "org/img:9" for offer in offers(new, hub))
        else:
            assert offers(new, hub) == offers(files, hub)
