"""server-log: tracebacks and ERROR lines the server printed while it started.

A server can answer and still have broken parts (a server extension that failed to load, a
config file with an error): users meet those later, so they are a warning with the lines.
"""

from __future__ import annotations

import re

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.session import needs_server

MAX_LINES = 30
# jupyter_server / traitlets (`[E 2026-01-01 12:00:00.000 ServerApp] ...`), Python logging
# (`ERROR:root:...`, `... ERROR ...`), and the last line of a traceback.
_ERROR_RE = re.compile(
    r"^\[E[ \d]|^(?:ERROR|CRITICAL)\b|\s(?:ERROR|CRITICAL)\s|^\[(?:ERROR|CRITICAL)\]"
)
_TRACEBACK = "Traceback (most recent call last):"


def error_lines(log: str) -> list[str]:
    """ERROR lines and whole tracebacks (up to their exception line), in log order."""
    found: list[str] = []
    traceback_indent: int | None = None  # of the "Traceback" line while inside one
    for line in log.splitlines():
        indent = len(line) - len(line.lstrip())
        if _TRACEBACK in line:
            traceback_indent = indent
            found.append(line)
        elif traceback_indent is not None:
            if not line.strip():
                traceback_indent = None
                continue
            found.append(line)
            # Frames are indented below "Traceback"; the exception line is level with it.
            if indent <= traceback_indent:
                traceback_indent = None
        elif _ERROR_RE.search(line):
            found.append(line)
    return found


def server_log(context: CheckContext) -> Outcome:
    start = needs_server(context, "read")
    if isinstance(start, Outcome):
        return start
    lines = error_lines(start.start_log)
    tracebacks = sum(_TRACEBACK in line for line in lines)
    errors = len(lines) if not tracebacks else sum(bool(_ERROR_RE.search(ln)) for ln in lines)
    details: dict[str, object] = {"error_lines": lines[-MAX_LINES:]}
    if not lines:
        return Outcome(
            "pass", "no tracebacks or ERROR lines while the server started", None, details
        )
    details["log_tail"] = lines[-MAX_LINES:]
    first = next((ln for ln in lines if _TRACEBACK not in ln and ln.strip()), lines[0])
    return Outcome(
        "warn",
        f"the server started, but its log has {tracebacks} traceback(s) and {errors} ERROR "
        f"line(s): {first.strip()[:200]}",
        "a server extension or config file in the image is broken; read the lines below, or "
        f"the whole log of `docker run --rm -it {context.facts.ref} jupyterhub-singleuser`",
        details,
    )
