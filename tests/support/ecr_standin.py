"""A stand-in for ECR Public's GetAuthorizationToken that checks SigV4 signatures.

It recomputes the signature of each request from what arrived on the wire, following AWS's
published algorithm step by step (canonical request, string to sign, derived key), written
here independently of `hubimage.registry.ecr`, and answers like AWS: a token that decodes to
`AWS:<password>` for a good signature, a 403 `InvalidSignatureException` otherwise.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class EcrPublicStandIn:
    access_key_id: str
    secret_access_key: str
    registry_password: str
    session_token: str | None = None
    url: str = ""
    verdicts: list[str] = field(default_factory=list)

    @property
    def authorization_token(self) -> str:
        return base64.b64encode(f"AWS:{self.registry_password}".encode()).decode()


def _expected_signature(
    stand_in: EcrPublicStandIn, method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[str, str]:
    """(problem, expected Authorization header) from the request as received."""
    authorization = headers.get("authorization", "")
    algorithm, _, fields_text = authorization.partition(" ")
    fields = dict(part.strip().split("=", 1) for part in fields_text.split(",") if "=" in part)
    credential = fields.get("Credential", "").split("/")
    if algorithm != "AWS4-HMAC-SHA256" or len(credential) != 5:
        return "malformed Authorization header", ""
    key_id, date, region, service, terminator = credential
    if key_id != stand_in.access_key_id:
        return "unknown access key", ""
    if (region, service, terminator) != ("us-east-1", "ecr-public", "aws4_request"):
        return f"wrong scope {region}/{service}/{terminator}", ""
    signed = fields.get("SignedHeaders", "").split(";")
    for required in ("host", "x-amz-date", "x-amz-target"):
        if required not in signed:
            return f"{required} is not signed", ""
    amz_date = headers.get("x-amz-date", "")
    if not amz_date.startswith(date):
        return "x-amz-date does not match the credential date", ""
    lines = [method, path, ""]
    lines += [f"{name}:{' '.join(headers.get(name, '').split())}" for name in signed]
    lines += ["", ";".join(signed), hashlib.sha256(body).hexdigest()]
    canonical = "\n".join(lines)
    to_sign = "\n".join(
        [
            "AWS4-HMAC-SHA256",
            amz_date,
            f"{date}/{region}/{service}/{terminator}",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = ("AWS4" + stand_in.secret_access_key).encode()
    for part in (date, region, service, terminator):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return "", signature


class _Handler(BaseHTTPRequestHandler):
    stand_in: EcrPublicStandIn

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name.lower(): value for name, value in self.headers.items()}
        problem, expected = _expected_signature(self.stand_in, "POST", self.path, headers, body)
        given = headers.get("authorization", "").rpartition("Signature=")[2]
        target = headers.get("x-amz-target")
        if not problem and target != "SpencerFrontendService.GetAuthorizationToken":
            problem = f"unexpected X-Amz-Target {target}"
        if not problem and not hmac.compare_digest(given, expected):
            problem = "signature mismatch"
        if not problem and headers.get("x-amz-security-token") != self.stand_in.session_token:
            problem = "wrong or missing session token"
        self.stand_in.verdicts.append(problem or "ok")
        if problem:
            self._answer(403, {"__type": "InvalidSignatureException", "message": problem})
            return
        expires = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=12)).timestamp()
        data = {"authorizationToken": self.stand_in.authorization_token, "expiresAt": expires}
        self._answer(200, {"authorizationData": data})

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def running_ecr_public(stand_in: EcrPublicStandIn) -> Iterator[EcrPublicStandIn]:
    class Handler(_Handler):
        pass

    Handler.stand_in = stand_in
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/"
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
