"""second-start: a user's second day, on the home the first day left behind.

The checks so far met a server on an empty home. A hub's users come back: their home volume
then holds what the first start wrote (JupyterLab's workspace and settings, `.local`, start
scripts' marks) and their own work. A start that only works on an empty home (a script that
copies files in and fails when they are there, a config written once and read wrongly) breaks
every returning user. So: save a notebook into the home through the server's contents API and
read it back, as a user saving their work does; then stop the server and start it again on
the same home volume, and ask for the notebook from the new server.

The runner asks for this check last, once every other check of the profile has used the
first server.
"""

from __future__ import annotations

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import last_lines
from hubimage.check.session import ServerStart, http_json, needs_server

NOTEBOOK = "hubimage-second-day.ipynb"
MARK = "saved by hubimage's second-start check"
_NOTEBOOK_BODY = {
    "type": "notebook",
    "format": "json",
    "content": {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": MARK}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    },
}


def second_start(context: CheckContext) -> Outcome:
    home = context.profile.home_mount_path
    if not home:
        return Outcome("skip", "no home volume (storage.type: none): every start is a first day")
    first = needs_server(context, "restarted")
    if isinstance(first, Outcome):
        return first
    saved = _save_notebook(first)
    if saved is not None:
        return saved
    second = context.server.second_start(context)
    details: dict[str, object] = {
        "home": home,
        "first_start_seconds": round(first.seconds, 2),
        "second_start_seconds": round(second.seconds, 2),
    }
    if not second.serving:
        tail = details["log_tail"] = last_lines(second.start_log)
        why = {
            "exited": f"exited with code {second.exit_code}",
            "timeout": f"did not answer within the hub's http_timeout of {second.waited:g} s",
            "not-started": f"could not start ({second.start_error})",
        }.get(second.state, second.state)
        last = tail[-1] if tail else "no output"
        return Outcome(
            "fail",
            f"the server started on an empty home, but on the home the first start and a saved "
            f"notebook left in {home} it {why}; last log line: {last}",
            "a start script or config in the image assumes a new home: make every step the "
            "start runs safe to run again (copy files only when they are missing, `mkdir -p`, "
            "no `ln -s` over an existing link)",
            details,
        )
    status, body = http_json(f"{second.prefix_url}api/contents/{NOTEBOOK}", _auth(second))
    kept = status == 200 and MARK in str(body)
    details["notebook_kept"] = kept
    if not kept:
        workdir = context.profile.working_dir or context.facts.working_dir or "/"
        details["working_dir"] = workdir
        if not _under(workdir, home):
            return Outcome(
                "fail",
                f"a notebook saved on the first start is gone on the second: the server keeps "
                f"users' files in its folder {workdir}, outside the home volume on {home}",
                f"set `WORKDIR {home}` in the image (or the hub's working_dir / notebook_dir "
                f"to {home}), so that what users save lands on their home volume",
                details,
            )
        return Outcome(
            "fail",
            f"the server started again, but the notebook saved in {home} on the first start "
            f"is gone (HTTP {status})",
            f"the image or its start changes {home} at start-up; keep the user's home as it is",
            details,
        )
    return Outcome(
        "pass",
        f"started again in {second.seconds:.1f} s on the home the first start left (with a "
        "saved notebook), and the notebook was still there",
        None,
        details,
    )


def _save_notebook(start: ServerStart) -> Outcome | None:
    """Save a notebook as a user does and read it back; None when both worked."""
    url = f"{start.prefix_url}api/contents/{NOTEBOOK}"
    status, _ = http_json(url, _auth(start), method="PUT", body=_NOTEBOOK_BODY)
    if status not in (200, 201):
        return Outcome(
            "fail",
            f"saving a notebook into the home failed (HTTP {status} from the contents API)",
            "the user cannot save work: the home folder must be writable for the hub's uid "
            "(see home-writable), and the server's root_dir must be inside it",
            {"http_status": status},
        )
    status, body = http_json(url, _auth(start))
    if status != 200 or MARK not in str(body):
        return Outcome(
            "fail",
            f"a notebook saved into the home could not be read back (HTTP {status})",
            "the server's contents manager does not keep what it saves; check the image's "
            "jupyter_server config (ContentsManager)",
            {"http_status": status},
        )
    return None


def _under(path: str, folder: str) -> bool:
    path, folder = path.rstrip("/") or "/", folder.rstrip("/") or "/"
    return path == folder or path.startswith(f"{folder}/")


def _auth(start: ServerStart) -> dict[str, str]:
    return {"Authorization": f"token {start.hub.token}"}
