"""One single-user server per spawn profile, started as that hub's spawner starts it, shared.

`server-starts` judges the start; `spawn-time`, `server-log`, `server-extensions`,
`kernel-runs` and `landing-page` use the same running server (a user meets one server, not
five), so it is started once, by whichever of them asks first. `second-start` then stops it
and starts it again on the same home volume, which now holds what the first start and the
checks wrote: a user's second day. Everything is removed when the check run ends.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import ContainerStartError, running, start_container
from hubimage.check.hub_api import HubApiStandIn, serving
from hubimage.check.profile import SpawnProfile
from hubimage.check.spawn import (
    container_environment,
    prepare_home,
    server_container,
    written_files,
)

POLL_INTERVAL = 0.1
DEFAULT_HUB_VERSION = "5.0.0"  # told to the server when neither the hub's nor the image's is known

StartState = Literal["serving", "exited", "timeout", "not-started"]


@dataclass(frozen=True)
class ServerStart:
    """How a start went; `seconds` runs from the container's start to the first answer."""

    state: StartState
    seconds: float
    hub: HubApiStandIn
    origin: str  # http://127.0.0.1:PORT
    api_body: object = None
    exit_code: int | None = None
    start_log: str = ""  # the server's output up to its first answer (or its end)
    start_error: ContainerStartError | None = None
    waited: float = 0.0  # how long it was given: the hub's http_timeout

    @property
    def prefix_url(self) -> str:
        """http://127.0.0.1:PORT/user/NAME/: what the hub's proxy routes to this server."""
        return f"{self.origin}{self.hub.service_prefix}"

    @property
    def serving(self) -> bool:
        return self.state == "serving"


class ServerSession:
    """The server of one profile: started on first `start()`, again by `second_start()`."""

    def __init__(self, profile: SpawnProfile, scratch: Path | None = None) -> None:
        self.profile = profile
        self._scratch = scratch
        self._lock = threading.Lock()
        self._stack = ExitStack()  # the hub stand-in, the home volume, the files
        self._container_stack: ExitStack | None = None
        self._container: Any = None
        self._hub: HubApiStandIn | None = None
        self._home: str | None = None
        self._files: Path | None = None
        self._first: ServerStart | None = None
        self._second: ServerStart | None = None
        self.home_prepared = False  # the home volume was given to the user

    def start(self, context: CheckContext) -> ServerStart:
        with self._lock:
            if self._first is None:
                self._first = self._start(context)
            return self._first

    def second_start(self, context: CheckContext) -> ServerStart:
        """Stop the first server and start again on the same home (after the checks that
        use the first server are done: the runner asks for this last)."""
        with self._lock:
            if self._first is None:
                self._first = self._start(context)
            if self._second is None:
                self._stop_container()
                self._second = self._start(context)
            return self._second

    def running_container(self) -> Any:
        """The server's container while it runs (the Docker SDK's object), else None."""
        return self._container

    def logs(self) -> str:
        """The running server's whole output so far ("" when it never ran)."""
        if self._container is None:
            return ""
        try:
            raw = self._container.logs(stdout=True, stderr=True)
        except Exception:  # the container is gone: nothing more to read
            return self._first.start_log if self._first else ""
        return str(raw.decode("utf-8", "replace"))

    def close(self) -> None:
        with self._lock:
            self._stop_container()
            self._stack.close()

    def _stop_container(self) -> None:
        if self._container_stack is not None:
            self._container_stack.close()
        self._container_stack, self._container = None, None

    def _set_up(self, context: CheckContext) -> HubApiStandIn:
        """Once per session: the hub stand-in, the user's home volume, the files."""
        if self._hub is not None:
            return self._hub
        known = context.options.hub_version
        stand_in = HubApiStandIn(version=str(known) if known else DEFAULT_HUB_VERSION)
        if known is None:
            _learn_version(context, stand_in)
        self._hub = self._stack.enter_context(serving(stand_in))
        if self.profile.home_mount_path:
            self._home = self._stack.enter_context(context.engine.volume("hubimage-home"))
            image = context.facts.ref
            self.home_prepared = prepare_home(context.engine, image, self._home, self.profile)
        self._files = self._stack.enter_context(written_files(self.profile, self._scratch))
        return self._hub

    def _start(self, context: CheckContext) -> ServerStart:
        hub = self._set_up(context)
        port = free_port()
        origin = hub.origin = f"http://127.0.0.1:{port}"
        environment = container_environment(hub, port, self.profile, context.facts.ref)
        spec = server_container(
            context.facts.ref, self.profile, environment, self._home, self._files
        )
        self._container_stack = ExitStack()
        container = self._container_stack.enter_context(running(context.engine, spec))
        self._container = container
        started = time.monotonic()
        try:
            start_container(container)
        except ContainerStartError as error:
            return ServerStart("not-started", 0.0, hub, origin, start_error=error)
        start = _wait_until_serving(container, hub, origin, started, self.profile.http_timeout)
        return replace(start, waited=self.profile.http_timeout)


def _learn_version(context: CheckContext, hub: HubApiStandIn) -> None:
    """Tell the server the image's own JupyterHub version, as its hub would have the same.

    Asking the image takes seconds; the server asks the hub only after its imports, so the
    two run side by side and the stand-in's answers wait for the version.
    """
    hub.version_ready.clear()

    def learn() -> None:
        try:
            hub.version = context.probe.singleuser().version or DEFAULT_HUB_VERSION
        except Exception:  # singleuser-command reports why the probe failed
            hub.version = DEFAULT_HUB_VERSION
        finally:
            hub.version_ready.set()

    threading.Thread(target=learn, name="hub-version", daemon=True).start()


def _wait_until_serving(
    container: Any, hub: HubApiStandIn, origin: str, started: float, timeout: float
) -> ServerStart:
    """Poll the server's API until it answers, exits, or the hub's http_timeout is over."""
    url = f"{origin}{hub.service_prefix}api"
    deadline = started + timeout
    while time.monotonic() < deadline:
        status, body = http_json(url)
        if status == 200:
            seconds = time.monotonic() - started
            return ServerStart("serving", seconds, hub, origin, body, start_log=_logs(container))
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            seconds = time.monotonic() - started
            log = _logs(container)
            return ServerStart("exited", seconds, hub, origin, exit_code=code, start_log=log)
        time.sleep(POLL_INTERVAL)
    seconds = time.monotonic() - started
    return ServerStart("timeout", seconds, hub, origin, start_log=_logs(container))


def needs_server(context: CheckContext, what: str) -> ServerStart | Outcome:
    """The running server, or the `skip` a check that needs one gives when there is none."""
    start = context.server.start(context)
    if start.serving:
        return start
    return Outcome("skip", f"not {what}: the server did not start (see server-starts)")


def http_json(
    url: str,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    body: object = None,
    timeout: float = 5.0,
) -> tuple[int | None, object]:
    """Status and decoded JSON body; (None, None) while nothing listens yet."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 (our own http URL on 127.0.0.1)
        url, data=data, headers=headers or {}, method=method
    )
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        raw, status = error.read(), error.code
    except (OSError, ValueError):
        return None, None
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _logs(container: Any) -> str:
    return str(container.logs(stdout=True, stderr=True).decode("utf-8", "replace"))
