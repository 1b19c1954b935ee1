"""The registry layer: who logs in how, pushing through the engine, and reading back.

- `credentials`: registry kinds, typed credentials records, `login_for` (pure rules) and
  `credentials_from_environment`.
- `login.resolve_login`: any record to a `Login` (ECR Public token exchange, Docker config).
- `push.push_image`: push tags with retries, verify the served digest, return `PushResult`.
- `client.RegistryClient`: manifest digests, tag lists, anonymous-pull checks over HTTP.
- `secrets.SECRETS`: every secret value seen, for `::add-mask::` and redaction.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Imported on first use: `hubimage bump` needs only `secrets`, and `client` pulls in requests.
if TYPE_CHECKING:
    from hubimage.registry.client import (
        RegistryClient,
        manifest_digest,
        tag_exists,
        uses_plain_http,
    )
    from hubimage.registry.credentials import (
        AwsCredentials,
        Credentials,
        DockerConfigAuth,
        EcrPublicAuthorizationToken,
        GcpAccessToken,
        GcpServiceAccountKey,
        GitHubToken,
        Login,
        RegistryKind,
        UsernamePassword,
        credentials_from_environment,
        login_for,
        registry_kind,
    )
    from hubimage.registry.login import resolve_login
    from hubimage.registry.push import DEFAULT_PUSH_RETRY, PushResult, push_image
    from hubimage.registry.retry import RetryPolicy
    from hubimage.registry.secrets import SECRETS, SecretRegistry

_MODULES = {
    "RegistryClient": "hubimage.registry.client",
    "manifest_digest": "hubimage.registry.client",
    "tag_exists": "hubimage.registry.client",
    "uses_plain_http": "hubimage.registry.client",
    "AwsCredentials": "hubimage.registry.credentials",
    "Credentials": "hubimage.registry.credentials",
    "DockerConfigAuth": "hubimage.registry.credentials",
    "EcrPublicAuthorizationToken": "hubimage.registry.credentials",
    "GcpAccessToken": "hubimage.registry.credentials",
    "GcpServiceAccountKey": "hubimage.registry.credentials",
    "GitHubToken": "hubimage.registry.credentials",
    "Login": "hubimage.registry.credentials",
    "RegistryKind": "hubimage.registry.credentials",
    "UsernamePassword": "hubimage.registry.credentials",
    "credentials_from_environment": "hubimage.registry.credentials",
    "login_for": "hubimage.registry.credentials",
    "registry_kind": "hubimage.registry.credentials",
    "resolve_login": "hubimage.registry.login",
    "DEFAULT_PUSH_RETRY": "hubimage.registry.push",
    "PushResult": "hubimage.registry.push",
    "push_image": "hubimage.registry.push",
    "RetryPolicy": "hubimage.registry.retry",
    "SECRETS": "hubimage.registry.secrets",
    "SecretRegistry": "hubimage.registry.secrets",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULES[name]), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_PUSH_RETRY",
    "SECRETS",
    "AwsCredentials",
    "Credentials",
    "DockerConfigAuth",
    "EcrPublicAuthorizationToken",
    "GcpAccessToken",
    "GcpServiceAccountKey",
    "GitHubToken",
    "Login",
    "PushResult",
    "RegistryClient",
    "RegistryKind",
    "RetryPolicy",
    "SecretRegistry",
    "UsernamePassword",
    "credentials_from_environment",
    "login_for",
    "manifest_digest",
    "push_image",
    "registry_kind",
    "resolve_login",
    "tag_exists",
    "uses_plain_http",
]
