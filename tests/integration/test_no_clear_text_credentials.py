"""No credential travels in clear text: not to a token realm a registry names, not to GitHub.

A real distribution registry (token mode) names a realm over plain http off loopback; a GitHub
API URL over plain http points off loopback too. Both must be refused before any connection
is tried, so the hosts are under `.invalid` (RFC 6761: never resolves), and this test sends
nothing beyond loopback even where the product regressed. Plain http on loopback (the local
registries and the GitHub stand-in every other test uses) keeps working.
"""

from __future__ import annotations

import pytest

from hubimage.errors import RegistryError, UsageError
from hubimage.registry import Login, RegistryClient
from hubimage.rollout.github import GitHubRepo
from hubimage.secrets import safe_for_credentials
from support.github_fixtures import FAST_RETRY, STANDIN_TOKEN
from support.registry_fixtures import running_registry

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

OFF_LOOPBACK = "http://auth.hubimage.invalid"


def test_basic_credentials_never_go_to_an_http_realm_off_loopback() -> None:
    with running_registry("token", realm=f"{OFF_LOOPBACK}/token") as registry:
        login = Login(registry.host, registry.username, registry.password)
        with (
            RegistryClient(registry.host, login) as client,
            pytest.raises(RegistryError, match="not https"),
        ):
            client.manifest_digest("hic/anything", "latest")


def test_github_token_never_goes_to_an_http_api_url_off_loopback() -> None:
    with pytest.raises(UsageError, match="https://"):
        GitHubRepo.connect(
            "hub-org/hub-config",
            STANDIN_TOKEN,
            base_url=f"{OFF_LOOPBACK}/api/v3",
            policy=FAST_RETRY,
            throttle=False,
        )


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
