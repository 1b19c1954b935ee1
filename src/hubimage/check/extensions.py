"""server-extensions: the server extensions that did not load, read from the server's log.

jupyter_server keeps going when an extension fails: it logs `NAME | error adding extension`
(the module is missing or broken) or `NAME | extension failed loading with message: ...`
(it raised while loading), and the server answers without it. Users then meet a missing
interface, so each is a warning; a failure when the hub's default URL needs it (an image
whose `jupyter_server_proxy` breaks cannot serve a hub that lands users on /rstudio).
"""

from __future__ import annotations

import re

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.landing import first_part, wanted_page
from hubimage.check.session import needs_server

# jupyter_server's ExtensionManager: `NAME | error adding extension (enabled: True): ...`,
# `NAME | error linking extension: ...`, `NAME | extension failed loading with message: ...`
_FAILED = re.compile(
    r"\]\s+(\S+)\s+\|\s+"
    r"(error adding extension|error linking extension|extension failed loading)(.*)$"
)

# The server extensions each kind of default URL needs (module names, as the log names them).
NEEDED_BY = {
    "lab": ("jupyterlab",),
    "tree": ("notebook", "nbclassic"),
    "rstudio": ("jupyter_server_proxy", "jupyter_rsession_proxy"),
    "desktop": ("jupyter_server_proxy", "jupyter_remote_desktop_proxy"),
    "vscode": ("jupyter_server_proxy", "jupyter_vscode_proxy"),
    "git-pull": ("nbgitpuller",),
}


def failed_extensions(log: str) -> dict[str, str]:
    """Each enabled extension the log says did not load, with its message (the first)."""
    failed: dict[str, str] = {}
    for line in log.splitlines():
        match = _FAILED.search(line)
        if match and "(enabled: False)" not in match.group(3):
            name, what, rest = match.group(1), match.group(2), match.group(3)
            message = rest.lstrip(" :(").strip() or what
            failed.setdefault(name.split(".")[0], f"{what}: {message}"[:300])
    return failed


def server_extensions(context: CheckContext) -> Outcome:
    start = needs_server(context, "read")
    if isinstance(start, Outcome):
        return start
    failed = failed_extensions(context.server.logs() or start.start_log)
    needed = NEEDED_BY.get(first_part(context.profile.default_url), ())
    details: dict[str, object] = {"failed": failed, "needed_by_default_url": list(needed)}
    if not failed:
        return Outcome("pass", "every enabled server extension loaded", None, details)
    details["log_tail"] = [f"{name}: {message}" for name, message in failed.items()]
    listed = ", ".join(sorted(failed))
    hint = (
        "install the missing modules, or upgrade or remove the broken extensions "
        "(`jupyter server extension list` in the image shows them)"
    )
    blocking = [name for name in failed if name in needed]
    if blocking:
        return Outcome(
            "fail",
            f"{', '.join(blocking)} did not load, and users land on {wanted_page(context)}, "
            f"which needs it: {failed[blocking[0]]}",
            hint,
            details,
        )
    return Outcome(
        "warn",
        f"{len(failed)} server extension(s) did not load: {listed} ({next(iter(failed.values()))})",
        hint,
        details,
    )
