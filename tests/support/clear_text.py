"""A listener on this machine's own non-loopback address that records what reaches it.

It stands for a host on the network: a token realm or a GitHub API URL over plain http that
is not on loopback. Whatever a client sends it in clear text could have been read on the way.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


def non_loopback_address() -> str:
    """The address this machine would send from (no packet is sent by a UDP connect)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routing only, nothing is sent
            address = str(probe.getsockname()[0])
        except OSError:
            address = ""
    if not address or address.startswith("127.") or address == "0.0.0.0":
        pytest.fail("this test needs a network interface with a non-loopback IPv4 address")
    return address


@dataclass
class Recorder:
    url: str = ""
    authorizations: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)


@contextmanager
def recording_server() -> Iterator[Recorder]:
    """An http server on the non-loopback address, answering 401 to everything."""
    recorder = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            recorder.paths.append(self.path)
            if self.headers.get("Authorization"):
                recorder.authorizations.append(self.headers["Authorization"])
            body = b'{"message": "Bad credentials"}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_HEAD = _any

        def log_message(self, format: str, *args: object) -> None:
            pass

    address = non_loopback_address()
    server = ThreadingHTTPServer((address, 0), Handler)
    recorder.url = f"http://{address}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
