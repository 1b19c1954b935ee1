"""Spawn an image on a real hub under a spawn profile, as a browser would, and record it all.

`spawn(hub, image, profile)` turns the profile into a plan for the hub's spawner
(`plan_for`), logs in through the proxy as a browser does, asks for the server, follows the
spawn's progress and then every redirect to the page the user lands on, and yields a
`RealSpawn` while the server runs; leaving the block stops the server (DockerSpawner then
removes its container).
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import docker.errors
import requests

from hubimage.check.profile import SpawnProfile
from hubimage.engine import DockerEngine
from support.real_hub.hub import (
    DEFAULT_USER,
    HUB_LABEL,
    SPAWN_LABEL,
    HubFailed,
    RealHub,
    free_port,
    running_hub,
)
from support.real_hub.recorder import BROWSER_AGENT, HubCall

REDIRECTS = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 20
PROGRESS_MARGIN = 60.0  # seconds past start_timeout + http_timeout before the harness gives up


@dataclass
class RealSpawn:
    """What happened when the real hub spawned the image under the profile."""

    jupyterhub_version: str
    user: str
    image: str
    profile: SpawnProfile
    plan: dict[str, Any]  # what the hub's spawner was told (see plan_for)
    server_url: str  # http://127.0.0.1:PROXY/user/NAME/
    browser: requests.Session = field(repr=False)  # logged in to the hub, and to the server
    started: bool = False
    seconds: float | None = None  # spawn request to the hub's "ready" (or its failure)
    hub_error: str | None = None  # the hub's own message when the spawn failed
    environment: dict[str, str] = field(default_factory=dict)
    environment_source: str = ""  # "/proc/1/environ", or "Config.Env" when never serving
    hub_calls: list[HubCall] = field(default_factory=list)  # all the hub answered, in order
    redirects: list[tuple[int, str]] = field(default_factory=list)  # (status, url), in order
    landing_url: str | None = None
    landing_status: int | None = None
    container: dict[str, Any] | None = None  # `docker inspect` of the server's container
    hub_log: str = ""  # JupyterHub's log (debug level) from the spawn request on
    _watcher: ContainerWatcher | None = field(default=None, repr=False)

    @property
    def hub_requests(self) -> list[str]:
        """`METHOD /path` of each request to the hub's API that belongs to starting the
        server and logging in to it: the server's own, and the browser's half of the OAuth
        handshake (`/hub/api/oauth2/authorize`, where the server sends it). What hubimage's
        hub stand-in sees; the hub's own pages and their progress stream are left out."""
        return [
            call.line
            for call in self.hub_calls
            if call.path.startswith("/hub/api")
            and (call.source == "server" or call.path.startswith("/hub/api/oauth2/"))
        ]

    @property
    def server_requests(self) -> list[str]:
        """Only the requests the single-user server itself sent to the hub."""
        return [call.line for call in self.hub_calls if call.source == "server"]

    def exec(self, command: list[str], user: str = "") -> tuple[int, str]:
        """Run `command` in the running server's container (as its user, by default)."""
        container = self._watcher.container() if self._watcher else None
        if container is None:
            raise HubFailed("the server's container is not there")
        code, output = container.exec_run(command, user=user)
        return int(code), output.decode("utf-8", "replace")

    @property
    def container_logs(self) -> str:
        """The server container's output so far (all of it once the block has ended)."""
        return self._watcher.logs() if self._watcher else ""


class ContainerWatcher(threading.Thread):
    """Finds the spawn's container by its label and keeps its output: DockerSpawner removes
    the container as soon as it stops (also when the hub gives up on it)."""

    def __init__(self, engine: DockerEngine, spawn_id: str) -> None:
        super().__init__(name=f"real-hub-logs-{spawn_id}", daemon=True)
        self.engine = engine
        self.filters = {"label": f"{SPAWN_LABEL}={spawn_id}"}
        self.attrs: dict[str, Any] | None = None
        self.found = threading.Event()
        self._chunks: list[bytes] = []
        self._lock = threading.Lock()
        self._give_up = threading.Event()

    def logs(self) -> str:
        with self._lock:
            return b"".join(self._chunks).decode("utf-8", "replace")

    def container(self) -> Any:
        found = self.engine.client.containers.list(all=True, filters=self.filters)
        return found[0] if found else None

    def run(self) -> None:
        container = None
        while container is None or container.status == "created":
            if self._give_up.is_set():
                return
            with suppress(docker.errors.APIError):
                container = self.container()
            if container is None or container.status == "created":
                time.sleep(0.05)
        self.attrs = container.attrs
        self.found.set()
        with suppress(docker.errors.APIError, OSError):
            for chunk in container.logs(stream=True, follow=True):
                with self._lock:
                    self._chunks.append(chunk)

    def finish(self, timeout: float) -> None:
        self._give_up.set()
        self.join(timeout)


def plan_for(
    profile: SpawnProfile, image: str, port: int, files_dir: Path, labels: dict[str, str]
) -> dict[str, Any]:
    """The profile as the hub's spawner applies it (jupyterhub_config.py), field by field.

    `files` are written to `files_dir` and bind-mounted read-only, as the kubelet leaves a
    Secret's files: owned by root, with their mode, and with fsGroup their group is fs_gid
    and group-readable (the kubelet ORs 0440 into read-only volumes' files). The home and
    other volumes are empty tmpfs mounts owned by uid:fs_gid (root when unset), group-
    writable with the setgid bit when fs_gid is set (what fsGroup makes of a new volume),
    executable as a PVC is.
    """
    file_binds = {}
    for number, mounted in enumerate(profile.files):
        host = files_dir / f"{number}-{Path(mounted.mount_path).name}"
        host.write_bytes(mounted.content)
        host.chmod(_secret_file_mode(host, mounted.mode, profile.fs_gid))
        file_binds[str(host)] = mounted.mount_path
    owner = f"uid={profile.uid or 0},gid={profile.fs_gid or 0}"
    mode = "mode=2775" if profile.fs_gid is not None else "mode=0755"
    tmpfs = {}
    if profile.home_mount_path:
        tmpfs[profile.home_mount_path] = f"rw,exec,{owner},{mode}"
    for volume in profile.volume_mounts:
        tmpfs[volume.mount_path] = f"{'ro' if volume.read_only else 'rw'},exec,{owner},{mode}"
    return {
        "image": image,
        "cmd": list(profile.cmd) if profile.cmd else None,
        "args": list(profile.args),
        "user": str(profile.uid) if profile.uid is not None else None,
        "group_add": [str(profile.fs_gid)] if profile.fs_gid is not None else [],
        "security_opt": [] if profile.allow_privilege_escalation else ["no-new-privileges"],
        "environment": [list(pair) for pair in profile.environment],
        "file_binds": file_binds,
        "tmpfs": tmpfs,
        "memory_limit": profile.memory_limit,
        "cpu_limit": profile.cpu_limit,
        "working_dir": profile.working_dir,
        "default_url": profile.default_url,
        "http_timeout": profile.http_timeout,
        "start_timeout": profile.start_timeout,
        "port": port,
        "labels": labels,
    }


def _secret_file_mode(path: Path, mode: int, fs_gid: int | None) -> int:
    if fs_gid is None:
        return mode
    try:
        os.chown(path, 0, fs_gid)
    except PermissionError:  # not root: readable by all stands in for readable by fs_gid
        return mode | 0o444
    return mode | 0o440


class Browser:
    """A browser without JavaScript, doing by hand what the hub's pages' scripts do."""

    def __init__(self, hub: RealHub, record: RealSpawn) -> None:
        self.hub = hub
        self.record = record
        self.session = record.browser
        self.session.headers["User-Agent"] = f"{BROWSER_AGENT} (python-requests)"

    def get(self, url: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        return self.session.get(urljoin(self.hub.public_url, url), allow_redirects=False, **kwargs)

    def log_in(self) -> None:
        """The login form, with its `_xsrf`, as a person fills it in."""
        page = self.get("/hub/login")
        form = re.search(r'<form[^>]*action="([^"]*)"', page.text)
        xsrf = re.search(r'name="_xsrf"\s+value="([^"]*)"', page.text)
        if page.status_code != 200 or not form:
            raise HubFailed(f"no login form at /hub/login ({page.status_code})")
        data = {"username": self.hub.user, "password": self.hub.password}
        if xsrf:
            data["_xsrf"] = html.unescape(xsrf.group(1))
        action = urljoin(page.url, html.unescape(form.group(1)))
        response = self.session.post(action, data=data, allow_redirects=False, timeout=60)
        if response.status_code not in REDIRECTS:
            raise HubFailed(f"login answered {response.status_code}: {_page_text(response.text)}")

    def spawn(self, profile: SpawnProfile) -> None:
        """GET /hub/spawn, then the spawn-pending page and its progress stream, as its script
        does; on "ready" the page reloads and redirects to the server."""
        record = self.record
        started = time.monotonic()
        response = self.get("/hub/spawn")
        record.redirects.append((response.status_code, response.url))
        if response.status_code not in REDIRECTS:
            record.hub_error = f"/hub/spawn: {response.status_code} {_page_text(response.text)}"
            return
        pending = urljoin(response.url, response.headers["Location"])
        page = self.get(pending)
        if page.status_code == 200:
            deadline = profile.start_timeout + profile.http_timeout + PROGRESS_MARGIN
            event = self._progress(page.text, deadline)
            record.seconds = time.monotonic() - started
            if not event.get("ready"):
                record.hub_error = str(event.get("message") or event)
                return
        elif page.status_code not in REDIRECTS:
            record.seconds = time.monotonic() - started
            record.hub_error = f"{pending}: {page.status_code} {_page_text(page.text)}"
            return
        else:
            record.seconds = time.monotonic() - started
        record.started = True
        self.land(pending)

    def _progress(self, page: str, timeout: float) -> dict[str, Any]:
        """The spawn's progress events, until one says ready or failed: the last one."""
        found = re.search(r'new EventSource\("([^"]+)"\)', page)
        if not found:
            raise HubFailed("the spawn-pending page has no progress stream")
        url = html.unescape(found.group(1))
        with self.get(url, stream=True, timeout=(10, timeout)) as stream:
            if stream.status_code != 200:
                raise HubFailed(f"progress stream: {stream.status_code} {stream.text[:300]}")
            for line in stream.iter_lines(decode_unicode=True):
                if not line or not line.startswith("data:"):
                    continue
                event: dict[str, Any] = json.loads(line[len("data:") :])
                if event.get("ready") or event.get("failed"):
                    return event
        return {"failed": True, "message": "the progress stream ended without ready or failed"}

    def land(self, url: str) -> None:
        """Follow redirects from `url` to the page the browser ends on."""
        for _ in range(MAX_REDIRECTS):
            response = self.get(url)
            self.record.redirects.append((response.status_code, response.url))
            if response.status_code not in REDIRECTS:
                self.record.landing_url = response.url
                self.record.landing_status = response.status_code
                return
            url = urljoin(response.url, response.headers["Location"])
        raise HubFailed(f"more than {MAX_REDIRECTS} redirects: {self.record.redirects}")


def _page_text(page: str, limit: int = 600) -> str:
    """What a hub page says: its error heading (`500 : Unhandled error starting server
    NAME`; the cause is in the hub's log), else its words without markup or scripts."""
    heading = re.search(r'(?s)<div class="error">\s*<h1>(.*?)</h1>', page)
    if heading:
        return " ".join(html.unescape(heading.group(1)).split())
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(text.split())[:limit]


def _process_environment(container: Any) -> dict[str, str] | None:
    """The environment of the container's process 1 (the server, when cmd execs it).

    Read as the container's own user first: root in a container without CAP_SYS_PTRACE
    may not read another user's /proc/PID/environ; root is the fallback for a server that
    dropped privileges after starting as root.
    """
    for user in ("", "0"):
        with suppress(docker.errors.APIError):
            code, output = container.exec_run(["cat", "/proc/1/environ"], user=user)
            if code == 0:
                pairs = [item.partition("=") for item in output.decode().split("\0") if item]
                return {name: value for name, _, value in pairs}
    return None


@contextmanager
def spawn(hub: RealHub, image: str, profile: SpawnProfile) -> Iterator[RealSpawn]:
    """Spawn `image` on `hub` under `profile`; the record while the server runs, then stop."""
    with hub.spawn_lock:
        spawn_id = secrets.token_hex(4)
        files_dir = hub.state_dir / "spawns" / spawn_id
        files_dir.mkdir(parents=True)
        labels = {HUB_LABEL: hub.hub_id, SPAWN_LABEL: spawn_id}
        plan = plan_for(profile, image, free_port(), files_dir, labels)
        hub.plan_file.write_text(json.dumps(plan))
        watcher = ContainerWatcher(hub.engine, spawn_id)
        record = RealSpawn(
            jupyterhub_version=hub.version,
            user=hub.user,
            image=image,
            profile=profile,
            plan=plan,
            server_url=f"{hub.public_url}/user/{hub.user}/",
            browser=requests.Session(),
            _watcher=watcher,
        )
        log_offset = hub.log_size()
        watcher.start()
        browser = Browser(hub, record)
        try:
            browser.log_in()
            since = time.monotonic()
            browser.spawn(profile)
            record.hub_calls = hub.recorder.since(since)
            _read_container(record, watcher)
            record.hub_log = hub.log_since(log_offset)
            yield record
        finally:
            try:
                hub.stop_server()
            finally:
                watcher.finish(timeout=30)
                record.browser.close()
                record.hub_log = hub.log_since(log_offset)
                shutil.rmtree(files_dir, ignore_errors=True)


def _read_container(record: RealSpawn, watcher: ContainerWatcher) -> None:
    if record.started:
        watcher.found.wait(10)
    record.container = watcher.attrs
    if watcher.attrs is None:
        return
    container = watcher.container() if record.started else None
    environment = _process_environment(container) if container is not None else None
    if environment is not None:
        record.environment, record.environment_source = environment, "/proc/1/environ"
    else:  # the hub gave up and the container is gone: what it was created with
        pairs = [item.partition("=") for item in watcher.attrs["Config"]["Env"] or []]
        record.environment = {name: value for name, _, value in pairs}
        record.environment_source = "Config.Env"


@contextmanager
def spawn_on_real_hub(
    engine: DockerEngine,
    image: str,
    profile: SpawnProfile,
    jupyterhub_major: int,
    *,
    hub: RealHub | None = None,
    user: str = DEFAULT_USER,
) -> Iterator[RealSpawn]:
    """Spawn `image` under `profile` on a real JupyterHub of that major: on `hub` when given
    (one hub serves many spawns, one at a time), else on a hub started for this spawn."""
    if hub is not None:
        if hub.major != jupyterhub_major:
            raise ValueError(f"that hub is JupyterHub {hub.version}, not {jupyterhub_major}")
        with spawn(hub, image, profile) as record:
            yield record
        return
    with running_hub(engine, jupyterhub_major, user) as own, spawn(own, image, profile) as record:
        yield record
