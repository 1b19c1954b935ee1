"""What each kind of registry expects at login, as typed records and one pure function.

Each registry kind has one clear set of inputs (a credentials record). `login_for` turns the
target image and a record into exactly what is sent (host, username, password, warnings) and
does nothing else, so unit tests can check each kind's rules. Records that need a network call
or a helper program first (AWS keys, a Docker config file) are resolved by `resolve_login`.

Credentials come from the environment or from these records, never from argv. Secret fields
are left out of `repr`, so a record in a traceback or an assertion shows no secret.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from hubimage.errors import RegistryCredentialsError
from hubimage.reference import ImageReference
from hubimage.secrets import SECRETS, derived_forms

RegistryKind = Literal["quay", "ghcr", "gar", "ecr-public", "docker-hub", "generic"]

DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})
DOCKER_HUB_SERVER = "https://index.docker.io/v1/"  # the key Docker itself uses for Docker Hub
GAR_USERNAMES = frozenset({"_json_key", "_json_key_base64", "oauth2accesstoken"})
ECR_PUBLIC_HOST = "public.ecr.aws"

DOCKER_HUB_WARNING = (
    "Docker Hub limits anonymous and free-account pulls per IP address; hubs that start many "
    "servers at once can hit that limit and fail to spawn. quay.io has no pull-rate limit for "
    "public images and is the recommended registry for hub images."
)


def registry_kind(host: str) -> RegistryKind:
    host = host.lower()
    if host == "quay.io":
        return "quay"
    if host == "ghcr.io":
        return "ghcr"
    if host.endswith("-docker.pkg.dev") or host == "gcr.io" or host.endswith(".gcr.io"):
        return "gar"
    if host == ECR_PUBLIC_HOST:
        return "ecr-public"
    if host in DOCKER_HUB_HOSTS:
        return "docker-hub"
    return "generic"


# --- credentials records ------------------------------------------------------------------


@dataclass(frozen=True)
class UsernamePassword:
    """Any registry: a quay.io robot (`org+robot` and its token), a PAT, a plain password."""

    username: str
    password: str = field(repr=False)

    def secrets(self) -> list[str]:
        return [
            *derived_forms(self.password),
            *derived_forms(f"{self.username}:{self.password}"),
        ]


@dataclass(frozen=True)
class GitHubToken:
    """GHCR: GITHUB_TOKEN (or a personal access token) sent with the actor as user."""

    actor: str
    token: str = field(repr=False)

    def secrets(self) -> list[str]:
        return UsernamePassword(self.actor, self.token).secrets()


@dataclass(frozen=True)
class GcpServiceAccountKey:
    """Artifact Registry / gcr.io: a service-account key file's content, raw JSON or base64."""

    key: str = field(repr=False)
    base64_encoded: bool = False

    def secrets(self) -> list[str]:
        values = derived_forms(self.key)
        if self.base64_encoded:
            values += derived_forms(_decode_or_empty(self.key))
        values += _private_key_lines(values)
        return values


@dataclass(frozen=True)
class GcpAccessToken:
    """Artifact Registry / gcr.io: an OAuth access token (sent as user `oauth2accesstoken`)."""

    token: str = field(repr=False)

    def secrets(self) -> list[str]:
        return UsernamePassword("oauth2accesstoken", self.token).secrets()


@dataclass(frozen=True)
class EcrPublicAuthorizationToken:
    """ECR Public: the base64 `AWS:<password>` token GetAuthorizationToken returns."""

    token: str = field(repr=False)

    def secrets(self) -> list[str]:
        decoded = _decode_or_empty(self.token)
        return [
            *derived_forms(self.token),
            *derived_forms(decoded),
            *derived_forms(decoded.partition(":")[2]),
        ]


@dataclass(frozen=True)
class AwsCredentials:
    """ECR Public: AWS keys, exchanged for an authorization token (see `hubimage.registry.ecr`)."""

    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def secrets(self) -> list[str]:
        return [self.secret_access_key, *([self.session_token] if self.session_token else [])]


@dataclass(frozen=True)
class DockerConfigAuth:
    """Whatever an earlier step stored in a Docker config (`auths`, `credsStore`, `credHelpers`).

    `config_dir` is the folder holding config.json; None means $DOCKER_CONFIG or ~/.docker.
    """

    config_dir: str | None = None

    def secrets(self) -> list[str]:
        return []  # the values are found only when resolved; they are registered then


StaticCredentials: TypeAlias = (
    UsernamePassword
    | GitHubToken
    | GcpServiceAccountKey
    | GcpAccessToken
    | EcrPublicAuthorizationToken
)
Credentials: TypeAlias = StaticCredentials | AwsCredentials | DockerConfigAuth


@dataclass(frozen=True)
class Login:
    """What is sent to a registry. Anonymous when `username` is None."""

    registry: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()

    @property
    def anonymous(self) -> bool:
        return self.username is None or self.password is None

    @property
    def server_address(self) -> str:
        return DOCKER_HUB_SERVER if registry_kind(self.registry) == "docker-hub" else self.registry

    def auth_config(self) -> dict[str, str] | None:
        """The `auth_config` the Docker SDK sends with a push or pull (nothing is written)."""
        if self.username is None or self.password is None:
            return None
        return {
            "username": self.username,
            "password": self.password,
            "serveraddress": self.server_address,
        }

    def secrets(self) -> list[str]:
        if self.username is None or self.password is None:
            return []
        return UsernamePassword(self.username, self.password).secrets()


# --- the rules ------------------------------------------------------------------------------


def login_for(target: ImageReference, credentials: StaticCredentials | None) -> Login:
    """Exactly what `credentials` make us send to `target`'s registry (pure; raises on misfit)."""
    host = target.registry_host
    kind = registry_kind(host)
    warnings = (DOCKER_HUB_WARNING,) if kind == "docker-hub" else ()
    if credentials is None:
        return Login(host, warnings=warnings)
    username, password, more = _username_password(kind, host, credentials)
    if not username or not password:
        raise RegistryCredentialsError(
            f"the credentials for {host} have an empty username or password",
            hint=_WHAT_TO_SET[kind],
        )
    return Login(host, username, password, warnings + more)


def _username_password(
    kind: RegistryKind, host: str, credentials: StaticCredentials
) -> tuple[str, str, tuple[str, ...]]:
    if isinstance(credentials, GitHubToken) and kind == "ghcr":
        return credentials.actor, credentials.token, ()
    if isinstance(credentials, GcpServiceAccountKey) and kind == "gar":
        return _gar_key_login(credentials)
    if isinstance(credentials, GcpAccessToken) and kind == "gar":
        return "oauth2accesstoken", credentials.token, ()
    if isinstance(credentials, EcrPublicAuthorizationToken) and kind == "ecr-public":
        return _ecr_token_login(credentials.token)
    if isinstance(credentials, UsernamePassword):
        return _check_username(kind, host, credentials)
    raise RegistryCredentialsError(
        f"{type(credentials).__name__} credentials do not work for {host}",
        hint=_WHAT_TO_SET[kind],
    )


def _check_username(
    kind: RegistryKind, host: str, credentials: UsernamePassword
) -> tuple[str, str, tuple[str, ...]]:
    username, password = credentials.username, credentials.password
    if kind == "gar" and username not in GAR_USERNAMES:
        raise RegistryCredentialsError(
            f"{host} accepts only the users {', '.join(sorted(GAR_USERNAMES))}, not {username!r}",
            hint=_WHAT_TO_SET[kind],
        )
    if kind == "ecr-public" and username != "AWS":
        raise RegistryCredentialsError(
            f"{host} accepts only the user 'AWS', not {username!r}", hint=_WHAT_TO_SET[kind]
        )
    if kind == "quay" and "+" not in username:
        warning = (
            f"{username!r} is not a quay.io robot account (robots are named "
            "'namespace+name'); a robot with write access to just this repository is safer "
            "than a personal login"
        )
        return username, password, (warning,)
    return username, password, ()


def _gar_key_login(key: GcpServiceAccountKey) -> tuple[str, str, tuple[str, ...]]:
    raw = key.key
    if key.base64_encoded:
        raw = _decode_base64(key.key, "the base64 service-account key")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict) or "private_key" not in parsed or "client_email" not in parsed:
        raise RegistryCredentialsError(
            "the Google service-account key is not a JSON key file (no client_email/private_key)",
            hint=_WHAT_TO_SET["gar"],
        )
    return ("_json_key_base64" if key.base64_encoded else "_json_key"), key.key, ()


def _ecr_token_login(token: str) -> tuple[str, str, tuple[str, ...]]:
    user, sep, password = _decode_base64(token, "the ECR Public authorization token").partition(":")
    if not sep or user != "AWS":
        raise RegistryCredentialsError(
            "the ECR Public authorization token does not decode to 'AWS:<password>'",
            hint=_WHAT_TO_SET["ecr-public"],
        )
    return user, password, ()


def _decode_base64(value: str, what: str) -> str:
    try:
        return base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise RegistryCredentialsError(f"{what} is not valid base64") from error


def _decode_or_empty(value: str) -> str:
    try:
        return _decode_base64(value, "a secret")
    except RegistryCredentialsError:
        return ""


def _private_key_lines(values: list[str]) -> list[str]:
    """The body lines of a PEM private key inside a JSON key, which a log could show alone."""
    for value in values:
        try:
            parsed = json.loads(value)
        except ValueError:
            continue
        if isinstance(parsed, dict) and isinstance(parsed.get("private_key"), str):
            lines = parsed["private_key"].splitlines()
            return [line for line in lines if line and not line.startswith("-----")]
    return []


_WHAT_TO_SET: dict[RegistryKind, str] = {
    "quay": "set HUBIMAGE_REGISTRY_USERNAME to a quay.io robot account (namespace+name) "
    "and HUBIMAGE_REGISTRY_PASSWORD to its token; the robot needs write access",
    "ghcr": "set GITHUB_TOKEN (with packages: write permission) and GITHUB_ACTOR, "
    "or HUBIMAGE_REGISTRY_USERNAME/HUBIMAGE_REGISTRY_PASSWORD to a user and a PAT",
    "gar": "set HUBIMAGE_GCP_JSON_KEY (key file JSON), HUBIMAGE_GCP_JSON_KEY_BASE64, or "
    "HUBIMAGE_GCP_ACCESS_TOKEN; the service account needs Artifact Registry Writer",
    "ecr-public": "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or "
    "HUBIMAGE_REGISTRY_USERNAME=AWS with the password of `aws ecr-public get-login-password`",
    "docker-hub": "set HUBIMAGE_REGISTRY_USERNAME and HUBIMAGE_REGISTRY_PASSWORD "
    "(a Docker Hub access token)",
    "generic": "set HUBIMAGE_REGISTRY_USERNAME and HUBIMAGE_REGISTRY_PASSWORD, "
    "or log in with docker login in an earlier step",
}


def what_to_set(host: str) -> str:
    """The hint naming the inputs `host`'s registry kind needs."""
    return _WHAT_TO_SET[registry_kind(host)]


# --- from the environment -----------------------------------------------------------------


def credentials_from_environment(
    target: ImageReference, environ: Mapping[str, str]
) -> Credentials | None:
    """The credentials record the environment gives for `target`, first match wins.

    Explicit HUBIMAGE_REGISTRY_USERNAME/PASSWORD, then the kind's own variables, then a
    Docker config file left by an earlier login step; None means anonymous.
    """
    kind = registry_kind(target.registry_host)
    username = environ.get("HUBIMAGE_REGISTRY_USERNAME", "")
    password = environ.get("HUBIMAGE_REGISTRY_PASSWORD", "")
    found: Credentials | None = None
    if username or password:
        found = UsernamePassword(username, password)
    elif kind == "ghcr" and environ.get("GITHUB_TOKEN"):
        found = GitHubToken(environ.get("GITHUB_ACTOR", ""), environ["GITHUB_TOKEN"])
    elif kind == "gar":
        found = _gar_from_environment(environ)
    elif kind == "ecr-public" and environ.get("AWS_ACCESS_KEY_ID"):
        found = AwsCredentials(
            environ["AWS_ACCESS_KEY_ID"],
            environ.get("AWS_SECRET_ACCESS_KEY", ""),
            environ.get("AWS_SESSION_TOKEN") or None,
        )
    if found is None:
        return DockerConfigAuth(environ.get("DOCKER_CONFIG") or None)
    SECRETS.add_all(found.secrets())
    return found


def _gar_from_environment(environ: Mapping[str, str]) -> Credentials | None:
    if environ.get("HUBIMAGE_GCP_JSON_KEY"):
        return GcpServiceAccountKey(environ["HUBIMAGE_GCP_JSON_KEY"])
    if environ.get("HUBIMAGE_GCP_JSON_KEY_BASE64"):
        return GcpServiceAccountKey(environ["HUBIMAGE_GCP_JSON_KEY_BASE64"], base64_encoded=True)
    if environ.get("HUBIMAGE_GCP_ACCESS_TOKEN"):
        return GcpAccessToken(environ["HUBIMAGE_GCP_ACCESS_TOKEN"])
    return None
