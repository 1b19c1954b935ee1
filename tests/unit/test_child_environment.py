"""Child processes get only what they need: real git and a real credential helper dump the
environment they were started with, and no secret of the step is in it.

The step's environment is what the composite action gives `hubimage run`: every input as
INPUT_* (the registry password and the GitHub token among them), plus the runner's own
tokens. git only reads the repository; a credential helper answers for one registry.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from hubimage.imagebuild.gitinfo import git_state
from hubimage.registry.dockerconfig import docker_config_login
from support.gitrepo import commit_files, git, init_repo

STEP_SECRETS = {
    "INPUT_REGISTRY_PASSWORD": "registry-password-0123456789",
    "INPUT_GITHUB_TOKEN": "ghs_inputTOKEN0123456789abcdef",
    "HUBIMAGE_REGISTRY_PASSWORD": "hubimage-password-0123456789",
    "GITHUB_TOKEN": "ghs_envTOKEN0123456789abcdef",
    "ACTIONS_RUNTIME_TOKEN": "runtime-token-0123456789",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN": "oidc-request-token-0123456789",
}


def dumping_program(path: Path, dump: Path, answer: str = "") -> Path:
    """A program that writes its environment (as JSON) to `dump`, then prints `answer`."""
    path.write_text(
        "#!/usr/bin/env python3\n"
        "import json, os, sys\n"
        f"open({str(dump)!r}, 'w').write(json.dumps(dict(os.environ)))\n"
        f"sys.stdout.write({answer!r})\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def step_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in STEP_SECRETS.items():
        monkeypatch.setenv(name, value)


def assert_no_step_secret(dump: Path) -> dict[str, str]:
    env: dict[str, str] = json.loads(dump.read_text())
    leaked = [name for name, value in STEP_SECRETS.items() if value in env.values()]
    assert not leaked, f"the child saw {leaked}"
    assert not [name for name in env if name.startswith(("INPUT_", "HUBIMAGE_", "ACTIONS_"))]
    assert env.get("PATH")  # and it can still run
    return env


def test_git_runs_with_a_minimal_environment(tmp_path: Path, step_environment: None) -> None:
    repo = init_repo(tmp_path / "image-repo")
    commit_files(repo, {"Dockerfile": "FROM scratch\n"}, "image")
    # `git status` runs the fsmonitor hook as its child, with the environment git was given.
    dump = tmp_path / "git-env.json"
    hook = dumping_program(tmp_path / "fsmonitor-hook", dump)
    git(repo, "config", "core.fsmonitor", str(hook))

    state = git_state(repo)

    assert state is not None and state.head is not None
    assert dump.is_file(), "git's child never ran: the test would prove nothing"
    env = assert_no_step_secret(dump)
    assert env.get("GIT_TERMINAL_PROMPT") == "0"


@pytest.mark.parametrize("helper", ["dump", "ecr-login"])
def test_a_credential_helper_gets_only_what_it_needs(
    helper: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step_environment: None
) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dump = tmp_path / "helper-env.json"
    answer = json.dumps({"Username": "robot", "Secret": "helper-secret-0123"})
    dumping_program(bin_dir / f"docker-credential-{helper}", dump, answer)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE0123")
    config = tmp_path / "docker"
    config.mkdir()
    (config / "config.json").write_text(json.dumps({"credsStore": helper}))

    found = docker_config_login("registry.example.org", str(config))

    assert found is not None and found.username == "robot"
    env = assert_no_step_secret(dump)
    # The ECR helper needs its cloud's own credentials; no other helper gets them.
    assert ("AWS_ACCESS_KEY_ID" in env) is (helper == "ecr-login")
