"""Check how a composite action's inputs reach its program.

    python tools/lint/check_action_inputs.py [action.yml ...]

An input is data and must never become shell code, so inside a `run:` script of a composite
action no `${{ inputs.* }}`, `${{ github.event.* }}` or `${{ github.head_ref }}` expression may
appear: GitHub pastes the value into the script before the shell reads it. Inputs reach the
program only through `env:`. Also checked, because each is a silent bug at run time:
- input and output names are kebab-case;
- every `inputs.NAME` used is declared, and every declared input is used somewhere;
- an `INPUT_*` variable set from `${{ inputs.NAME }}` is named `INPUT_<NAME>` ('-' as '_'),
  the name the program reads;
- no `secrets.*`: that context does not exist inside an action.

Prints `file:line:col: message [kind]` per finding (like actionlint). Exit 0 when clean, 1 with
findings, 2 when a file cannot be read or parsed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

KEBAB_CASE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
# `inputs.name` / `inputs['name']`, but not `github.event.inputs.name` (the preceding `.`).
INPUT_REFERENCE = re.compile(r"(?<![\w.])inputs\s*(?:\.\s*([A-Za-z_][\w-]*)|\[\s*'([^']*)'\s*\])")
# Values an outsider controls; `github.event_name` is safe (no word boundary after `event`).
UNTRUSTED_REFERENCE = re.compile(
    r"(?<![\w.])github\s*(?:\.\s*(event|head_ref)\b|\[\s*'(event|head_ref)'\s*\])"
)
SECRETS_REFERENCE = re.compile(r"(?<![\w.-])secrets\b")  # not inputs.build-secrets
WHOLE_INPUT_EXPRESSION = re.compile(r"^\$\{\{\s*inputs\.([A-Za-z_][\w-]*)\s*\}\}$")


@dataclass(frozen=True)
class Finding:
    file: str
    line: int  # 1-based
    column: int  # 1-based
    message: str
    kind: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message} [{self.kind}]"


class UnreadableActionError(Exception):
    """The file cannot be read or is not a YAML mapping."""


@dataclass(frozen=True)
class Scalar:
    """A string value from the file and where its text starts (1-based)."""

    text: str
    line: int
    column: int
    style: Literal["plain", "quoted", "block"]
    block_indent: int = 0  # `|` / `>`: the content's indentation, from the line after

    def position(self, offset: int) -> tuple[int, int]:
        """File position of character `offset` of the text (exact unless escapes or folding)."""
        before = self.text[:offset]
        newlines = before.count("\n")
        in_line = len(before) - before.rfind("\n")  # 1-based column within its line of text
        if self.style == "block":
            return self.line + 1 + newlines, self.block_indent + in_line
        if newlines:
            return self.line + newlines, in_line
        return self.line, self.column + offset + (1 if self.style == "quoted" else 0)


@dataclass(frozen=True)
class ActionFile:
    path: Path
    data: Any  # ruamel round-trip mapping: values carry their positions in `.lc`
    lines: list[str]

    @classmethod
    def load(cls, path: Path) -> ActionFile:
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True  # to know when a position points at a quote
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.load(text)
        except (OSError, UnicodeDecodeError, YAMLError) as error:
            raise UnreadableActionError(f"{path}: cannot read action metadata: {error}") from error
        if not isinstance(data, dict):
            raise UnreadableActionError(f"{path}: action metadata is not a YAML mapping")
        return cls(path, data, text.splitlines())

    def finding(self, position: tuple[int, int], message: str, kind: str) -> Finding:
        return Finding(str(self.path), position[0], position[1], message, kind)

    def scalar(self, value: str, line0: int, column0: int) -> Scalar:
        """`value` found at 0-based (line0, column0), as ruamel reports it."""
        if isinstance(value, LiteralScalarString | FoldedScalarString):
            content = (text for text in self.lines[line0 + 1 :] if text.strip())
            first = next(content, "")
            indent = len(first) - len(first.lstrip(" "))
            return Scalar(str(value), line0 + 1, column0 + 1, "block", indent)
        quoted = isinstance(value, DoubleQuotedScalarString | SingleQuotedScalarString)
        return Scalar(str(value), line0 + 1, column0 + 1, "quoted" if quoted else "plain")

    def value_scalar(self, mapping: Any, key: str) -> Scalar | None:
        value = mapping.get(key)
        if not isinstance(value, str):
            return None
        return self.scalar(value, *mapping.lc.value(key))

    def scalars(self, node: Any) -> Iterator[Scalar]:
        """Every string value under `node`, with its position."""
        if isinstance(node, dict):
            for key, value in node.items():
                if isinstance(value, str):
                    yield self.scalar(value, *positions(node).value(key))
                else:
                    yield from self.scalars(value)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    yield self.scalar(item, *positions(node).item(index))
                else:
                    yield from self.scalars(item)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def composite_steps(self) -> list[Any]:
        runs = self.section("runs")
        steps = runs.get("steps")
        if runs.get("using") != "composite" or not isinstance(steps, list):
            return []
        return [step for step in steps if isinstance(step, dict)]


def positions(node: Any) -> Any:
    """ruamel's line/column record of a mapping or sequence (0-based)."""
    return node.lc


def key_position(mapping: Any, key: str) -> tuple[int, int]:
    line0, column0 = mapping.lc.key(key)
    return line0 + 1, column0 + 1


def expressions(scalar: Scalar) -> Iterator[tuple[int, str]]:
    """(offset in the text, inside) for each `${{ ... }}` in the scalar."""
    for match in EXPRESSION.finditer(scalar.text):
        yield match.start(), match.group(1)


def all_expressions(action: ActionFile) -> Iterator[tuple[Scalar, int, str]]:
    """Every expression in the file, with its scalar and offset; a step's `if:` is an
    expression even without `${{ }}`."""
    for scalar in action.scalars(action.data):
        yield from ((scalar, offset, inside) for offset, inside in expressions(scalar))
    for step in action.composite_steps():
        condition = action.value_scalar(step, "if")
        if condition is not None and not EXPRESSION.search(condition.text):
            yield condition, 0, condition.text


def referenced_inputs(expression: str) -> list[str]:
    return [dotted or quoted for dotted, quoted in INPUT_REFERENCE.findall(expression)]


# --- the checks -----------------------------------------------------------------------------


def check_names(action: ActionFile) -> Iterator[Finding]:
    for section in ("inputs", "outputs"):
        declared = action.section(section)
        for name in declared:
            if not KEBAB_CASE.match(str(name)):
                yield action.finding(
                    key_position(declared, name),
                    f"{section[:-1]} {name!r} is not kebab-case (lower-case words joined by '-')",
                    "naming",
                )


def check_run_scripts(action: ActionFile) -> Iterator[Finding]:
    """No input or event value is pasted into a shell script."""
    for step in action.composite_steps():
        script = action.value_scalar(step, "run")
        if script is None:
            continue
        for offset, expression in expressions(script):
            if INPUT_REFERENCE.search(expression) or UNTRUSTED_REFERENCE.search(expression):
                yield action.finding(
                    script.position(offset),
                    f"${{{{{expression}}}}} is pasted into a run: script, where a value becomes "
                    "shell code; pass it through the step's env: and use the variable",
                    "script-injection",
                )


def check_input_usage(action: ActionFile) -> Iterator[Finding]:
    """Every input used is declared; in a composite action every declared input is used."""
    declared = action.section("inputs")
    used: set[str] = set()
    for scalar, offset, expression in all_expressions(action):
        for name in referenced_inputs(expression):
            used.add(name)
            if name not in declared:
                yield action.finding(
                    scalar.position(offset), f"input {name!r} is not declared", "input"
                )
    if action.composite_steps():
        for name in declared:
            if name not in used:
                yield action.finding(
                    key_position(declared, name),
                    f"input {name!r} is declared but never passed to a step, so it is ignored",
                    "input",
                )


def check_env_names(action: ActionFile) -> Iterator[Finding]:
    """`INPUT_X: ${{ inputs.y }}` must be named after the input it carries."""
    for step in action.composite_steps():
        env = step.get("env")
        if not isinstance(env, dict):
            continue
        for variable, value in env.items():
            match = WHOLE_INPUT_EXPRESSION.match(str(value).strip())
            if match is None or not str(variable).startswith("INPUT_"):
                continue
            name = match.group(1)
            expected = "INPUT_" + name.upper().replace("-", "_")
            if variable != expected:
                yield action.finding(
                    key_position(env, variable),
                    f"{variable} is set from input {name!r}, so it must be named {expected}",
                    "env-name",
                )


def check_contexts(action: ActionFile) -> Iterator[Finding]:
    for scalar, offset, expression in all_expressions(action):
        if SECRETS_REFERENCE.search(expression):
            yield action.finding(
                scalar.position(offset),
                "the secrets context does not exist in an action; take the secret as an input",
                "context",
            )


CHECKS = (check_names, check_run_scripts, check_input_usage, check_env_names, check_contexts)


def check_action(path: Path) -> list[Finding]:
    """All findings for one action metadata file, in file order."""
    action = ActionFile.load(path)
    findings = [finding for check in CHECKS for finding in check(action)]
    return sorted(findings, key=lambda finding: (finding.line, finding.column, finding.message))


def main(argv: Sequence[str] | None = None) -> int:
    paths = [Path(arg) for arg in (sys.argv[1:] if argv is None else argv)] or [Path("action.yml")]
    status = 0
    for path in paths:
        try:
            findings = check_action(path)
        except UnreadableActionError as error:
            print(f"check_action_inputs: {error}", file=sys.stderr)
            return 2
        for finding in findings:
            print(finding)
        status = status or (1 if findings else 0)
    return status


if __name__ == "__main__":
    sys.exit(main())
