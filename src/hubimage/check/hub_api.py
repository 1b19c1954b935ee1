"""A stand-in for the JupyterHub API, enough for a single-user server to start and serve.

`jupyterhub-singleuser` (JupyterHub 2 and later) asks the hub at start-up and exits when
nothing answers. Watching real servers start showed what it asks:

- `GET /hub/api` once at start-up: the hub's version (body and `X-JupyterHub-Version`);
- `POST /hub/api/users/<name>/activity` right after, when JUPYTERHUB_ACTIVITY_URL is set;
- `GET /hub/api/user` with `Authorization: token ...` for each request that carries a token
  it has not seen, to learn whose it is and which scopes it has.

It listens on 127.0.0.1 only (containers use host networking) and logs nothing: the token it
hands out is a throwaway made for one check run.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class HubApiStandIn:
    """What the stand-in tells the server and what it saw; `url` is set once it listens."""

    version: str
    user: str = "hubimage-check"
    base_url: str = "/"
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    url: str = ""  # http://127.0.0.1:PORT<base_url>hub/api
    requests: list[str] = field(default_factory=list)  # "GET /hub/api" ...
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def service_prefix(self) -> str:
        return f"{self.base_url}user/{self.user}/"

    @property
    def access_scopes(self) -> list[str]:
        return [f"access:servers!server={self.user}/", f"access:servers!user={self.user}"]

    def seen(self, line: str) -> None:
        with self._lock:
            self.requests.append(line)

    def answer(self, method: str, path: str, authorization: str) -> tuple[int, object]:
        """The status and JSON body for one request."""
        api = f"{self.base_url}hub/api"
        path = urlsplit(path).path.rstrip("/")
        if method == "GET" and path == api:
            return 200, {"version": self.version}
        if method == "GET" and path == f"{api}/user":
            if not secrets.compare_digest(authorization, f"token {self.token}") and (
                not secrets.compare_digest(authorization, f"Bearer {self.token}")
            ):
                return 403, {"status": 403, "message": "token not recognised"}
            return 200, self._user_model()
        if method == "POST" and path == f"{api}/users/{self.user}/activity":
            return 200, {}
        return 404, {"status": 404, "message": f"the hub stand-in does not serve {path}"}

    def _user_model(self) -> dict[str, object]:
        return {
            "kind": "user",
            "name": self.user,
            "admin": False,
            "groups": [],
            "roles": ["user"],
            "scopes": self.access_scopes,
            "server": self.service_prefix,
            "session_id": None,
        }


@contextmanager
def serving(stand_in: HubApiStandIn) -> Iterator[HubApiStandIn]:
    """Serve `stand_in` on a free port of 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(stand_in))
    server.daemon_threads = True
    port = server.server_address[1]
    stand_in.url = f"http://127.0.0.1:{port}{stand_in.base_url}hub/api"
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name="hub-api-stand-in",
        daemon=True,
    )
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _handler_for(stand_in: HubApiStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._reply()

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)  # the activity report; only its arrival matters
            self._reply()

        def _reply(self) -> None:
            stand_in.seen(f"{self.command} {urlsplit(self.path).path}")
            status, body = stand_in.answer(
                self.command, self.path, self.headers.get("Authorization") or ""
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-JupyterHub-Version", stand_in.version)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the check reports what the server asked in its details instead."""

    return Handler
