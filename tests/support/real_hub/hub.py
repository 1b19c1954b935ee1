"""One real JupyterHub process, with its proxy, on free ports of 127.0.0.1.

`running_hub(engine, major)` starts `jupyterhub` of that major (from `installs`) with
configurable-http-proxy, the DummyAuthenticator letting in one user, and DockerSpawner on the
host's network (`jupyterhub_config.py`). The browser goes through the proxy (`public_url`);
the harness's own API calls (stopping servers) go straight to the hub with a service token,
so they never show among the requests the recorder notes.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import docker.errors
import requests

import hubimage.check.kubelet
from hubimage.engine import DockerEngine
from support.real_hub.installs import HubInstall, hub_install
from support.real_hub.recorder import Recorder, recording

CONFIG_FILE = Path(__file__).parent / "jupyterhub_config.py"
HUB_LABEL = "io.hubimage.real-hub"  # on every container a harness hub spawns: the hub's id
SPAWN_LABEL = "io.hubimage.real-hub.spawn"  # and the spawn's id
DEFAULT_USER = "hubimage-check"  # the name hubimage's hub stand-in uses
HUB_START_TIMEOUT = 90.0
STOP_TIMEOUT = 60.0


class HubFailed(RuntimeError):
    """The hub did not start, or did something the harness did not expect."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RealHub:
    """A running hub. `spawn` (spawn.py) starts the user's server on it, one at a time."""

    install: HubInstall
    engine: DockerEngine
    user: str
    password: str
    hub_id: str
    public_url: str  # http://127.0.0.1:PORT: the proxy, where a browser goes
    hub_url: str  # http://127.0.0.1:PORT: the hub itself, for the harness's API calls
    api_token: str
    state_dir: Path
    log_path: Path
    recorder: Recorder
    process: subprocess.Popen[bytes]
    spawn_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def version(self) -> str:
        return self.install.version

    @property
    def major(self) -> int:
        return self.install.major

    @property
    def plan_file(self) -> Path:
        return self.state_dir / "plan.json"

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        with open(self.log_path, "rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def api(self, method: str, path: str, **kwargs: object) -> requests.Response:
        """The hub's REST API (path after /hub/api), as the harness's service."""
        headers = {"Authorization": f"token {self.api_token}"}
        return requests.request(
            method, f"{self.hub_url}/hub/api{path}", headers=headers, timeout=30, **kwargs
        )  # type: ignore[arg-type]

    def stop_server(self) -> None:
        """Stop the user's server (if any) and wait until the hub says it is gone, nothing is
        pending, and DockerSpawner removed its container: the next spawn starts on a clean hub.
        (CI once saw /hub/spawn answer 500 at once right after a spawn the hub gave up on.)"""
        deadline = time.monotonic() + STOP_TIMEOUT
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{self.user}").json()
            server = (model.get("servers") or {}).get("")
            if not server:
                if model.get("pending") is None and not self.containers():
                    return
                time.sleep(0.25)
                continue
            if server.get("pending") != "stop":
                response = self.api("DELETE", f"/users/{self.user}/server")
                if response.status_code == 400 and "pending" in response.text:
                    pass  # a spawn still pending: the hub refuses until it ends
                elif response.status_code >= 400:
                    raise HubFailed(f"stopping the server: {response.status_code} {response.text}")
            time.sleep(0.25)
        raise HubFailed(f"the user's server did not stop within {STOP_TIMEOUT:.0f}s")

    def containers(self) -> list[object]:
        """Containers of this hub still in the engine (running or not)."""
        filters = {"label": f"{HUB_LABEL}={self.hub_id}"}
        return list(self.engine.client.containers.list(all=True, filters=filters))

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_since(0).splitlines()[-lines:])


def _docker_host(engine: DockerEngine) -> str | None:
    """DOCKER_HOST for DockerSpawner, so it talks to the same engine as the tests."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    socket_path = getattr(getattr(engine.client.api, "_custom_adapter", None), "socket_path", "")
    return f"unix://{socket_path}" if socket_path else None


def _wait_until_up(hub: RealHub) -> None:
    deadline = time.monotonic() + HUB_START_TIMEOUT
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise HubFailed(f"jupyterhub {hub.version} exited at start:\n{hub.log_tail()}")
        with suppress(requests.RequestException):
            # Through the proxy: the hub is up and its route is in place.
            if requests.get(f"{hub.public_url}/hub/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise HubFailed(
        f"jupyterhub {hub.version} not up in {HUB_START_TIMEOUT:.0f}s:\n{hub.log_tail()}"
    )


@contextmanager
def running_hub(
    engine: DockerEngine, jupyterhub_major: int, user: str = DEFAULT_USER
) -> Iterator[RealHub]:
    """A real JupyterHub of that major for the block; stopped cleanly afterwards (its
    servers, its proxy, its containers)."""
    install = hub_install(jupyterhub_major)
    state_dir = Path(tempfile.mkdtemp(prefix=f"hubimage-real-hub-{jupyterhub_major}-"))
    hub_id = secrets.token_hex(4)
    hub_port = free_port()
    try:
        with recording(("127.0.0.1", hub_port)) as recorder:
            yield from _run_hub(engine, install, user, state_dir, hub_id, hub_port, recorder)
    finally:
        shutil.rmtree(state_dir, ignore_errors=True)


def _run_hub(
    engine: DockerEngine,
    install: HubInstall,
    user: str,
    state_dir: Path,
    hub_id: str,
    hub_port: int,
    recorder: Recorder,
) -> Iterator[RealHub]:
    settings = {
        "user": user,
        "password": secrets.token_hex(8),
        "api_token": secrets.token_hex(24),
        "public_url": f"http://127.0.0.1:{free_port()}",
        "hub_bind_url": f"http://127.0.0.1:{hub_port}",
        "hub_connect_url": recorder.url,
        "proxy_api_url": f"http://127.0.0.1:{free_port()}",
        "proxy_command": str(install.proxy_command),
        "state_dir": str(state_dir),
        "plan_file": str(state_dir / "plan.json"),
        "container_prefix": f"hubimage-real-hub-{hub_id}",
        "profile_module": hubimage.check.kubelet.__file__,
    }
    settings_file = state_dir / "settings.json"
    settings_file.write_text(json.dumps(settings, indent=1))
    settings_file.chmod(0o600)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTERHUB_", "CONFIGPROXY_", "JPY_")) and key != "PYTHONPATH"
    }
    env["HUBIMAGE_REAL_HUB_SETTINGS"] = str(settings_file)
    env["PATH"] = f"{install.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    docker_host = _docker_host(engine)
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    log_path = state_dir / "jupyterhub.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(install.jupyterhub), "-f", str(CONFIG_FILE)],
            cwd=state_dir,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    hub = RealHub(
        install=install,
        engine=engine,
        user=user,
        password=settings["password"],
        hub_id=hub_id,
        public_url=settings["public_url"],
        hub_url=settings["hub_bind_url"],
        api_token=settings["api_token"],
        state_dir=state_dir,
        log_path=log_path,
        recorder=recorder,
        process=process,
    )
    try:
        _wait_until_up(hub)
        yield hub
    finally:
        _shut_down(hub)


def _shut_down(hub: RealHub) -> None:
    """Stop the servers through the API, then the hub (which stops its proxy), then sweep."""
    if hub.process.poll() is None:
        with suppress(Exception):
            hub.stop_server()
        hub.process.send_signal(signal.SIGTERM)  # JupyterHub cleans up its servers and proxy
        try:
            hub.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            hub.process.kill()
            hub.process.wait(timeout=10)
    _end_proxy(hub.state_dir / "proxy.pid")
    for container in hub.containers():  # only ours: labelled with this hub's id
        with suppress(docker.errors.APIError):
            container.remove(force=True)  # type: ignore[attr-defined]


def _end_proxy(pid_file: Path) -> None:
    """The proxy JupyterHub started, if the hub died without ending it."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    with suppress(OSError):  # gone already
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        if b"configurable-http-proxy" in cmdline:
            os.kill(pid, signal.SIGTERM)
