"""actionlint for a composite action's metadata file (actionlint itself lints workflows only).

    python tools/lint/lint_action.py [action.yml ...]

The action's steps are copied, line for line, into a workflow job that `on: workflow_call`
declares the action's inputs (so `inputs.*` is checked) and whose job outputs are the action's
outputs (so `steps.<id>.outputs.*` is checked). actionlint.cjs lints that workflow, and each
finding is mapped back to its line in the action file. Output and exit codes as actionlint.cjs:
`file:line:col: message [kind]`; 0 clean, 1 findings, 2 the file or the linter is unusable.
Also `run_actionlint(paths)`: actionlint.cjs on workflow files, findings as `Finding`s.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from check_action_inputs import ActionFile, Finding, UnreadableActionError, positions

ACTIONLINT_SCRIPT = Path(__file__).with_name("actionlint.cjs")
LINT_TIMEOUT_SECONDS = 120


class LintToolError(Exception):
    """node or the installed linter cannot run (exit 2 of actionlint.cjs)."""


def run_actionlint(paths: Sequence[Path]) -> list[Finding]:
    """Findings of actionlint.cjs for workflow files; raises LintToolError when it cannot run."""
    node = shutil.which("node")
    if node is None:
        raise LintToolError("node is not installed")
    command = [node, str(ACTIONLINT_SCRIPT), "--format", "json", *map(str, paths)]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=LINT_TIMEOUT_SECONDS, check=False
    )
    if result.returncode not in (0, 1):
        raise LintToolError(result.stderr.strip() or f"actionlint.cjs exited {result.returncode}")
    records: list[dict[str, Any]] = json.loads(result.stdout)
    return [
        Finding(r["file"], int(r["line"]), int(r["column"]), str(r["message"]), str(r["kind"]))
        for r in records
    ]


@dataclass
class SyntheticWorkflow:
    """Workflow text plus, per workflow line, the action file line (and column) it came from."""

    lines: list[str] = field(default_factory=list)
    origin: dict[int, tuple[int, int | None]] = field(default_factory=dict)  # None: same column
    column_shift: int = 0  # spaces added in front of the copied steps

    def add(self, text: str, origin: tuple[int, int | None] | None = None) -> None:
        self.lines.append(text)
        if origin is not None:
            self.origin[len(self.lines)] = origin

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def map_back(self, finding: Finding, action_path: Path) -> Finding:
        line, column = self.origin.get(finding.line, (1, 1))
        if column is None:
            column = max(1, finding.column - self.column_shift)
        return Finding(str(action_path), line, column, finding.message, finding.kind)


def steps_block(action: ActionFile) -> tuple[int, list[str]]:
    """(first line, 1-based; the lines) of the `runs.steps` sequence, copied verbatim."""
    steps = action.section("runs")["steps"]
    first0 = positions(steps).item(0)[0]
    item_indent = len(action.lines[first0]) - len(action.lines[first0].lstrip(" "))
    end0 = first0 + 1
    while end0 < len(action.lines):
        text = action.lines[end0]
        stripped = text.lstrip(" ")
        indent = len(text) - len(stripped)
        ends_block = indent < item_indent or (indent == item_indent and stripped[:1] != "-")
        if stripped and not stripped.startswith("#") and ends_block:
            break
        end0 += 1
    return first0 + 1, action.lines[first0:end0]


def action_as_workflow(action: ActionFile) -> SyntheticWorkflow:
    """A workflow whose one job runs the composite action's steps (see the module docstring)."""
    workflow = SyntheticWorkflow()
    workflow.add(f"# the steps of {action.path} as a workflow job, for actionlint")
    workflow.add("on:")
    workflow.add("  workflow_call:")
    inputs = action.section("inputs")
    workflow.add("    inputs:" if inputs else "    inputs: {}")
    for name in inputs:
        key_line0, key_column0 = positions(inputs).key(name)
        entry = f"      {json.dumps(str(name))}: {{type: string, required: false}}"
        workflow.add(entry, (key_line0 + 1, key_column0 + 1))
    workflow.add("jobs:")
    workflow.add(" composite-action:")  # one-space indents leave room for the copied steps
    workflow.add("  runs-on: ubuntu-latest")
    outputs = action.section("outputs")
    if outputs:
        workflow.add("  outputs:")
    for name, output in outputs.items():
        value = output.get("value") if isinstance(output, dict) else None
        if isinstance(value, str):
            value_line0, value_column0 = positions(output).value("value")
            entry = f"   {json.dumps(str(name))}: {json.dumps(value)}"
            workflow.add(entry, (value_line0 + 1, value_column0 + 1))
    workflow.add("  steps:")
    first_line, block = steps_block(action)
    item_indent = len(block[0]) - len(block[0].lstrip(" "))
    workflow.column_shift = max(0, 2 - item_indent)  # items must not sit left of `steps:`
    for offset, text in enumerate(block):
        shifted = " " * workflow.column_shift + text if text.strip() else text
        workflow.add(shifted, (first_line + offset, None))
    return workflow


def lint_action(path: Path) -> list[Finding]:
    """actionlint findings for a composite action's steps; none for other kinds of action."""
    action = ActionFile.load(path)
    if not action.composite_steps():
        return []
    workflow = action_as_workflow(action)
    with tempfile.TemporaryDirectory(prefix="hubimage-lint-") as folder:
        workflow_path = Path(folder) / "action-as-workflow.yml"
        workflow_path.write_text(workflow.text(), encoding="utf-8")
        findings = run_actionlint([workflow_path])
    return [workflow.map_back(finding, path) for finding in findings]


def main(argv: Sequence[str] | None = None) -> int:
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)] or [Path("action.yml")]
    status = 0
    for path in paths:
        try:
            findings = lint_action(path)
        except (UnreadableActionError, LintToolError) as error:
            print(f"lint_action: {error}", file=sys.stderr)
            return 2
        for finding in findings:
            print(finding)
        status = status or (1 if findings else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
