"""A fault-injecting HTTP proxy on loopback, in front of a real registry.

Tests program faults that apply to the next N matching requests: an error status (500/503
bursts), a stall before forwarding, or a connection cut after K bytes of a request body (an
upload dropped midway). Everything else is forwarded unchanged, Host header included, so the
registry's upload URLs keep pointing at the proxy. Every request is recorded with its outcome.
Faults are bounded: each applies to `count` requests and stalls last `seconds`.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import Literal
from urllib.parse import parse_qs, urlencode, urlsplit

FaultKind = Literal["status", "stall", "cut"]
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "proxy-authorization",
    "proxy-authenticate",
    "content-length",
}


@dataclass
class Fault:
    kind: FaultKind
    count: int = 1  # how many matching requests it hits
    status: int = 503
    seconds: float = 0.0  # stall length
    after_bytes: int = 0  # cut: bytes of request body read before the connection is closed
    methods: tuple[str, ...] = ()  # empty: any method
    path_pattern: str = ""  # regex searched in the path; empty: any path
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.hits >= self.count:
            return False
        if self.methods and method not in self.methods:
            return False
        return not self.path_pattern or re.search(self.path_pattern, path) is not None


@dataclass(frozen=True)
class ProxiedRequest:
    method: str
    path: str
    outcome: str  # "forwarded 201", "status 503", "stall 2.0s", "cut after 100 bytes"
    size: int = 0  # bytes of the response body sent to the client
    agent: str = ""  # the client's User-Agent: the engine's push, or hubimage's own client


@dataclass
class FaultProxy:
    upstream: str  # "127.0.0.1:PORT" of the registry
    faults: list[Fault] = field(default_factory=list)
    requests: list[ProxiedRequest] = field(default_factory=list)
    host: str = ""
    # distribution 2.8 ignores `n` on tag lists; hosted registries (quay.io, GHCR) page them.
    # With this set, the proxy pages the real registry's full list as the v2 spec describes.
    paginate_tags: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    def inject(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()
            self.requests.clear()

    def take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def record(self, method: str, path: str, outcome: str, size: int = 0, agent: str = "") -> None:
        with self._lock:
            self.requests.append(ProxiedRequest(method, path, outcome, size, agent))

    def blob_downloads(self) -> list[ProxiedRequest]:
        """Every GET of a blob (layers, configs, cache manifests' blobs) the proxy answered."""
        with self._lock:
            return [r for r in self.requests if r.method == "GET" and "/blobs/sha256:" in r.path]

    def outcomes(self) -> list[str]:
        with self._lock:
            return [request.outcome for request in self.requests]

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(_ProxyHandler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.host = f"127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _read_body(rfile: BufferedIOBase, headers: Message, limit: int | None) -> bytes:
    """The request body (Content-Length or chunked); at most `limit` bytes when given."""
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        body = bytearray()
        while limit is None or len(body) < limit:
            size = int(rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                rfile.readline()  # the empty trailer line
                break
            body += rfile.read(size)
            rfile.readline()
        return bytes(body if limit is None else body[:limit])
    length = int(headers.get("Content-Length") or 0)
    return rfile.read(length if limit is None else min(length, limit))


def _one_page(
    path: str, data: bytes, query: dict[str, list[str]]
) -> tuple[bytes, list[tuple[str, str]]]:
    """One page of a full tag list: tags after `last`, at most `n`, and a Link to the next."""
    listing = json.loads(data)
    tags = sorted(listing.get("tags") or [])
    last = query.get("last", [""])[0]
    size = int(query.get("n", [str(len(tags) or 1)])[0])
    remaining = [tag for tag in tags if tag > last]
    listing["tags"] = remaining[:size]
    link: list[tuple[str, str]] = []
    if len(remaining) > size:
        after = urlencode({"last": listing["tags"][-1], "n": size})
        link = [("Link", f'<{path}?{after}>; rel="next"')]
    return json.dumps(listing).encode(), link


class _ProxyHandler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"
    # Answer what is not HTTP (a TLS ClientHello) with an HTTP/1.1 400, as the registry itself
    # (Go's net/http) does: the containerd image store tries https first on 127.0.0.1 and
    # falls back to plain HTTP only on an answer that starts with "HTTP/". Python's default
    # would answer such a line as HTTP/0.9, without a status line.
    default_request_version = "HTTP/1.1"
    timeout = 60  # a stuck client connection ends, so the proxy never hangs a test

    def _handle(self) -> None:
        method, path = self.command, self.path
        fault = self.owner.take_fault(method, path)
        if fault is not None and fault.kind == "cut":
            _read_body(self.rfile, self.headers, fault.after_bytes)
            self._record(f"cut after {fault.after_bytes} bytes")
            self.close_connection = True
            return
        body = _read_body(self.rfile, self.headers, None)
        if fault is not None and fault.kind == "status":
            self._record(f"status {fault.status}")
            self._send(fault.status, [("Content-Type", "application/json")], b'{"errors":[]}')
            self.close_connection = True
            return
        if fault is not None and fault.kind == "stall":
            self._record(f"stall {fault.seconds}s")
            time.sleep(fault.seconds)
        url = urlsplit(path)
        if self.owner.paginate_tags and method == "GET" and url.path.endswith("/tags/list"):
            self._forward(method, url.path, body, page=parse_qs(url.query))
        else:
            self._forward(method, path, body)

    def _record(self, outcome: str, size: int = 0) -> None:
        """What became of this request, with who sent it (the engine, or hubimage's client)."""
        agent = self.headers.get("User-Agent", "")
        self.owner.record(self.command, self.path, outcome, size, agent)

    def _forward(
        self, method: str, path: str, body: bytes, page: dict[str, list[str]] | None = None
    ) -> None:
        upstream = http.client.HTTPConnection(self.owner.upstream, timeout=60)
        try:
            # Repeated headers (Docker sends one Accept line per manifest type) are joined,
            # as HTTP allows; keeping only the last would change what the registry serves.
            headers: dict[str, str] = {}
            for k, v in self.headers.items():
                if k.lower() not in _HOP_BY_HOP:
                    headers[k] = f"{headers[k]}, {v}" if k in headers else v
            has_body = bool(body) or method in ("POST", "PUT", "PATCH")
            upstream.request(method, path, body=body if has_body else None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            length = response.getheader("Content-Length") if method == "HEAD" else None
            if page is not None and response.status == 200:
                data, link = _one_page(path, data, page)
                kept = [(k, v) for k, v in kept if k.lower() != "link"] + link
            sent = 0 if method == "HEAD" else len(data)
            self._record(f"forwarded {response.status}", sent)
            self._send(response.status, kept, data, length)
        finally:
            upstream.close()

    def _send(
        self, status: int, headers: list[tuple[str, str]], data: bytes, length: str | None = None
    ) -> None:
        try:
            self.send_response_only(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", length or str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (e.g. after a stall)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def log_message(self, format: str, *args: object) -> None:
        pass
