"""jupyterhub-fancy-profiles' permalink, byte for byte: the JSON as `JSON.stringify` writes
it, encoded as `URLSearchParams` encodes it (Node's, the WHATWG one browsers share)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from hubimage.tryout.permalink import (
    form_config,
    form_urlencode,
    json_stringify,
    permalink,
    spawn_fragment,
    survives_login_redirect,
)

SAMPLES = [
    "quay.io/my-org/hub-image:pr-7",
    "registry.example.org:5000/a/b:pr-7@sha256:" + "0f" * 32,
    "with space and + plus & amp = equals % pct # hash",
    "unreserved *-._ and ~!'()",
    "unicode: Café 数据 🐍",
    'quotes " and \\ backslash, control \t\n\u0001',
]


def _node(script: str, payload: object) -> object:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (CI installs it): the reference encoder is Node's")
    done = subprocess.run(
        [node, "-e", script], input=json.dumps(payload), capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    return json.loads(done.stdout)


def test_form_urlencode_is_what_urlsearchparams_writes() -> None:
    script = """
    const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(JSON.stringify(input.map((v) => {
      const p = new URLSearchParams(); p.set("k", v); return p.toString().slice(2);
    })));
    """
    assert [form_urlencode(s) for s in SAMPLES] == _node(script, SAMPLES)


def test_json_stringify_and_the_fragment_are_what_the_form_would_copy() -> None:
    """The form's `copyPermalink`: URLSearchParams holding fancy-forms-config =
    JSON.stringify(values)."""
    configs = [form_config("small-1-cpu-4-gb", "image", sample) for sample in SAMPLES]
    script = """
    const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
    console.log(JSON.stringify(input.map((v) => {
      const p = new URLSearchParams(); p.set("fancy-forms-config", JSON.stringify(v));
      return [JSON.stringify(v), p.toString()];
    })));
    """
    expected = _node(script, configs)
    assert [[json_stringify(c), spawn_fragment(c)] for c in configs] == expected


def test_the_permalink_text() -> None:
    config = form_config("small", "image", "quay.io/my-org/hub-image:pr-7")
    assert list(config) == ["profile", "image", "image:unlisted_choice", "autoStart"]
    assert permalink("https://staging.example.org", config) == (
        "https://staging.example.org/hub/login?next=/hub/spawn%23fancy-forms-config="
        "%7B%22profile%22%3A%22small%22%2C%22image%22%3A%22unlisted_choice%22%2C"
        "%22image%3Aunlisted_choice%22%3A%22quay.io%2Fmy-org%2Fhub-image%3Apr-7%22%2C"
        "%22autoStart%22%3A%22true%22%7D"
    )
    prefixed = permalink("https://hub.example.org", config, base_url="/jhub/")
    assert prefixed.startswith("https://hub.example.org/jhub/hub/login?next=/jhub/hub/spawn%23")


@pytest.mark.parametrize(
    ("value", "survives"),
    [("quay.io/a/b:pr-7", True), ("a+b", False), ("a&b", False), ("100%", False)],
)
def test_what_survives_jupyterhubs_decoding_of_next(value: str, survives: bool) -> None:
    assert survives_login_redirect(value) is survives
