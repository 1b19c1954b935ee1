"""No credential travels in clear text: not to a token realm a registry names, not to GitHub.

A real distribution registry (token mode) names a realm over plain http on this machine's
non-loopback address, where a recording server listens; a GitHub API URL over plain http
points at the same kind of recorder. Nothing may reach either. Plain http on loopback (the
local registries and the GitHub stand-in every other test uses) keeps working.
"""

from __future__ import annotations

import pytest

from hubimage.bump.github_repo import GitHubRepo
from hubimage.errors import RegistryAuthError, RegistryError, UsageError
from hubimage.registry import Login, RegistryClient
from hubimage.secrets import safe_for_credentials
from support.clear_text import recording_server
from support.github_fixtures import FAST_RETRY, STANDIN_TOKEN
from support.registry_fixtures import running_registry


def test_basic_credentials_never_go_to_an_http_realm_off_loopback() -> None:
    with (
        recording_server() as recorder,
        running_registry("token", realm=f"{recorder.url}/token") as registry,
    ):
        login = Login(registry.host, registry.username, registry.password)
        with (
            RegistryClient(registry.host, login) as client,
            pytest.raises(RegistryError, match="not https"),
        ):
            client.manifest_digest("hic/anything", "latest")
        assert recorder.paths == []
        assert recorder.authorizations == []

        # Without credentials there is nothing to leak: the anonymous token request is made.
        with RegistryClient(registry.host, None) as anonymous, pytest.raises(RegistryAuthError):
            anonymous.manifest_digest("hic/anything", "latest")
        assert len(recorder.paths) == 1
        assert recorder.authorizations == []


def test_github_token_never_goes_to_an_http_api_url_off_loopback() -> None:
    with recording_server() as recorder:
        with pytest.raises(UsageError, match="https://"):
            GitHubRepo.connect(
                "hub-org/hub-config",
                STANDIN_TOKEN,
                base_url=f"{recorder.url}/api/v3",
                policy=FAST_RETRY,
                throttle=False,
            )
        assert recorder.paths == []


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://auth.docker.io/token", True),
        ("https://quay.io/v2/auth", True),
        ("http://127.0.0.1:5000/token", True),
        ("http://localhost:8080/token", True),
        ("http://[::1]:8080/token", True),
        ("http://192.0.2.2/token", False),
        ("http://auth.example.org/token", False),
        ("ftp://auth.example.org/token", False),
        ("//auth.example.org/token", False),
    ],
)
def test_which_realms_may_receive_credentials(url: str, safe: bool) -> None:
    assert safe_for_credentials(url) is safe
