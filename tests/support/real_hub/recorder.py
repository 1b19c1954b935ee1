"""A recording reverse proxy in front of a real hub: what was asked of the hub, in order.

The hub's `hub_connect_url` points here, so both the proxy (CHP, carrying the browser's
requests) and every single-user server (its API calls at start-up and in the OAuth handshake)
reach the hub through it. JupyterHub's own log has the same requests but not who sent them;
here a request from the harness's browser carries its User-Agent, and everything else the
hub is asked on this connection comes from a single-user server.

Bodies pass through unchanged; a response without a length (the spawn progress event stream)
is streamed and ends the connection, as HTTP/1.0 allows.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal
from urllib.parse import urlsplit

BROWSER_AGENT = "hubimage-real-hub-browser"  # in the User-Agent of the harness's browser
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade"}

Source = Literal["server", "browser"]


@dataclass(frozen=True)
class HubCall:
    """One request the hub answered: when (monotonic), what, its status and who asked."""

    at: float
    method: str
    path: str  # without the query
    status: int
    source: Source

    @property
    def line(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Recorder:
    target: tuple[str, int]  # the hub's own address
    url: str = ""  # http://127.0.0.1:PORT, once listening
    calls: list[HubCall] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def note(self, call: HubCall) -> None:
        with self._lock:
            self.calls.append(call)

    def since(self, started: float) -> list[HubCall]:
        with self._lock:
            return [call for call in self.calls if call.at >= started]


@contextmanager
def recording(target: tuple[str, int]) -> Iterator[Recorder]:
    """A recorder on a free port of 127.0.0.1, forwarding to `target`, for the block."""
    recorder = Recorder(target)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(recorder))
    server.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _handler_for(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: simple and enough

        def _forward(self) -> None:
            at = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(*recorder.target, timeout=600)
            try:
                try:
                    connection.request(self.command, self.path, body=body, headers=headers)
                    response = connection.getresponse()
                except OSError:  # the hub is not listening (yet, or any more)
                    self.send_error(502, "the hub does not answer")
                    return
                agent = self.headers.get("User-Agent") or ""
                source: Source = "browser" if BROWSER_AGENT in agent else "server"
                path = urlsplit(self.path).path
                recorder.note(HubCall(at, self.command, path, response.status, source))
                self._relay(response)
            finally:
                connection.close()

        def _relay(self, response: http.client.HTTPResponse) -> None:
            self.send_response_only(response.status, response.reason)
            for name, value in response.getheaders():
                if name.lower() not in HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            try:
                while chunk := response.read1(65536):
                    self.wfile.write(chunk)
                    self.wfile.flush()
            except OSError:
                pass  # the client went away (a browser closing the progress stream)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _forward

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the calls are the record."""

    return Handler
