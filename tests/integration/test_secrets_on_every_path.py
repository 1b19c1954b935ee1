"""Every secret is masked on every path: the CLI verbs as much as `hubimage run`.

The runner hides a value only after a step printed `::add-mask::VALUE`; a verb that never
registers its secret leaves it to show in any later log line, its own or a tool's.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from support.github_fixtures import CONFIG_REPO, STANDIN_TOKEN
from support.github_standin import GitHubStandIn

HUBS_YAML = """\
hubs:
  - name: staging
    template: base-hub
    config:
      jupyterhub:
        singleuser:
          image:
            name: registry.example.org/team/user-image
            tag: "2026.01.01"
"""


def hubimage_in_actions(
    *args: str, env: dict[str, str], cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    ours = ("GITHUB_", "INPUT_", "HUBIMAGE_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    return subprocess.run(
        [sys.executable, "-m", "hubimage", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**base, "GITHUB_ACTIONS": "true", **env},
        timeout=300,
        check=False,
    )


@pytest.mark.no_engine
def test_bump_masks_its_github_token_before_any_request(github_standin: GitHubStandIn) -> None:
    github_standin.commit_file(CONFIG_REPO, "main", "hubs.yaml", HUBS_YAML, "Hub configs")
    done = hubimage_in_actions(
        "bump",
        "--config",
        "hubs.yaml",
        "--hub",
        "staging",
        "--image",
        "quay.io/org/img:abc123def456",
        "--mode",
        "pr",
        "--repository",
        CONFIG_REPO,
        "--github-api-url",
        github_standin.url,
        env={"HUBIMAGE_GITHUB_TOKEN": STANDIN_TOKEN},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert f"::add-mask::{STANDIN_TOKEN}" in lines
    first_request = next(i for i, line in enumerate(lines) if "pull request" in line)
    assert lines.index(f"::add-mask::{STANDIN_TOKEN}") < first_request
    assert len(github_standin.repos[CONFIG_REPO].pulls) == 1


@pytest.mark.integration
def test_a_build_arg_named_like_a_secret_is_masked_and_pointed_to_build_secrets(
    tmp_path: Path, docker_engine: DockerEngine
) -> None:
    value = "s3cr3t-value-of-the-token"
    (tmp_path / "Dockerfile").write_text("FROM scratch\nARG API_TOKEN\nCOPY hello /hello\n")
    (tmp_path / "hello").write_text("hello\n")
    image = "hubimage-test/secret-build-arg"
    done = hubimage_in_actions(
        "build",
        str(tmp_path),
        "--image",
        image,
        "--tag",
        "t1",
        "--builder",
        "dockerfile",
        "--build-arg",
        f"API_TOKEN={value}",
        "--build-arg",
        "PYTHON_VERSION=3.12",
        env={},
    )
    try:
        assert done.returncode == 0, done.stderr
        assert f"::add-mask::{value}" in done.stderr.splitlines()
        warnings = [line for line in done.stderr.splitlines() if line.startswith("::warning")]
        assert any("API_TOKEN looks like a secret" in w and "build-secrets" in w for w in warnings)
        assert not any("PYTHON_VERSION" in w for w in warnings)
    finally:
        docker_engine.remove_image(f"{image}:t1")
