"""Which lines of a step's log the Actions runner would obey as workflow commands.

GitHub's documented rule ("Stopping and starting workflow commands"): after
`::stop-commands::TOKEN` the runner processes no workflow command until a line `::TOKEN::`.
Everything else starting with `::` is a command. This reads a log the way the runner does,
to test that output from the image repository can never issue one.
"""

from __future__ import annotations

import re

_COMMAND_RE = re.compile(r"^::([A-Za-z-]+)(?: [^:]*)?::")


def obeyed_commands(log: str) -> list[str]:
    """The lines of `log` the runner would act on (stop/resume markers excluded)."""
    obeyed = []
    stop_token: str | None = None
    for line in log.splitlines():
        if stop_token is not None:
            if line == f"::{stop_token}::":
                stop_token = None
            continue
        if line.startswith("::stop-commands::"):
            stop_token = line.removeprefix("::stop-commands::")
            continue
        if _COMMAND_RE.match(line):
            obeyed.append(line)
    return obeyed
