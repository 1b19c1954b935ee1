"""A token service for the distribution registry's `auth: token:` mode, on loopback.

It plays the part of quay.io's, GHCR's or Docker Hub's token endpoint, in both of the forms
distribution's specifications describe (docs/spec/auth/token.md and oauth.md):
- `GET /token?service=&scope=` with optional Basic credentials answers `{"token": JWT}`;
- `POST /token` with a form body (`grant_type=password` with `username`/`password`, or
  `grant_type=refresh_token`; `service`, `client_id`, space-separated `scope`) answers
  `{"access_token": JWT}`, plus a `refresh_token` for `access_type=offline`. The containerd
  image store's pusher asks this way first whenever it has a password.
The JWT grants the requested actions (all of them to the known user, `pull` to anonymous
callers only for repositories made public).

The registry (distribution 2.8) finds the signing key through the JWT header: with `x5c`, the
leaf certificate must chain to a certificate in `rootcertbundle`. A self-signed certificate is
its own root, so the header carries just that certificate.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SERVICE = "hubimage-test-registry"
ISSUER = "hubimage-test-issuer"


@dataclass
class TokenRequest:
    account: str | None  # the Basic user, None when anonymous
    scopes: list[str]
    granted: list[dict[str, object]]
    agent: str = ""  # the client's User-Agent: hubimage's registry client says hubimage/...


@dataclass
class TokenIssuer:
    username: str
    password: str
    cert_path: Path
    public_repositories: set[str] = field(default_factory=set)
    requests: list[TokenRequest] = field(default_factory=list)
    refresh_tokens: set[str] = field(default_factory=set)
    url: str = ""
    _key: rsa.RSAPrivateKey | None = None
    _cert_der: bytes = b""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> None:
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = _self_signed(self._key)
        self._cert_der = cert.public_bytes(serialization.Encoding.DER)
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        issuer = self

        class Handler(_TokenHandler):
            owner = issuer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/token"
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def check_basic(self, header: str | None) -> str | bool | None:
        """The account name, None for anonymous, False for wrong credentials."""
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        try:
            user, _, password = base64.b64decode(value).decode().partition(":")
        except ValueError:
            return False
        if scheme.lower() != "basic" or (user, password) != (self.username, self.password):
            return False
        return user

    def grant(self, account: str | None, scopes: list[str]) -> list[dict[str, object]]:
        access: list[dict[str, object]] = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            wanted = [action for action in actions.split(",") if action]
            if account is None:
                wanted = [a for a in wanted if a == "pull" and name in self.public_repositories]
            if kind == "repository" and wanted:
                access.append({"type": kind, "name": name, "actions": wanted})
        return access

    def issue(self, account: str | None, access: list[dict[str, object]]) -> str:
        assert self._key is not None
        now = int(time.time())
        claims = {
            "iss": ISSUER,
            "sub": account or "",
            "aud": SERVICE,
            "exp": now + 300,
            "nbf": now - 5,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        headers = {"x5c": [base64.b64encode(self._cert_der).decode()]}
        return jwt.encode(claims, self._key, algorithm="RS256", headers=headers)


class _TokenHandler(BaseHTTPRequestHandler):
    owner: TokenIssuer

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/token":
            self._answer(404, {"error": "not found"})
            return
        query = parse_qs(url.query)
        account = self.owner.check_basic(self.headers.get("Authorization"))
        if account is False:
            self._answer(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad login"}]})
            return
        assert account is None or isinstance(account, str)
        scopes = query.get("scope", [])
        access = self.owner.grant(account, scopes)
        self.owner.requests.append(
            TokenRequest(account, scopes, access, self.headers.get("User-Agent", ""))
        )
        token = self.owner.issue(account, access)
        issued = dt.datetime.now(dt.timezone.utc).isoformat()
        self._answer(200, {"token": token, "expires_in": 300, "issued_at": issued})

    def do_POST(self) -> None:
        if urlsplit(self.path).path != "/token":
            self._answer(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        missing = [key for key in ("grant_type", "service", "client_id") if not form.get(key)]
        if missing:
            self._answer(400, {"error": "invalid_request", "missing": missing})
            return
        if form["grant_type"] == "password":
            ok = (form.get("username"), form.get("password")) == (
                self.owner.username,
                self.owner.password,
            )
        elif form["grant_type"] == "refresh_token":
            ok = form.get("refresh_token") in self.owner.refresh_tokens
        else:
            self._answer(400, {"error": "unsupported_grant_type"})
            return
        if not ok:
            self._answer(401, {"error": "invalid_grant"})
            return
        account = self.owner.username
        scopes = form.get("scope", "").split()
        access = self.owner.grant(account, scopes)
        self.owner.requests.append(
            TokenRequest(account, scopes, access, self.headers.get("User-Agent", ""))
        )
        body: dict[str, object] = {
            "access_token": self.owner.issue(account, access),
            "scope": " ".join(scopes),
            "expires_in": 300,
            "issued_at": dt.datetime.now(dt.timezone.utc).isoformat(),
        }
        if form.get("access_type") == "offline":
            refresh = secrets.token_urlsafe(24)
            self.owner.refresh_tokens.add(refresh)
            body["refresh_token"] = refresh
        self._answer(200, body)

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output quiet; requests are recorded on the issuer


def _self_signed(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hubimage test token issuer")])
    now = dt.datetime.now(dt.timezone.utc)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
