"""A stand-in for the JupyterHub API, enough for a single-user server to start and serve.

`jupyterhub-singleuser` (JupyterHub 2 and later) asks the hub at start-up and exits when
nothing answers. Watching real servers start showed what it asks:

- `GET /hub/api` once at start-up: the hub's version (body and `X-JupyterHub-Version`);
- `POST /hub/api/users/<name>/activity` right after, when JUPYTERHUB_ACTIVITY_URL is set;
- `GET /hub/api/user` with `Authorization: token ...` for each request that carries a token
  it has not seen, to learn whose it is and which scopes it has.

A browser (landing-page) logs in as on a real hub, by JupyterHub's OAuth code flow: the server
redirects it to `GET /hub/api/oauth2/authorize` (on JUPYTERHUB_HOST, this stand-in), which
approves at once and redirects back to the server's `oauth_callback` with a code; the server
swaps the code for a token at `POST /hub/api/oauth2/token` and asks `/hub/api/user` whose it is.

It listens on 127.0.0.1 only (containers use host networking) and logs nothing: the token it
hands out is a throwaway made for one check run.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

Reply = tuple[int, object, Mapping[str, str]]  # status, JSON body, extra headers
VERSION_WAIT = 10.0  # seconds an answer waits for the version (below the server's 20 s timeout)


def _ready_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


@dataclass
class HubApiStandIn:
    """What the stand-in tells the server and what it saw; `url` is set once it listens."""

    version: str
    user: str = "hubimage-check"
    base_url: str = "/"
    origin: str = ""  # the single-user server's http://127.0.0.1:PORT, for OAuth redirects
    token: str = field(default_factory=lambda: secrets.token_hex(24))
    user_token: str = field(default_factory=lambda: secrets.token_hex(24))  # the browser's
    url: str = ""  # http://127.0.0.1:PORT<base_url>hub/api
    hub_origin: str = ""  # http://127.0.0.1:PORT of the stand-in itself
    requests: list[str] = field(default_factory=list)  # "GET /hub/api" ...
    # Cleared while `version` is still being learnt (from the image); answers wait for it.
    version_ready: threading.Event = field(default_factory=_ready_event, repr=False)
    _codes: set[str] = field(default_factory=set, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def client_id(self) -> str:
        return f"jupyterhub-user-{self.user}"

    @property
    def service_prefix(self) -> str:
        return f"{self.base_url}user/{self.user}/"

    @property
    def access_scopes(self) -> list[str]:
        return [f"access:servers!server={self.user}/", f"access:servers!user={self.user}"]

    def seen(self, line: str) -> None:
        with self._lock:
            self.requests.append(line)

    def answer(self, method: str, target: str, authorization: str, form: str = "") -> Reply:
        """The status, JSON body and extra headers for one request."""
        api = f"{self.base_url}hub/api"
        path = urlsplit(target).path.rstrip("/")
        if method == "GET" and path == api:
            return 200, {"version": self.version}, {}
        if method == "GET" and path == f"{api}/user":
            if not self._known(authorization):
                return 403, {"status": 403, "message": "token not recognised"}, {}
            return 200, self._user_model(), {}
        if method == "POST" and path == f"{api}/users/{self.user}/activity":
            return 200, {}, {}
        if method == "GET" and path == f"{api}/oauth2/authorize":
            return self._authorize(parse_qs(urlsplit(target).query))
        if method == "POST" and path == f"{api}/oauth2/token":
            return self._token(parse_qs(form))
        return 404, {"status": 404, "message": f"the hub stand-in does not serve {path}"}, {}

    def _known(self, authorization: str) -> bool:
        scheme, _, token = authorization.partition(" ")
        return scheme.lower() in ("token", "bearer") and any(
            secrets.compare_digest(token, known) for known in (self.token, self.user_token)
        )

    def _authorize(self, query: Mapping[str, list[str]]) -> Reply:
        """The hub's consent page, already approved: back to the server with a code."""
        redirect = (query.get("redirect_uri") or [""])[0]
        if (query.get("client_id") or [""])[0] != self.client_id or not redirect:
            return 400, {"status": 400, "message": "unknown client or no redirect_uri"}, {}
        code = secrets.token_hex(16)
        with self._lock:
            self._codes.add(code)
        params = {"code": code, "state": (query.get("state") or [""])[0]}
        location = f"{urljoin(self.origin + '/', redirect)}?{urlencode(params)}"
        return 302, {}, {"Location": location}

    def _token(self, form: Mapping[str, list[str]]) -> Reply:
        code = (form.get("code") or [""])[0]
        secret = (form.get("client_secret") or [""])[0]
        with self._lock:
            known = code in self._codes
            self._codes.discard(code)
        if not known or not secrets.compare_digest(secret, self.token):
            return 403, {"error": "invalid_grant"}, {}
        body = {"access_token": self.user_token, "token_type": "Bearer", "scope": "identify"}
        return 200, body, {}

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
    stand_in.hub_origin = f"http://127.0.0.1:{port}"
    stand_in.url = f"{stand_in.hub_origin}{stand_in.base_url}hub/api"
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
            self._reply("")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            # The activity report (only its arrival matters) or the OAuth token request.
            self._reply(self.rfile.read(length).decode("utf-8", "replace"))

        def _reply(self, form: str) -> None:
            stand_in.seen(f"{self.command} {urlsplit(self.path).path}")
            stand_in.version_ready.wait(VERSION_WAIT)
            status, body, headers = stand_in.answer(
                self.command, self.path, self.headers.get("Authorization") or "", form
            )
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-JupyterHub-Version", stand_in.version)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the check reports what the server asked in its details instead."""

    return Handler
