"""Push an image's tags through the engine, then prove the registry serves what was pushed.

Each tag is pushed with the Docker SDK, credentials passed as `auth_config` (so nothing is
written to a Docker config file). Errors arrive inside the push stream, not as exceptions;
they are classified into auth failures (no retry), transient failures (retried with backoff)
and others. The push counts as done only when the registry's manifest digest for every tag
equals the digest the engine reported and recorded in the image's `RepoDigests`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import docker.errors
import requests

from hubimage.engine import DockerEngine
from hubimage.errors import (
    EngineError,
    RegistryAuthError,
    RegistryError,
    TransientRegistryError,
    UsageError,
)
from hubimage.reference import ImageReference, validate_tag
from hubimage.registry.client import RegistryClient, client_for
from hubimage.registry.credentials import Credentials, Login, registry_kind, what_to_set
from hubimage.registry.login import resolve_login
from hubimage.registry.retry import RetryPolicy, with_retries
from hubimage.secrets import SECRETS

log = logging.getLogger(__name__)

# The engine retries a failed layer upload itself (about a minute per push attempt), so few
# attempts of ours are needed, and a registry that stays down fails the job in minutes.
DEFAULT_PUSH_RETRY = RetryPolicy(attempts=3, initial_delay=2.0, max_delay=30.0, total_seconds=300)

_STATUS_DIGEST = re.compile(r": digest: (sha256:[0-9a-f]{64}) size: \d+")
_AUTH_FAILURE = re.compile(
    r"unauthorized|authentication required|denied|forbidden|insufficient_scope|"
    r"no basic auth credentials|\b401\b|\b403\b",
    re.IGNORECASE,
)
# What the engine says when it sent no accepted credentials at all. After a failed ping (a
# 5xx on /v2/) the engine pushes without credentials and reports this, so it is checked.
_NO_CREDENTIALS_SENT = re.compile(
    r"authentication required|no basic auth credentials", re.IGNORECASE
)
_TRANSIENT_FAILURE = re.compile(
    r"\b5\d\d\b|timeout|timed out|connection reset|connection refused|broken pipe|\beof\b|"
    r"tls handshake|service unavailable|bad gateway|temporar|try again|reset by peer",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PushResult:
    image: str  # the name pushed to, host included: quay.io/org/image
    tags: tuple[str, ...]
    digest: str  # sha256:...
    image_ref: str  # image@digest: what a hub config should pin
    warnings: tuple[str, ...] = ()


def push_image(
    engine: DockerEngine,
    local_image: str,
    target: ImageReference,
    tags: Sequence[str],
    credentials: Credentials | Login | None,
    retry: RetryPolicy = DEFAULT_PUSH_RETRY,
    *,
    check_public: bool = False,
    insecure: bool | None = None,
    client: RegistryClient | None = None,
) -> PushResult:
    """Push `local_image` as `target` with each of `tags`; verify the registry serves it.

    `client`: a logged-in client for `target`'s registry to verify with (a run shares one,
    so its token is fetched once); by default one of its own."""
    if not tags:
        raise UsageError("no tags to push: give at least one tag")
    tags = tuple(validate_tag(tag) for tag in tags)
    engine.require_image(local_image)
    login = credentials if isinstance(credentials, Login) else resolve_login(target, credentials)
    for warning in login.warnings:
        log.warning("%s", warning)
    name = target.qualified_name
    pushed: dict[str, str] = {}
    for tag in tags:
        engine.tag(local_image, name, tag)
        pushed[tag] = with_retries(
            lambda tag=tag: _push_once(engine, name, tag, login, insecure),  # type: ignore[misc]
            retry,
            f"pushing {name}:{tag}",
        )
    digest = _one_digest(name, pushed)
    _check_repo_digest(engine, local_image, name, digest)
    return verify_served(
        target,
        tags,
        digest,
        login,
        retry,
        check_public=check_public,
        insecure=insecure,
        client=client,
    )


def verify_served(
    target: ImageReference,
    tags: Sequence[str],
    digest: str,
    login: Login,
    retry: RetryPolicy = DEFAULT_PUSH_RETRY,
    *,
    check_public: bool = False,
    insecure: bool | None = None,
    pusher: str = "the engine",
    client: RegistryClient | None = None,
) -> PushResult:
    """The push counts only when the registry serves `digest` for every tag (and, with
    `check_public`, to anonymous clients too). Also for buildx's own `--push`."""
    name = target.qualified_name
    with client_for(
        target.registry_host, login, insecure=insecure, retry=retry, shared=client
    ) as client:
        for tag in tags:
            served = client.manifest_digest(target.repository, tag)
            if served != digest:
                raise RegistryError(
                    f"{name}:{tag} is served with digest {served or 'none'}, "
                    f"but {pusher} pushed {digest}",
                    hint="another push may have raced this one; push again",
                )
        if check_public:
            client.check_anonymous_pull(target.repository, digest)
    log.info("pushed %s@%s as %s", name, digest, ", ".join(tags))
    return PushResult(name, tuple(tags), digest, f"{name}@{digest}", login.warnings)


def _push_once(
    engine: DockerEngine, name: str, tag: str, login: Login, insecure: bool | None
) -> str:
    """One push of name:tag; returns the digest the engine reports."""
    digest: str | None = None
    try:
        stream = engine.push_events(name, tag, login.auth_config())
        for event in stream:
            _raise_for_event(event, name, tag, login)
            digest = _digest_of(event) or digest
    except docker.errors.APIError as error:
        raise classify_push_error(str(error), name, tag, login) from error
    except requests.RequestException as error:
        raise EngineError(f"lost the Docker engine while pushing {name}:{tag}") from error
    except RegistryAuthError as error:
        _confirm_auth_failure(error, name, login, insecure)
        raise
    if digest is None:
        raise TransientRegistryError(f"the push of {name}:{tag} ended without a digest")
    return digest


def _confirm_auth_failure(
    error: RegistryAuthError, name: str, login: Login, insecure: bool | None
) -> None:
    """Turn an auth failure into a transient one when our own login works (see above)."""
    if login.anonymous or not _NO_CREDENTIALS_SENT.search(error.message):
        return
    repository = name.partition("/")[2]
    with RegistryClient(login.registry, login, insecure) as client:
        try:
            client.check_push_login(repository)
        except RegistryAuthError:
            return  # really refused: the engine's own error says best what failed
    raise TransientRegistryError(
        f"{error.message} (yet the registry accepts these credentials: it may have failed "
        "while the engine pinged it)"
    ) from error


def _raise_for_event(event: dict[str, Any], name: str, tag: str, login: Login) -> None:
    if "error" not in event and "errorDetail" not in event:
        return
    detail = event.get("errorDetail") or {}
    message = str(detail.get("message") or event.get("error") or "unknown error")
    raise classify_push_error(message, name, tag, login)


def classify_push_error(message: str, name: str, tag: str, login: Login) -> RegistryError:
    """The error for a failure message of the engine: auth (final), transient, or other."""
    message = SECRETS.redact(message.strip())
    host = login.registry
    if _AUTH_FAILURE.search(message):
        who = "anonymous" if login.anonymous else f"user {login.username!r}"
        return RegistryAuthError(
            f"{host} refused to let {who} push {name}:{tag}: {message}",
            hint=f"check the credentials and that they may push to {name}; " + what_to_set(host),
        )
    if _TRANSIENT_FAILURE.search(message):
        return TransientRegistryError(
            f"pushing {name}:{tag} to {host} failed: {message}",
            hint=f"check that {host} is the right host and is up; retries are bounded by the "
            "retry policy",
        )
    return RegistryError(f"pushing {name}:{tag} to {host} failed: {message}")


def _digest_of(event: dict[str, Any]) -> str | None:
    """The pushed digest from the engine's push stream.

    The classic image store reports it in an `aux` record; the containerd image store
    (Docker 26+, the store BuildKit users run) only in the closing status line,
    `TAG: digest: sha256:... size: N`, as `docker push` prints it.
    """
    aux = event.get("aux")
    if isinstance(aux, dict) and isinstance(aux.get("Digest"), str):
        return str(aux["Digest"])
    match = _STATUS_DIGEST.search(str(event.get("status") or ""))
    return match.group(1) if match else None


def _one_digest(name: str, pushed: dict[str, str]) -> str:
    digests = set(pushed.values())
    if len(digests) != 1:
        raise RegistryError(
            f"the tags of {name} were pushed with different digests: "
            + ", ".join(f"{tag}={digest}" for tag, digest in pushed.items())
        )
    return digests.pop()


def familiar_name(name: str) -> str:
    """How Docker writes a name in RepoDigests: Docker Hub hosts and `library/` dropped."""
    host, _, path = name.partition("/")
    if registry_kind(host) != "docker-hub":
        return name
    return path.removeprefix("library/")


def _check_repo_digest(engine: DockerEngine, local_image: str, name: str, digest: str) -> None:
    info = engine.require_image(local_image)
    names = {name, familiar_name(name)}
    recorded = [
        entry.partition("@")[2]
        for entry in info.get("RepoDigests") or []
        if entry.partition("@")[0] in names
    ]
    if digest not in recorded:
        raise RegistryError(
            f"the engine reported digest {digest} for {name}, but the image records "
            f"{', '.join(recorded) or 'no digest'} for that name"
        )
