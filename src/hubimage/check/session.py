"""One single-user server per check run, started as a hub's spawner starts it, shared.

`server-starts` judges the start; `spawn-time`, `server-log`, `kernel-runs` and `lab-loads`
use the same running server (a user meets one server, not five), so it is started once, by
whichever of them asks first, and stopped when the whole check run ends.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

from hubimage.check.base import CheckContext, Outcome, home_volume
from hubimage.check.containers import (
    ContainerSpec,
    ContainerStartError,
    check_labels,
    running,
    start_container,
)
from hubimage.check.hub_api import HubApiStandIn, serving
from hubimage.check.probe import SINGLEUSER

POLL_INTERVAL = 0.1
DEFAULT_HUB_VERSION = "5.0.0"  # told to the server when neither the hub's nor the image's is known

StartState = Literal["serving", "exited", "timeout", "not-started"]


@dataclass(frozen=True)
class ServerStart:
    """How the start went; `seconds` runs from the container's start to the first answer."""

    state: StartState
    seconds: float
    hub: HubApiStandIn
    origin: str  # http://127.0.0.1:PORT
    api_body: object = None
    exit_code: int | None = None
    start_log: str = ""  # the server's output up to its first answer (or its end)
    start_error: ContainerStartError | None = None

    @property
    def prefix_url(self) -> str:
        """http://127.0.0.1:PORT/user/NAME/: what the hub's proxy routes to this server."""
        return f"{self.origin}{self.hub.service_prefix}"

    @property
    def serving(self) -> bool:
        return self.state == "serving"


@dataclass
class ServerSession:
    """Starts the server on first `start()`; `close()` stops it and the hub stand-in."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _start: ServerStart | None = None
    _container: Any = None
    _stack: ExitStack = field(default_factory=ExitStack)

    def start(self, context: CheckContext) -> ServerStart:
        with self._lock:
            if self._start is None:
                self._start = self._start_server(context)
            return self._start

    def logs(self) -> str:
        """The server's whole output so far ("" when it never ran)."""
        if self._container is None:
            return ""
        try:
            raw = self._container.logs(stdout=True, stderr=True)
        except Exception:  # the container is gone: nothing more to read
            return self._start.start_log if self._start else ""
        return str(raw.decode("utf-8", "replace"))

    def close(self) -> None:
        with self._lock:
            self._stack.close()
            self._container = None

    def _start_server(self, context: CheckContext) -> ServerStart:
        port = free_port()
        origin = f"http://127.0.0.1:{port}"
        known = context.options.hub_version
        stand_in = HubApiStandIn(version=str(known) if known else DEFAULT_HUB_VERSION)
        stand_in.origin = origin
        if context.options.hub_version is None:
            _learn_version(context, stand_in)
        hub = self._stack.enter_context(serving(stand_in))
        spec = ContainerSpec(
            context.facts.ref,
            command=[SINGLEUSER],
            user=context.spawner_user,
            environment=spawner_environment(hub, port),
            tmpfs=home_volume(context),
            labels=check_labels("server-starts"),
            start=False,
        )
        container = self._stack.enter_context(running(context.engine, spec))
        self._container = container
        started = time.monotonic()
        try:
            start_container(container)
        except ContainerStartError as error:
            return ServerStart("not-started", 0.0, hub, origin, start_error=error)
        return _wait_until_serving(context, container, hub, origin, started)


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
    context: CheckContext, container: Any, hub: HubApiStandIn, origin: str, started: float
) -> ServerStart:
    url = f"{origin}{hub.service_prefix}api"
    deadline = started + context.options.server_timeout
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


def spawner_environment(hub: HubApiStandIn, port: int) -> dict[str, str]:
    """What `Spawner.get_env()` of JupyterHub 5/6 sets for a user's default server.

    JUPYTERHUB_HOST names the hub's own origin, as on hubs that serve users on their own
    (sub)domain: the server then sends a browser to the stand-in's OAuth pages there.
    """
    prefix = hub.service_prefix
    scopes = json.dumps(hub.access_scopes)
    return {
        "JUPYTERHUB_API_TOKEN": hub.token,
        "JPY_API_TOKEN": hub.token,
        "JUPYTERHUB_CLIENT_ID": hub.client_id,
        "JUPYTERHUB_API_URL": hub.url,
        "JUPYTERHUB_ACTIVITY_URL": f"{hub.url}/users/{hub.user}/activity",
        "JUPYTERHUB_BASE_URL": hub.base_url,
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_USER": hub.user,
        "JUPYTERHUB_SERVER_NAME": "",
        "JUPYTERHUB_HOST": hub.hub_origin,
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED": "0",
        "JUPYTERHUB_PUBLIC_URL": "",
        "JUPYTERHUB_PUBLIC_HUB_URL": "",
    }


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
