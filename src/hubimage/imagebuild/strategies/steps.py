"""Build output as it streams: forward each line, remember the step it belongs to.

A failed build then names the failing step (`Step 3/7 : RUN ...` from the legacy builder,
`[stage 3/7] RUN ...` from buildx) and ends with that step's last lines, whatever the
engine's error message says. buildx's plain progress runs steps concurrently and prefixes
every line with its vertex (`#7 ...`), so lines are kept per vertex, and the failing step
is the vertex that printed `ERROR`.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hubimage.engine import LogSink
from hubimage.errors import BuildError, BuildInputError

_STEP_RE = re.compile(r"^Step \d+/\d+ : ")
_VERTEX_RE = re.compile(r"^#(?P<id>\d+) (?P<rest>.*)$")
_VERTEX_TITLE_RE = re.compile(r"^\[[^\]]*\d+/\d+\] ")
_VERTEX_OUTPUT_RE = re.compile(r"^\d+\.\d+ (?P<text>.*)$")
TAIL_LINES = 30


class StepLog:
    """A log sink that passes lines on and keeps the current step and its last lines."""

    def __init__(self, sink: LogSink) -> None:
        self._sink = sink
        self.step: str | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.errors: list[str] = []  # buildx's `ERROR: ...` lines, prefix dropped
        self._titles: dict[str, str] = {}
        self._tails: dict[str, deque[str]] = {}

    def __call__(self, line: str) -> None:
        for part in line.splitlines():
            if not part.strip():
                continue
            if part.startswith("ERROR:"):
                self.errors.append(part.removeprefix("ERROR:").strip())
            vertex = _VERTEX_RE.match(part)
            if vertex:
                self._vertex(vertex.group("id"), vertex.group("rest"))
            elif _STEP_RE.match(part):
                self.step = part
                self.tail.clear()
            else:
                self.tail.append(part)
            self._sink(part)

    def _vertex(self, vertex: str, rest: str) -> None:
        if _VERTEX_TITLE_RE.match(rest):
            self._titles.setdefault(vertex, rest)
            return
        output = _VERTEX_OUTPUT_RE.match(rest)
        if output:
            self._tails.setdefault(vertex, deque(maxlen=TAIL_LINES)).append(output.group("text"))
        elif rest.startswith("ERROR") and vertex in self._titles:
            self.step = self._titles[vertex]
            self.tail = self._tails.get(vertex, deque(maxlen=TAIL_LINES))


@contextmanager
def reporting_failed_step(log: StepLog, dockerfile: Path | None) -> Iterator[None]:
    """Re-raise the engine's build failures with the failing step and its last lines.

    The engine refuses a Dockerfile it cannot parse before building anything: that is bad
    input (naming `dockerfile`), not a failed build.
    """
    try:
        yield
    except BuildError as error:
        if "dockerfile parse error" in error.message:
            where = f" in {dockerfile}" if dockerfile else ""
            raise BuildInputError(
                f"the engine cannot parse the Dockerfile{where}: {error.message}"
            ) from error
        step = f" at {log.step}" if log.step else ""
        detail = error.message.removeprefix("build failed: ")
        raise BuildError(
            f"build failed{step}: {detail}",
            log_tail="\n".join(log.tail) or error.log_tail,
            hint=error.hint,
        ) from error
