"""How a registry client earns its `Authorization` header: the registry's challenge.

A 401 carries `WWW-Authenticate`. `Bearer realm=...,service=...,scope=...` sends us to a
token endpoint (with Basic credentials when we have them, anonymously otherwise); `Basic`
takes the credentials directly. The header found for a scope is kept for the client's later
requests in that scope; every token is registered as a secret, so no log shows it.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import requests

from hubimage.errors import RegistryAuthError, RegistryError, TransientRegistryError
from hubimage.registry.credentials import Login, what_to_set
from hubimage.secrets import SECRETS, safe_for_credentials

_CHALLENGE_PARAM = re.compile(r'(\w+)="([^"]*)"')


@dataclass(frozen=True)
class Challenge:
    scheme: str  # "bearer" or "basic", lower-case
    params: dict[str, str]


def parse_challenge(header: str) -> Challenge | None:
    scheme, _, rest = header.strip().partition(" ")
    if not scheme:
        return None
    return Challenge(scheme.lower(), dict(_CHALLENGE_PARAM.findall(rest)))


def basic_authorization(login: Login) -> str:
    pair = f"{login.username}:{login.password}".encode()
    return f"Basic {base64.b64encode(pair).decode()}"


class RegistryAuth:
    """The `Authorization` headers of one client of `host`, by scope."""

    def __init__(
        self, host: str, login: Login | None, session: requests.Session, timeout: float
    ) -> None:
        self.host, self.login = host, login
        self._session, self._timeout = session, timeout
        self._by_scope: dict[str, str] = {}  # scope -> Authorization header value

    def header(self, scope: str) -> str | None:
        """The header earned for `scope` so far, if any."""
        return self._by_scope.get(scope)

    def answer(self, response: requests.Response, scope: str) -> str | None:
        """The header that answers this 401's challenge (kept for `scope`); None when there
        is none we can give (no challenge, or Basic without credentials)."""
        challenge = parse_challenge(response.headers.get("WWW-Authenticate", ""))
        if challenge is None:
            return None
        if challenge.scheme == "bearer":
            auth = f"Bearer {self._bearer_token(challenge, scope)}"
        elif challenge.scheme == "basic" and self.login is not None:
            auth = basic_authorization(self.login)
        else:
            return None
        self._by_scope[scope] = auth
        return auth

    def refused(self, status: int, who: str) -> RegistryAuthError:
        """The error for a 401 or 403 of `who` (the registry, or its token service)."""
        if self.login is None:
            return RegistryAuthError(
                f"{who} of {self.host} refused anonymous access ({status})",
                hint=what_to_set(self.host),
            )
        return RegistryAuthError(
            f"{who} of {self.host} refused the credentials of user {self.login.username!r} "
            f"({status})",
            hint=f"check the credentials and their permissions; {what_to_set(self.host)}",
        )

    def _bearer_token(self, challenge: Challenge, scope: str) -> str:
        realm = challenge.params.get("realm")
        if not realm:
            raise RegistryError(f"{self.host} asked for a bearer token but named no realm")
        params = {"scope": challenge.params.get("scope", scope)}
        if "service" in challenge.params:
            params["service"] = challenge.params["service"]
        if self.login is not None and not safe_for_credentials(realm):
            # Anyone who can answer for the registry (or sit on the path to it) could name a
            # realm that collects passwords in clear text.
            raise RegistryError(
                f"{self.host} sends us to the token service {realm}, which is not https: "
                "hubimage does not send credentials there in clear text",
                hint="a token service must use https:// (plain http only on loopback)",
            )
        headers = {"Authorization": basic_authorization(self.login)} if self.login else {}
        try:
            response = self._session.get(
                realm, params=params, headers=headers, timeout=self._timeout
            )
        except requests.RequestException as error:
            raise TransientRegistryError(
                f"cannot reach the token service of {self.host}: {type(error).__name__}"
            ) from error
        if response.status_code in (401, 403):
            raise self.refused(response.status_code, "the token service")
        if response.status_code >= 500:
            raise TransientRegistryError(
                f"the token service of {self.host} answered {response.status_code}"
            )
        try:
            body = response.json()
            token = body.get("token") or body.get("access_token")
        except (ValueError, AttributeError):
            token = None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"the token service of {self.host} sent no token")
        SECRETS.add(token)
        return token
