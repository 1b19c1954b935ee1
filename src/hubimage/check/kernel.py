"""kernel-runs: a kernel starts in the running server and runs code, as a user's first cell.

Through the server's REST API (`/api/kernelspecs`, `POST /api/kernels`) and the kernel's
websocket channels (`/api/kernels/ID/channels`, Jupyter messaging protocol 5.3), with the
hub's token, exactly as JupyterLab does it for a new notebook.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import last_lines
from hubimage.check.session import ServerStart, http_json, needs_server
from hubimage.check.websocket import WebSocket, WebSocketError

CODE = "1 + 1"
EXPECTED = "2"
_POLL = 0.25
_SETTLE_READS = 8  # at most 2 s more for the log to settle
_SERVER_LOG_RE = re.compile(r"^\[[DIWEC] \d{4}-\d\d-\d\d ")
_ACCESS_LOG_RE = re.compile(r"\] \d{3} (?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) /")
NO_KERNEL_HINT = (
    "install ipykernel in the image's environment (`pip install ipykernel`, or `ipykernel` in "
    "environment.yml); a kernel in another environment also needs `python -m ipykernel "
    "install --prefix /opt/conda` (or --sys-prefix) from that environment"
)


@dataclass
class KernelRun:
    """What one kernel did; `problem` is empty when it ran the code as it should."""

    name: str
    argv: list[str] = field(default_factory=list)
    problem: str = ""
    hint: str = ""
    language: str = ""
    language_version: str = ""
    implementation: str = ""
    result: str | None = None
    seconds: float = 0.0
    log_tail: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "language": self.language,
            "language_version": self.language_version,
            "implementation": self.implementation,
            "result": self.result,
            "seconds": round(self.seconds, 2),
            "problem": self.problem or None,
        }


def kernel_runs(context: CheckContext) -> Outcome:
    start = needs_server(context, "run")
    if isinstance(start, Outcome):
        return start
    status, body = http_json(f"{start.prefix_url}api/kernelspecs", _auth(start))
    if status != 200 or not isinstance(body, dict):
        return Outcome(
            "fail",
            f"GET {start.hub.service_prefix}api/kernelspecs answered HTTP {status}",
            "the server's kernel machinery is broken; see `jupyter kernelspec list` in the image",
        )
    specs: dict[str, Any] = body.get("kernelspecs") or {}
    default = str(body.get("default") or "")
    details: dict[str, object] = {"kernelspecs": sorted(specs), "default": default}
    if not specs:
        return Outcome(
            "fail",
            "the server lists no kernel: users can open JupyterLab but cannot run a notebook",
            NO_KERNEL_HINT,
            details,
        )
    names = sorted(specs) if context.options.all_kernels else [default or sorted(specs)[0]]
    runs = [run_kernel(context, start, name, _argv(specs.get(name))) for name in names]
    details["kernels"] = [run.as_dict() for run in runs]
    failed = [run for run in runs if run.problem]
    if failed:
        details["log_tail"] = [line for run in failed for line in run.log_tail]
        return Outcome(
            "fail",
            "; ".join(run.problem for run in failed),
            "; ".join(dict.fromkeys(run.hint for run in failed)),
            details,
        )
    return Outcome("pass", "; ".join(_ran(run) for run in runs), None, details)


def _ran(run: KernelRun) -> str:
    what = f"{run.language} {run.language_version}".strip() or "unknown language"
    if run.implementation:
        what += f", {run.implementation}"
    shown = f" → {run.result}" if run.result is not None else " (status ok)"
    return f"kernel {run.name} ({what}) ran `{CODE}`{shown} in {run.seconds:.1f} s"


def run_kernel(context: CheckContext, start: ServerStart, name: str, argv: list[str]) -> KernelRun:
    """Start kernel `name`, run `CODE` in it, stop it; the kernel's output on failure."""
    run = KernelRun(name, argv)
    mark = len(context.server.logs())
    kernel_id = ""
    started = time.monotonic()
    timeout = context.options.kernel_timeout
    status, body = http_json(
        f"{start.prefix_url}api/kernels", _auth(start), "POST", {"name": name}, timeout
    )
    if status != 201 or not isinstance(body, dict) or "id" not in body:
        message = body.get("message") if isinstance(body, dict) else None
        run.problem = f"kernel {name} did not start (HTTP {status}): {message or 'no answer'}"
        run.hint = _argv_hint(context, run, "exist in the image")
    else:
        kernel_id = str(body["id"])
        kernel_url = f"{start.prefix_url}api/kernels/{kernel_id}"
        # Not shut down afterwards: the kernel goes with the server's container, and a
        # DELETE would wait for it to exit (a second on a busy machine).
        _exchange(context, start, run, kernel_url, mark, started + timeout)
    run.seconds = time.monotonic() - started
    if run.problem:
        run.log_tail = last_lines(kernel_lines(_settled_log(context, mark), kernel_id), 15)
        cause = _exception_line(run.log_tail)
        if cause and cause not in run.problem:
            run.problem += f"; its log ends: {cause}"
    return run


def _settled_log(context: CheckContext, mark: int) -> str:
    """The server's output since `mark`, once it stopped growing: a traceback the server
    logs while it answers reaches the container's log a moment after the answer."""
    log = context.server.logs()[mark:]
    for _ in range(_SETTLE_READS):
        time.sleep(_POLL)
        later = context.server.logs()[mark:]
        if later == log:
            break
        log = later
    return log


def kernel_lines(output: str, kernel_id: str) -> str:
    """The kernel's own lines in the server's output, and the server's lines about kernels.

    The kernel writes to the server's stdout and stderr; the server's own log lines
    (`[I 2026-01-01 12:00:00.000 ServerApp] 200 GET ...`, from a browser meanwhile) are
    left out unless they are about a kernel.
    """
    kept = []
    for line in output.splitlines():
        if not _SERVER_LOG_RE.match(line):
            kept.append(line)  # the kernel's own output, or a traceback
        elif not _ACCESS_LOG_RE.search(line) and (
            "kernel" in line.lower() or (kernel_id and kernel_id in line)
        ):
            kept.append(line)
    return "\n".join(kept)


def _exception_line(lines: list[str]) -> str:
    """The last `SomeError: ...` line a traceback in the server's log ended with."""
    for line in reversed(lines):
        name, sep, _ = line.strip().partition(": ")
        if sep and name.isidentifier() and name.endswith(("Error", "Exception")):
            return line.strip()[:300]
    return ""


def _exchange(
    context: CheckContext,
    start: ServerStart,
    run: KernelRun,
    kernel_url: str,
    mark: int,
    deadline: float,
) -> None:
    """Talk to the kernel in a thread while this one watches it for death and the deadline."""
    talk = _Conversation(start, kernel_url, deadline)
    thread = threading.Thread(target=talk.run, name=f"kernel-{run.name}", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(_POLL)
            died = _death(kernel_url, start, context.server.logs()[mark:])
            if thread.is_alive() and died:
                run.problem = f"kernel {run.name} exited right after it started ({died})"
                run.hint = _argv_hint(context, run, "start (run it by hand to see why it exits)")
                return
            if thread.is_alive() and time.monotonic() > deadline:
                run.problem = (
                    f"kernel {run.name} did not answer `{CODE}` within "
                    f"{context.options.kernel_timeout:g} s"
                )
                run.hint = _argv_hint(context, run, "start and answer")
                return
        _judge(run, talk)
    finally:
        talk.stop()


def _death(kernel_url: str, start: ServerStart, log: str) -> str:
    """Why the kernel is known dead ("" while it is not): the server's restarter or state."""
    if "KernelRestarter: restarting kernel" in log or "KernelRestarter: restart failed" in log:
        return "the server had to restart it"
    status, body = http_json(kernel_url, _auth(start))
    if status == 404:
        return "the server dropped it"
    if isinstance(body, dict) and body.get("execution_state") in ("dead", "restarting"):
        return f"state {body['execution_state']}"
    return ""


def _judge(run: KernelRun, talk: _Conversation) -> None:
    info = talk.kernel_info.get("language_info") or {}
    run.language = str(info.get("name") or "")
    run.language_version = str(info.get("version") or "")
    implementation = talk.kernel_info.get("implementation")
    if implementation:
        run.implementation = (
            f"{implementation} {talk.kernel_info.get('implementation_version', '')}"
        )
        run.implementation = run.implementation.strip()
    run.result = talk.result
    if talk.failure:
        run.problem = f"kernel {run.name}: {talk.failure}"
        run.hint = "run the kernel by hand in the image (`jupyter console --kernel NAME`)"
    elif talk.reply_status != "ok":
        run.problem = f"kernel {run.name} answered `{CODE}` with an error: {talk.error}"
        run.hint = "the kernel starts but cannot run code; try it in `jupyter console` in the image"
    elif run.language == "python" and talk.result != EXPECTED:
        run.problem = f"kernel {run.name} computed `{CODE}` as {talk.result!r}, not {EXPECTED}"
        run.hint = "the kernel's display or startup files change results (IPython startup/)"


class _Conversation:
    """kernel_info, then execute `CODE`, over the kernel's channels websocket."""

    def __init__(self, start: ServerStart, kernel_url: str, deadline: float) -> None:
        self.session = uuid.uuid4().hex
        channels = f"{kernel_url}/channels?session_id={self.session}"
        self.url = channels.replace("http://", "ws://", 1)
        self.headers = _auth(start)
        self.deadline = deadline
        self.kernel_info: dict[str, Any] = {}
        self.result: str | None = None
        self.reply_status = ""
        self.error = ""
        self.failure = ""
        self._socket: WebSocket | None = None

    def run(self) -> None:
        try:
            self._socket = WebSocket.connect(self.url, self.headers, self._left())
            info = self._request("kernel_info_request", {})
            self.kernel_info = info.get("content", {}) if info else {}
            content = {"code": CODE, "silent": False, "store_history": False}
            reply = self._request("execute_request", content)
            if reply is not None:
                self.reply_status = str(reply.get("content", {}).get("status", ""))
        except (OSError, WebSocketError, ValueError) as error:
            self.failure = f"its websocket failed: {error}"

    def stop(self) -> None:
        if self._socket is not None:
            self._socket.close()

    def _left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.1)

    def _request(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any] | None:
        """Send on shell; collect iopub output until both the shell reply and iopub's
        `idle` for the request came (the channels are not ordered with each other)."""
        assert self._socket is not None
        msg_id = uuid.uuid4().hex
        self._socket.send_text(json.dumps(self._message(msg_id, msg_type, content)))
        reply: dict[str, Any] | None = None
        idle = False
        while time.monotonic() < self.deadline and not (reply and idle):
            text = self._socket.receive_text(self._left())
            if text is None:
                continue
            message = json.loads(text)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message.get("msg_type") or message.get("header", {}).get("msg_type")
            body = message.get("content", {})
            if kind == "execute_result":
                self.result = str(body.get("data", {}).get("text/plain"))
            elif kind == "error":
                self.error = f"{body.get('ename')}: {body.get('evalue')}"
            elif kind == "status":
                idle = idle or body.get("execution_state") == "idle"
            elif message.get("channel") == "shell":
                if body.get("status") == "error" and not self.error:
                    self.error = f"{body.get('ename')}: {body.get('evalue')}"
                reply = dict(message)
        return reply

    def _message(self, msg_id: str, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        header = {
            "msg_id": msg_id,
            "msg_type": msg_type,
            "username": "hubimage",
            "session": self.session,
            "date": datetime.now(timezone.utc).isoformat(),
            "version": "5.3",
        }
        return {
            "header": header,
            "parent_header": {},
            "metadata": {},
            "content": content,
            "channel": "shell",
            "buffers": [],
        }


def _argv(spec: object) -> list[str]:
    if isinstance(spec, dict):
        inner = spec.get("spec")
        if isinstance(inner, dict) and isinstance(inner.get("argv"), list):
            return [str(part) for part in inner["argv"]]
    return []


def _argv_hint(context: CheckContext, run: KernelRun, must: str) -> str:
    command = " ".join(run.argv) or "(no argv)"
    program = run.argv[0] if run.argv else "that command"
    return (
        f"its kernelspec runs `{command}`: make {program} {must}, or fix or remove the "
        f"kernelspec (`docker run --rm {context.facts.ref} jupyter kernelspec list` shows "
        "where its kernel.json is)"
    )


def _auth(start: ServerStart) -> dict[str, str]:
    return {"Authorization": f"token {start.hub.token}"}
