"""The action checks its inputs before anything is installed, and installs hash-pinned.

The composite action's shell steps run here as the runner runs them (bash, the step's `env:`
with `${{ ... }}` filled in as the runner fills it, GITHUB_ACTION_PATH and RUNNER_TEMP set),
with pip kept offline: a bad input must stop the step before a virtualenv or pip exists.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


@dataclass(frozen=True)
class StepsRun:
    returncode: int
    log: str
    venv_created: bool


def run_composite_steps(inputs: dict[str, str], tmp_path: Path) -> StepsRun:
    action = YAML(typ="safe").load((REPO / "action.yml").read_text())
    values = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    values["github-token"] = ""
    values.update(inputs)
    known = {f"inputs.{name}": value for name, value in values.items()}
    known["steps.python.outputs.python-path"] = sys.executable
    for output in ("token", "cache-url", "results-url", "cache-v2"):  # skipped unless cache: gha
        known[f"steps.gha-runtime.outputs.{output}"] = ""
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    offline = tmp_path / "no-wheels"
    offline.mkdir()
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GITHUB_ACTION_PATH": str(REPO),
        "RUNNER_TEMP": str(runner_temp),
        "PIP_NO_INDEX": "1",  # nothing may come from the network in a test
        "PIP_FIND_LINKS": str(offline),
        "PIP_CONFIG_FILE": os.devnull,
    }
    log = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue  # actions/setup-python: its python-path is this interpreter
        env = {**base}
        for name, value in (step.get("env") or {}).items():
            env[name] = EXPRESSION.sub(lambda m: known[m.group(1)], str(value))
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        log.append(done.stdout + done.stderr)
        if done.returncode != 0:
            break
    venv = runner_temp / "hubimage-venv"
    return StepsRun(done.returncode, "\n".join(log), venv.exists())


@pytest.mark.parametrize(
    "version",
    [
        "--index-url=http://evil.example/simple",
        "2026.4.0 ; rm -rf ~",
        "git+https://evil.example/repo2docker",
        "2026.4.0\n::set-output name=pushed::true",
    ],
)
def test_a_bad_repo2docker_version_stops_the_action_before_pip_runs(
    version: str, tmp_path: Path
) -> None:
    run = run_composite_steps({"repo2docker-version": version}, tmp_path)
    assert run.returncode == 2, run.log
    assert "::error title=hubimage inputs::input 'repo2docker-version'" in run.log
    assert not run.venv_created, "a virtualenv was made before the inputs were checked"
    assert "\n::set-output" not in run.log


def test_any_bad_input_stops_the_action_before_pip_runs(tmp_path: Path) -> None:
    run = run_composite_steps({"user-id": "root"}, tmp_path)
    assert run.returncode == 2, run.log
    assert "input 'user-id'" in run.log
    assert not run.venv_created


def test_good_inputs_go_on_to_the_hash_pinned_install(tmp_path: Path) -> None:
    run = run_composite_steps({"image": "quay.io/org/img"}, tmp_path)
    # pip is offline here, so the install fails, but only after the inputs passed.
    assert run.venv_created
    assert "hubimage inputs" not in run.log
    assert run.returncode != 0
