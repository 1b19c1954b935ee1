"""Retry bounds, secret registration and redaction, and the client's pure helpers."""

from __future__ import annotations

import base64
from collections.abc import Callable

import pytest

from hubimage.errors import RegistryAuthError, RegistryError, TransientRegistryError
from hubimage.registry.auth import parse_challenge
from hubimage.registry.client import RegistryClient, api_repository, uses_plain_http
from hubimage.registry.credentials import Login
from hubimage.registry.push import classify_push_error, familiar_name
from hubimage.registry.retry import RetryPolicy, with_retries
from hubimage.secrets import SECRETS, SecretRegistry


class FakeClock:
    """Time that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


def failing(times: int, error: Exception) -> tuple[list[int], Callable[[], str]]:
    calls: list[int] = []

    def operation() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "done"

    return calls, operation


def test_transient_failures_are_retried_with_exponential_backoff() -> None:
    clock = FakeClock()
    calls, operation = failing(3, TransientRegistryError("503"))
    policy = RetryPolicy(attempts=5, initial_delay=1, multiplier=2, max_delay=3)
    result = with_retries(operation, policy, "x", sleep=clock.sleep, clock=clock)
    assert result == "done" and len(calls) == 4
    assert clock.sleeps == [1, 2, 3]  # doubled, capped at max_delay


def test_attempts_are_bounded() -> None:
    clock = FakeClock()
    calls, operation = failing(99, TransientRegistryError("registry answered 500"))
    with pytest.raises(TransientRegistryError, match=r"pushing x failed after 3 attempt\(s\)"):
        with_retries(
            operation,
            RetryPolicy(attempts=3, initial_delay=1),
            "pushing x",
            sleep=clock.sleep,
            clock=clock,
        )
    assert len(calls) == 3


def test_total_time_is_bounded() -> None:
    clock = FakeClock()
    calls, operation = failing(99, TransientRegistryError("timeout"))
    policy = RetryPolicy(attempts=100, initial_delay=10, multiplier=1, total_seconds=35)
    with pytest.raises(TransientRegistryError):
        with_retries(operation, policy, "x", sleep=clock.sleep, clock=clock)
    assert clock.now <= 35 and len(calls) == 4


def test_auth_errors_are_not_retried() -> None:
    clock = FakeClock()
    calls, operation = failing(1, RegistryAuthError("denied"))
    with pytest.raises(RegistryAuthError):
        with_retries(operation, RetryPolicy(), "x", sleep=clock.sleep, clock=clock)
    assert len(calls) == 1 and clock.sleeps == []


def test_secrets_reach_listeners_once_whenever_they_subscribe() -> None:
    registry = SecretRegistry()
    early: list[str] = []
    registry.subscribe(early.append)
    registry.add("first-secret", "first-secret", None, "ab")  # duplicates and short values dropped
    late: list[str] = []
    registry.subscribe(late.append)
    registry.add("second-secret")
    assert early == ["first-secret", "second-secret"]
    assert late == ["first-secret", "second-secret"]


def test_redact_replaces_every_known_form() -> None:
    registry = SecretRegistry()
    encoded = base64.b64encode(b"user:pa55word").decode()
    registry.add("pa55word", encoded)
    text = registry.redact(f"login pa55word failed; header Basic {encoded}")
    assert "pa55word" not in text and encoded not in text and text.count("***") == 2


@pytest.mark.parametrize(
    ("host", "plain"),
    [
        ("127.0.0.1:5000", True),
        ("127.8.9.10:443", True),
        ("localhost:5000", True),
        ("localhost", True),
        ("[::1]:5000", True),
        ("quay.io", False),
        ("10.0.0.1:5000", False),
        ("localhost.example.org", False),
    ],
)
def test_plain_http_only_on_loopback(host: str, plain: bool) -> None:
    assert uses_plain_http(host) is plain


def test_parse_bearer_challenge() -> None:
    challenge = parse_challenge(
        'Bearer realm="https://auth.example/token",service="reg",'
        'scope="repository:org/img:pull,push"'
    )
    assert challenge is not None and challenge.scheme == "bearer"
    assert challenge.params == {
        "realm": "https://auth.example/token",
        "service": "reg",
        "scope": "repository:org/img:pull,push",
    }


def test_parse_basic_challenge() -> None:
    challenge = parse_challenge('Basic realm="hub"')
    assert challenge is not None and (challenge.scheme, challenge.params) == (
        "basic",
        {"realm": "hub"},
    )


def test_docker_hub_official_images_live_under_library() -> None:
    assert api_repository("docker.io", "python") == "library/python"
    assert api_repository("docker.io", "org/image") == "org/image"
    assert api_repository("quay.io", "python") == "python"


def test_insecure_overrides_the_loopback_default() -> None:
    assert RegistryClient("127.0.0.1:5000").base_url == "http://127.0.0.1:5000"
    assert RegistryClient("127.0.0.1:5000", insecure=False).base_url == "https://127.0.0.1:5000"
    assert RegistryClient("registry.internal:5000", insecure=True).base_url == (
        "http://registry.internal:5000"
    )
    assert RegistryClient("docker.io").base_url == "https://registry-1.docker.io"


# Messages as the Docker engine (20.10) reports them in the push stream.
@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("unauthorized: authentication required", RegistryAuthError),
        ("denied: requested access to the resource is denied", RegistryAuthError),
        ("no basic auth credentials", RegistryAuthError),
        ("received unexpected HTTP status: 500 Internal Server Error", TransientRegistryError),
        ("received unexpected HTTP status: 503 Service Unavailable", TransientRegistryError),
        (
            'Get "http://127.0.0.1:6/v2/": dial tcp 127.0.0.1:6: connect: connection refused',
            TransientRegistryError,
        ),
        ("Patch http://r/v2/x/blobs/uploads/1: EOF", TransientRegistryError),
        ("net/http: TLS handshake timeout", TransientRegistryError),
        ("manifest invalid: manifest invalid", RegistryError),
    ],
)
def test_push_errors_are_classified(message: str, kind: type[RegistryError]) -> None:
    login = Login("registry.example.org", "ci", "pw-value")
    error = classify_push_error(message, "registry.example.org/x", "1", login)
    assert type(error) is kind
    assert "registry.example.org" in error.message


def test_push_error_messages_are_redacted() -> None:
    SECRETS.add("leaky-secret-value")
    login = Login("registry.example.org", "ci", "pw-value")
    error = classify_push_error("denied: leaky-secret-value", "registry.example.org/x", "1", login)
    assert "leaky-secret-value" not in str(error)


@pytest.mark.parametrize(
    ("name", "familiar"),
    [
        ("docker.io/library/python", "python"),
        ("docker.io/org/image", "org/image"),
        ("index.docker.io/org/image", "org/image"),
        ("quay.io/org/image", "quay.io/org/image"),
        ("127.0.0.1:5000/org/image", "127.0.0.1:5000/org/image"),
    ],
)
def test_familiar_names_match_how_docker_records_repo_digests(name: str, familiar: str) -> None:
    assert familiar_name(name) == familiar
