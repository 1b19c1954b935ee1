"""A counting relay in front of the Docker engine's unix socket, on loopback TCP or a unix socket.

Tests point DOCKER_HOST at it to prove a hubimage process talks to the engine it names and to
no other. It relays bytes both ways without interpreting them (streams and hijacked
connections pass unchanged) and records the HTTP request lines it sees. It is bounded: it
stops when its `with` block ends or when its lifetime runs out, whichever comes first.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from types import TracebackType

DEFAULT_ENGINE_SOCKET = Path("/var/run/docker.sock")
_REQUEST_LINE = re.compile(rb"(?m)^(GET|HEAD|POST|PUT|DELETE) (/[^ ?\r\n]*)\S* HTTP/1\.[01]\r$")
_CHUNK = 65536


class EngineRelay:
    """Accepts clients on `listener` and pipes each to a fresh connection to `upstream`."""

    def __init__(self, listener: socket.socket, docker_host: str, upstream: Path, lifetime: float):
        self.docker_host = docker_host
        self.upstream = upstream
        self.connections = 0
        self.requests: list[str] = []  # "POST /v1.41/containers/create", in arrival order
        self._listener = listener
        self._deadline = time.monotonic() + lifetime
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True)

    @classmethod
    def on_tcp(cls, upstream: Path = DEFAULT_ENGINE_SOCKET, lifetime: float = 120) -> EngineRelay:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        return cls(listener, f"tcp://127.0.0.1:{port}", upstream, lifetime)

    @classmethod
    def on_unix(
        cls, path: Path, upstream: Path = DEFAULT_ENGINE_SOCKET, lifetime: float = 120
    ) -> EngineRelay:
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(str(path))
        return cls(listener, f"unix://{path}", upstream, lifetime)

    def __enter__(self) -> EngineRelay:
        self._listener.listen(16)
        self._listener.settimeout(0.2)  # so the loop notices stop() and the deadline
        self._acceptor.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def stop(self) -> None:
        self._stopping.set()
        if self._acceptor.is_alive():
            self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            for connection in self._open:
                connection.close()  # ends the pumps blocked in recv()
            self._open.clear()

    def requests_to(self, endpoint: str) -> list[str]:
        """Recorded requests whose path, version prefix aside, ends with `endpoint`."""
        with self._lock:
            return [line for line in self.requests if line.endswith(endpoint)]

    def _accept_loop(self) -> None:
        while not self._stopping.is_set() and time.monotonic() < self._deadline:
            try:
                client, _address = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                engine.connect(str(self.upstream))
            except OSError:
                client.close()
                engine.close()
                continue
            client.settimeout(None)
            with self._lock:
                self.connections += 1
                self._open += [client, engine]
            threading.Thread(target=self._pump, args=(client, engine, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(engine, client, False), daemon=True).start()
        self._stopping.set()

    def _pump(self, source: socket.socket, target: socket.socket, from_client: bool) -> None:
        try:
            while chunk := source.recv(_CHUNK):
                if from_client:
                    self._record(chunk)
                target.sendall(chunk)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # either side went away, or stop() closed the sockets

    def _record(self, chunk: bytes) -> None:
        # A request's head arrives at the start of a send; bodies (build contexts) follow it.
        found = [
            f"{method.decode()} {path.decode()}" for method, path in _REQUEST_LINE.findall(chunk)
        ]
        if found:
            with self._lock:
                self.requests += found
