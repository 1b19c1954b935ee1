"""Every input is refused at the door: in the action's first step, before anything is
installed (bare Python, the standard library only), and by `hubimage run` before any phase
starts; the message names the input, or on the command line the flag."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from hubimage.input_specs import INPUTS_BY_NAME
from hubimage.inputs import check_action_inputs

BAD = [
    ("image", "Not An Image!"),
    ("tag", "bad tag"),
    ("tag-scheme", "{nope}"),
    ("tag-scheme", "weekly"),
    ("extra-tags", "-leading-dash"),
    ("build-args", "no equals sign"),
    ("builder", "kaniko"),
    ("build-backend", "podman"),
    ("cache", "s3"),
    ("context", "/nonexistent/hubimage-context"),
    ("pangeo-base-image", "pangeo/base-image:2026.01.01"),
    ("repo2docker-version", "--index-url=http://evil.example/simple"),
    ("force", "maybe"),
    ("fresh-rebuild", "sometimes"),
    ("trusted-code", "perhaps"),
    ("buildx-builder", "no such builder"),
    ("check", "maybe"),
    ("user-id", "-1"),
    ("hub-version", "5.x"),
    ("http-timeout", "0"),
    ("default-url", "https://elsewhere.example/lab"),
    ("skip-checks", "lab-load"),
    ("max-image-size", "big"),
    ("max-compressed-size", "-2GB"),
    ("all-kernels", "maybe"),
    ("push", "yes please"),
    ("require-public", "maybe"),
    ("early-upload", "sometimes"),
    ("skip-unchanged", "perhaps"),
    ("pr-comment", "maybe"),
    ("hubs", "not a hub!"),
    ("image-path", "a..b"),
    ("bump-mode", "merge"),
    ("bump-repository", "not/an/owner-name"),
    ("allow-shared", "maybe"),
    ("update-references", "maybe"),
    ("bump-scope", "cluster"),
    ("pin-digest", "maybe"),
    ("pr-team-reviewers", "not a slug!"),
    ("pr-draft", "maybe"),
    ("dry-run", "maybe"),
]


def action_environ(name: str, value: str) -> dict[str, str]:
    environ = {INPUTS_BY_NAME[name].env_name: value}
    if name == "hubs":  # hubs go with a hub config
        environ["INPUT_HUB_CONFIG"] = "/etc/hostname"
    return environ


@pytest.mark.parametrize(("name", "value"), BAD)
def test_the_action_refuses_it_before_anything_is_installed(name: str, value: str) -> None:
    stream = io.StringIO()
    assert check_action_inputs(action_environ(name, value), stream) == 2
    assert stream.getvalue().startswith("::error title=hubimage inputs::")
    assert f"input '{name}'" in stream.getvalue()


@pytest.mark.parametrize(("name", "value"), BAD)
def test_hubimage_run_refuses_it_before_any_phase_naming_the_flag(name: str, value: str) -> None:
    extra = ["--hub-config", "/etc/hostname"] if name == "hubs" else []
    done = subprocess.run(
        [sys.executable, "-m", "hubimage", "run", f"--{name}", value, *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={  # outside GitHub Actions
            "PATH": "/usr/bin:/bin",
            "HOME": "/nonexistent",
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
        },
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert f"--{name}" in done.stderr, done.stderr
    assert "::group::" not in done.stderr  # no phase started: nothing looked up or built


def test_build_secrets_on_an_untrusted_event_are_refused_at_the_door() -> None:
    environ = {
        "INPUT_BUILD_SECRETS": "pip_token=env:PIP_TOKEN",
        "PIP_TOKEN": "s3cr3t-for-the-test",
        "GITHUB_EVENT_NAME": "pull_request_target",
    }
    stream = io.StringIO()
    assert check_action_inputs(environ, stream) == 2
    assert "input 'build-secrets' on a pull_request_target event" in stream.getvalue()
    assert check_action_inputs({**environ, "INPUT_TRUSTED_CODE": "true"}, io.StringIO()) == 0
    assert check_action_inputs({**environ, "GITHUB_EVENT_NAME": "push"}, io.StringIO()) == 0


def test_every_input_but_the_secrets_is_in_the_table_above() -> None:
    covered = {name for name, _ in BAD}
    free_text = {"target", "registry-username", "bump-branch", "chart", "pr-labels"}
    free_text |= {"pr-reviewers", "pangeo-base-tag", "build-engine", "lab-url"}
    free_text |= {"server-timeout", "spawn-timeout", "hub-config"}
    secrets = {spec.name for spec in INPUTS_BY_NAME.values() if spec.secret}
    assert set(INPUTS_BY_NAME) - covered - free_text - secrets == set()
