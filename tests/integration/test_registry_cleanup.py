"""Deleting a pull request's `pr-N` tag: against the real distribution registry (with deletes
allowed and not; Basic and bearer-token auth), GHCR's packages API on the GitHub stand-in,
and quay.io without an OAuth token. Images are pushed over the Registry HTTP API itself (a
config blob, a layer, a manifest), so no engine is needed."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from hubimage.reference import ImageReference
from hubimage.registry.cleanup import QUAY_TOKEN_VARIABLE, delete_tag
from hubimage.registry.client import RegistryClient
from hubimage.registry.credentials import Login
from support.github_fixtures import STANDIN_TOKEN
from support.github_standin import GitHubStandIn
from support.registry_fixtures import RunningRegistry, running_registry, served_digest

pytestmark = pytest.mark.no_engine

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


@dataclass
class Pusher:
    """Pushes tiny OCI images over the Registry API, as a client with push rights does."""

    registry: RunningRegistry
    repository: str

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.base = f"http://{self.registry.host}/v2/{self.repository}"
        auth = (self.registry.username, self.registry.password)
        if self.registry.issuer is None:
            self.session.auth = auth
        else:
            token = self.session.get(
                self.registry.issuer.url,
                params={
                    "service": "hubimage-test-registry",
                    "scope": f"repository:{self.repository}:pull,push",
                },
                auth=auth,
                timeout=10,
            ).json()["token"]
            self.session.headers["Authorization"] = f"Bearer {token}"

    def blob(self, data: bytes) -> dict[str, object]:
        digest = f"sha256:{hashlib.sha256(data).hexdigest()}"
        started = self.session.post(f"{self.base}/blobs/uploads/", timeout=10)
        assert started.status_code == 202, started.text
        location = started.headers["Location"]
        if location.startswith("/"):
            location = f"http://{self.registry.host}{location}"
        joiner = "&" if "?" in location else "?"
        done = self.session.put(f"{location}{joiner}digest={digest}", data=data, timeout=10)
        assert done.status_code == 201, done.text
        return {"digest": digest, "size": len(data)}

    def push(self, content: str, *tags: str) -> str:
        """An image holding `content`, under each of `tags`; its manifest digest."""
        config = self.blob(json.dumps({"architecture": "amd64", "os": "linux"}).encode())
        layer = self.blob(content.encode())
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": OCI_MANIFEST,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", **config},
                "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", **layer}],
            }
        ).encode()
        for tag in tags:
            put = self.session.put(
                f"{self.base}/manifests/{tag}",
                data=manifest,
                headers={"Content-Type": OCI_MANIFEST},
                timeout=10,
            )
            assert put.status_code == 201, put.text
        return f"sha256:{hashlib.sha256(manifest).hexdigest()}"

    def tags(self) -> list[str]:
        return list(self.session.get(f"{self.base}/tags/list", timeout=10).json()["tags"] or [])

    def manifest_status(self, digest: str) -> int:
        headers = {"Accept": OCI_MANIFEST}
        return self.session.get(
            f"{self.base}/manifests/{digest}", headers=headers, timeout=10
        ).status_code


@pytest.fixture(scope="module")
def registry_without_deletes() -> Iterator[RunningRegistry]:
    with running_registry("htpasswd", deletes=False) as registry:
        yield registry


def _cleanup(registry: RunningRegistry, repository: str, tag: str):  # type: ignore[no-untyped-def]
    name = ImageReference.parse(f"{registry.host}/{repository}")
    login = Login(registry.host, registry.username, registry.password)
    with RegistryClient(registry.host, login) as client:
        return delete_tag(name, tag, login, client)


def test_a_pr_tag_alone_on_its_digest_is_deleted(
    registry_htpasswd: RunningRegistry, unique_repository: str
) -> None:
    pusher = Pusher(registry_htpasswd, unique_repository)
    pusher.push("release", "2026.01.01")
    digest = pusher.push(f"pull request {secrets.token_hex(4)}", "pr-7")
    result = _cleanup(registry_htpasswd, unique_repository, "pr-7")
    assert (result.status, result.digest, result.shared_with) == ("deleted", digest, ())
    assert pusher.tags() == ["2026.01.01"]
    assert pusher.manifest_status(digest) == 404
    assert served_digest(registry_htpasswd, unique_repository, "pr-7") is None


def test_a_pr_tag_sharing_its_digest_with_another_tag_is_kept(
    registry_htpasswd: RunningRegistry, unique_repository: str
) -> None:
    """Unchanged content: `pr-7` has the release's digest; deleting the manifest would
    delete the release tag too."""
    pusher = Pusher(registry_htpasswd, unique_repository)
    digest = pusher.push("same bytes", "2026.01.01", "pr-7")
    pusher.push("other", "2025.12.01")
    result = _cleanup(registry_htpasswd, unique_repository, "pr-7")
    assert result.status == "kept"
    assert result.shared_with == ("2026.01.01",)
    assert f"its digest {digest} is also tagged 2026.01.01" in result.why
    assert "would delete those tags too" in result.why
    assert sorted(pusher.tags()) == ["2025.12.01", "2026.01.01", "pr-7"]
    assert pusher.manifest_status(digest) == 200


def test_a_registry_without_deletes_says_so(registry_without_deletes: RunningRegistry) -> None:
    repository = f"hic/no-deletes-{secrets.token_hex(3)}"
    pusher = Pusher(registry_without_deletes, repository)
    digest = pusher.push("pull request", "pr-7")
    result = _cleanup(registry_without_deletes, repository, "pr-7")
    assert (result.status, result.digest) == ("kept", digest)
    assert "does not allow deletes through the Registry API (405 UNSUPPORTED" in result.why
    assert result.by_hand is not None
    assert pusher.tags() == ["pr-7"]


def test_a_tag_that_is_not_there_is_absent(
    registry_htpasswd: RunningRegistry, unique_repository: str
) -> None:
    Pusher(registry_htpasswd, unique_repository).push("release", "2026.01.01")
    result = _cleanup(registry_htpasswd, unique_repository, "pr-9")
    assert (result.status, result.gone) == ("absent", True)


def test_bearer_tokens_carry_the_delete_scope(
    registry_token: RunningRegistry, unique_repository: str
) -> None:
    pusher = Pusher(registry_token, unique_repository)
    digest = pusher.push(f"pull request {secrets.token_hex(4)}", "pr-7")
    result = _cleanup(registry_token, unique_repository, "pr-7")
    assert result.status == "deleted", result.why
    assert served_digest(registry_token, unique_repository, "pr-7") is None
    assert registry_token.issuer is not None
    scopes = [scope for request in registry_token.issuer.requests for scope in request.scopes]
    assert f"repository:{unique_repository}:delete" in scopes
    assert digest == result.digest


# --- GHCR: GitHub's packages API ----------------------------------------------------------


def _ghcr(standin: GitHubStandIn, repository: str, tag: str, token: str = STANDIN_TOKEN):  # type: ignore[no-untyped-def]
    name = ImageReference.parse(f"ghcr.io/{repository}")
    login = Login("ghcr.io", "hubimage-bot", token)
    with RegistryClient("ghcr.io", login) as client:  # not called for ghcr.io
        return delete_tag(name, tag, login, client, github_api_url=standin.url)


def _digest() -> str:
    return f"sha256:{secrets.token_hex(32)}"


def test_ghcr_deletes_the_version_tagged_pr_n(github_standin: GitHubStandIn) -> None:
    github_standin.add_account("my-org", "Organization")
    release, pull = _digest(), _digest()
    github_standin.add_package_version("my-org", "hub-image", release, ["2026.01.01"])
    github_standin.add_package_version("my-org", "hub-image", pull, ["pr-7"])
    result = _ghcr(github_standin, "my-org/hub-image", "pr-7")
    assert (result.status, result.digest) == ("deleted", pull)
    assert github_standin.package_tags("my-org", "hub-image") == {release: ["2026.01.01"]}
    [deleted] = github_standin.calls("packages/delete-package-version-for-org")
    assert deleted.status == 204


def test_ghcr_keeps_a_version_with_another_tag(github_standin: GitHubStandIn) -> None:
    github_standin.add_account("my-org", "Organization")
    shared = _digest()
    github_standin.add_package_version("my-org", "hub-image", shared, ["pr-7", "2026.01.01"])
    result = _ghcr(github_standin, "my-org/hub-image", "pr-7")
    assert (result.status, result.shared_with) == ("kept", ("2026.01.01",))
    assert "also tagged 2026.01.01" in result.why
    assert github_standin.package_tags("my-org", "hub-image") == {shared: ["pr-7", "2026.01.01"]}
    assert github_standin.calls("packages/delete-package-version-for-org") == []


def test_ghcr_user_package_with_a_nested_name_and_many_versions(
    github_standin: GitHubStandIn,
) -> None:
    """A user's package `images/hub` (ghcr.io/alice/images/hub), the tag on the second
    page of versions."""
    github_standin.add_account("alice", "User")
    target = _digest()
    github_standin.add_package_version("alice", "images/hub", target, ["pr-3"])
    for index in range(120):
        github_standin.add_package_version("alice", "images/hub", _digest(), [f"v{index}"])
    result = _ghcr(github_standin, "alice/images/hub", "pr-3")
    assert (result.status, result.digest) == ("deleted", target)
    listed = github_standin.calls("packages/get-all-package-versions-for-package-owned-by-user")
    assert len(listed) == 2
    assert all("/images%2Fhub/" in call.path for call in listed)
    assert target not in github_standin.package_tags("alice", "images/hub")


def test_ghcr_without_the_right_to_delete_says_how(github_standin: GitHubStandIn) -> None:
    github_standin.add_account("my-org", "Organization")
    github_standin.add_package_version("my-org", "hub-image", _digest(), ["pr-7"], admins=False)
    result = _ghcr(github_standin, "my-org/hub-image", "pr-7")
    assert result.status == "kept"
    assert "GitHub answered 403 to the delete" in result.why
    assert "Manage Actions access" in result.why
    assert result.by_hand is not None and "Manage versions" in result.by_hand
    assert STANDIN_TOKEN not in result.why + result.by_hand


def test_ghcr_absent_tag(github_standin: GitHubStandIn) -> None:
    github_standin.add_account("my-org", "Organization")
    github_standin.add_package_version("my-org", "hub-image", _digest(), ["2026.01.01"])
    assert _ghcr(github_standin, "my-org/hub-image", "pr-7").status == "absent"


# --- quay.io ----------------------------------------------------------------------------


def test_quay_without_an_oauth_token_keeps_the_tag_and_says_how_to_delete_it() -> None:
    name = ImageReference.parse("quay.io/my-org/hub-image")
    login = Login("quay.io", "my-org+hubimage", "robot-token-value")
    with RegistryClient("quay.io", login) as client:  # nothing is sent
        result = delete_tag(name, "pr-7", login, client, environ={})
    assert result.status == "kept"
    assert "OAuth access token of an application" in result.why
    assert "robot account's token cannot call it" in result.why
    assert QUAY_TOKEN_VARIABLE in result.why
    assert result.by_hand is not None
    assert "/api/v1/repository/my-org/hub-image/tag/pr-7" in result.by_hand
