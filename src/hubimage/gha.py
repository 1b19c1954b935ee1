"""Everything hubimage says to a person or to the GitHub Actions runner.

Progress, groups, masks and annotations go to stderr (the runner reads workflow commands on
both streams), so stdout stays free for `--json`. Outputs are collected and written once, at
the end, to `$GITHUB_OUTPUT`; the job summary is appended to `$GITHUB_STEP_SUMMARY` once.
Every line passes through the redactor first, so a secret registered with `mask()` never
reaches a log, an output or the summary, inside Actions or not.

Build and check output comes from code in the image repository, possibly a fork's; a line
such as `::add-mask::`, `::set-env` or `::stop-commands::` in it must be printed, not obeyed.
`untrusted_output()` wraps it in GitHub's `::stop-commands::<token>` ... `::<token>::` with a
fresh random token, and hubimage's own commands issued meanwhile (masks, groups, annotations)
step out of the wrapping for their one line.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Literal, TextIO

from actions_toolkit.command import Command

from hubimage.errors import SourceLocation

AnnotationLevel = Literal["error", "warning", "notice"]
REDACTED = "***"


class Reporter:
    """Logs, workflow commands, outputs and the job summary of one hubimage run."""

    def __init__(self, stream: TextIO | None = None, *, actions: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.in_actions = os.environ.get("GITHUB_ACTIONS") == "true" if actions is None else actions
        self._secrets: list[str] = []
        self.outputs: dict[str, str] = {}
        self.summary_parts: list[str] = []
        self._stop_token: str | None = None

    # --- secrets --------------------------------------------------------------------------

    def mask(self, secret: str | None) -> None:
        """Register a secret: masked by the runner and redacted from all our own text."""
        if not secret or len(secret) < 4 or secret in self._secrets:
            return
        # Longest first, so a secret that contains another is redacted whole.
        self._secrets.append(secret)
        self._secrets.sort(key=len, reverse=True)
        if self.in_actions:
            for line in _secret_lines(secret):
                self._command(str(Command("add-mask", {}, line)))

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
            for line in _secret_lines(secret):
                text = text.replace(line, REDACTED)
        return text

    # --- logs -----------------------------------------------------------------------------

    def _emit(self, line: str) -> None:
        self.stream.write(line + "\n")
        self.stream.flush()

    def _command(self, line: str) -> None:
        """One workflow command of ours, obeyed also inside `untrusted_output`."""
        if self._stop_token is None:
            self._emit(line)
            return
        self._emit(f"::{self._stop_token}::")
        self._emit(line)
        self._stop_token = secrets.token_hex(16)
        self._emit(f"::stop-commands::{self._stop_token}")

    @contextmanager
    def untrusted_output(self) -> Iterator[None]:
        """While inside, the runner prints workflow commands instead of obeying them."""
        if not self.in_actions or self._stop_token is not None:
            yield
            return
        self._stop_token = secrets.token_hex(16)
        self._emit(f"::stop-commands::{self._stop_token}")
        try:
            yield
        finally:
            token, self._stop_token = self._stop_token, None
            self._emit(f"::{token}::")

    def info(self, message: str) -> None:
        self._emit(self.redact(message))

    def debug(self, message: str) -> None:
        if self.in_actions:
            self._command(str(Command("debug", {}, self.redact(message))))

    @contextmanager
    def group(self, title: str) -> Iterator[None]:
        """A named, foldable log section in Actions; a heading elsewhere."""
        if self.in_actions:
            self._command(f"::group::{self.redact(title)}")
        else:
            self._emit(f"== {self.redact(title)}")
        try:
            yield
        finally:
            if self.in_actions:
                self._command("::endgroup::")

    def annotate(
        self,
        level: AnnotationLevel,
        message: str,
        *,
        title: str | None = None,
        location: SourceLocation | None = None,
    ) -> None:
        """An annotation in Actions (with file and line when known); a prefixed line elsewhere."""
        message = self.redact(message)
        if not self.in_actions:
            where = f"{location.file}:{location.line}: " if location and location.line else ""
            self._emit(f"{level}: {where}{message}")
            return
        properties: dict[str, str] = {}
        if title:
            properties["title"] = self.redact(title)
        if location:
            properties["file"] = location.file
            if location.line:
                properties["line"] = str(location.line)
            if location.column:
                properties["col"] = str(location.column)
        self._command(str(Command(level, properties, message)))

    # --- outputs and summary (collected, written once) ------------------------------------

    def set_output(self, name: str, value: str) -> None:
        self.outputs[name] = self.redact(value)

    def add_summary(self, markdown: str) -> None:
        self.summary_parts.append(self.redact(markdown))

    def flush(self) -> None:
        """Write outputs and the job summary to the runner's files, once."""
        output_path = os.environ.get("GITHUB_OUTPUT")
        if output_path and self.outputs:
            # Imported here: it pulls in uuid and platform, ~10 ms of every start-up.
            from actions_toolkit.file_command import (
                prepare_key_value_message,  # (start-up: only when an output is written)
            )

            with open(output_path, "a", encoding="utf-8") as handle:
                for name, value in self.outputs.items():
                    handle.write(prepare_key_value_message(name, value) + "\n")
        summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary_path and self.summary_parts:
            with open(summary_path, "a", encoding="utf-8") as handle:
                handle.write("\n\n".join(self.summary_parts) + "\n")


def _secret_lines(secret: str) -> list[str]:
    """A multi-line secret (a JSON key) is masked line by line, as the runner does."""
    lines = [line.strip() for line in secret.splitlines()]
    return [line for line in lines if len(line) >= 4] or [secret]


def workflow_run_url(environ: Mapping[str, str]) -> str | None:
    """The page of the workflow run this process belongs to, when it runs in one."""
    run, repository = environ.get("GITHUB_RUN_ID"), environ.get("GITHUB_REPOSITORY")
    if not run or not repository:
        return None
    server = environ.get("GITHUB_SERVER_URL", "https://github.com")
    return f"{server}/{repository}/actions/runs/{run}"
