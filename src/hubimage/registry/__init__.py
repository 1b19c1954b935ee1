"""The registry layer: who logs in how, pushing through the engine, and reading back.

- `credentials`: registry kinds, typed credentials records, `login_for` (pure rules) and
  `credentials_from_environment`.
- `login.resolve_login`: any record to a `Login` (ECR Public token exchange, Docker config).
- `push.push_image`: push tags with retries, verify the served digest, return `PushResult`
  (`push.verify_served` alone, after buildx pushed in the build).
- `client.RegistryClient`: manifest digests, tag lists, anonymous-pull checks over HTTP;
  `auth.RegistryAuth` answers the registry's challenges for it (Bearer tokens, Basic).
"""

from typing import TYPE_CHECKING, Any

from hubimage.registry.client import RegistryClient, manifest_digest, tag_exists, uses_plain_http
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
from hubimage.registry.retry import RetryPolicy

if TYPE_CHECKING:
    from hubimage.registry.push import DEFAULT_PUSH_RETRY, PushResult, push_image, verify_served

_PUSH_NAMES = ("DEFAULT_PUSH_RETRY", "PushResult", "push_image", "verify_served")


def __getattr__(name: str) -> Any:
    """The push's names on first use: push.py loads the engine's SDK (~30 ms), which a
    no-op run (only registry reads) does not need."""
    if name in _PUSH_NAMES:
        from hubimage.registry import push

        return getattr(push, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "DEFAULT_PUSH_RETRY",
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
    "UsernamePassword",
    "credentials_from_environment",
    "login_for",
    "manifest_digest",
    "push_image",
    "registry_kind",
    "resolve_login",
    "tag_exists",
    "uses_plain_http",
    "verify_served",
]
