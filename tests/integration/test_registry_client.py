"""RegistryClient against real distribution registries: digests, tags, pagination, auth."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import PrivateRepositoryError, RegistryAuthError
from hubimage.reference import ImageReference
from hubimage.registry import Login, RegistryClient, RetryPolicy, push_image
from support.fault_proxy import FaultProxy
from support.registry_fixtures import RunningRegistry, build_scratch_image

pytestmark = pytest.mark.integration
TAGS = ("2026.01.02", "2026.03.04", "2026.11.28", "a1", "b2", "c3", "latest")
FAST_RETRY = RetryPolicy(attempts=3, initial_delay=0.2, max_delay=1, total_seconds=20)


@dataclass(frozen=True)
class Pushed:
    repository: str
    digest: str


def login(registry: RunningRegistry) -> Login:
    return Login(registry.host, registry.username, registry.password)


def push_all_tags(engine: DockerEngine, registry: RunningRegistry) -> Iterator[Pushed]:
    image = build_scratch_image(engine, f"tags {secrets.token_hex(8)}\n")
    repository = f"hic/tags-{secrets.token_hex(4)}"
    target = ImageReference.parse(f"{registry.host}/{repository}")
    try:
        result = push_image(engine, image, target, TAGS, registry.credentials, FAST_RETRY)
        yield Pushed(repository, result.digest)
    finally:
        for tag in TAGS:
            engine.remove_image(f"{target.name}:{tag}")
        engine.remove_image(image)


@pytest.fixture(scope="module")
def pushed_htpasswd(
    docker_engine: DockerEngine, registry_htpasswd: RunningRegistry
) -> Iterator[Pushed]:
    yield from push_all_tags(docker_engine, registry_htpasswd)


@pytest.fixture(scope="module")
def pushed_token(docker_engine: DockerEngine, registry_token: RunningRegistry) -> Iterator[Pushed]:
    yield from push_all_tags(docker_engine, registry_token)


def test_tags_are_listed_across_pages(
    registry_htpasswd: RunningRegistry, pushed_htpasswd: Pushed, fault_proxy: FaultProxy
) -> None:
    fault_proxy.paginate_tags = True
    with RegistryClient(fault_proxy.host, login(registry_htpasswd)) as client:
        tags = client.list_tags(pushed_htpasswd.repository, page_size=2)
    assert sorted(tags) == sorted(TAGS)
    pages = [r.path for r in fault_proxy.requests if r.outcome == "forwarded 200"]
    # 7 tags, 2 a page: 4 pages, each fetched once (the first after the 401 challenge).
    assert len(pages) == 4 and len(set(pages)) == 4
    assert pages[0].endswith("/tags/list?n=2") and "last=" in pages[-1]


def test_tags_are_listed_across_pages_with_bearer_tokens(
    registry_token: RunningRegistry, pushed_token: Pushed
) -> None:
    assert registry_token.issuer is not None
    issued_before = len(registry_token.issuer.requests)
    proxy = FaultProxy(registry_token.host, paginate_tags=True).start()
    try:
        with RegistryClient(proxy.host, login(registry_token)) as client:
            assert sorted(client.list_tags(pushed_token.repository, page_size=3)) == sorted(TAGS)
            assert client.list_tags("hic/never-pushed") == []
    finally:
        proxy.stop()
    pages = [r.path for r in proxy.requests if r.outcome == "forwarded 200"]
    assert len(pages) == 3  # 3 + 3 + 1 tags, one bearer token reused for all pages
    scopes = [r.scopes for r in registry_token.issuer.requests[issued_before:]]
    assert scopes.count([f"repository:{pushed_token.repository}:pull"]) == 1


@pytest.mark.parametrize("mode", ["htpasswd", "token"])
def test_tag_exists_and_manifest_digest(mode: str, request: pytest.FixtureRequest) -> None:
    registry: RunningRegistry = request.getfixturevalue(f"registry_{mode}")
    pushed: Pushed = request.getfixturevalue(f"pushed_{mode}")
    with RegistryClient(registry.host, login(registry)) as client:
        assert client.tag_exists(pushed.repository, "2026.11.28")
        assert not client.tag_exists(pushed.repository, "2099.01.01")
        assert not client.tag_exists("hic/never-pushed", "latest")
        assert client.manifest_digest(pushed.repository, "latest") == pushed.digest
        assert client.manifest_digest(pushed.repository, pushed.digest) == pushed.digest


@pytest.mark.parametrize("mode", ["htpasswd", "token"])
def test_wrong_credentials_name_the_registry(mode: str, request: pytest.FixtureRequest) -> None:
    registry: RunningRegistry = request.getfixturevalue(f"registry_{mode}")
    pushed: Pushed = request.getfixturevalue(f"pushed_{mode}")
    bad = Login(registry.host, registry.username, "not-the-password-123")
    with RegistryClient(registry.host, bad) as client, pytest.raises(RegistryAuthError) as raised:
        client.manifest_digest(pushed.repository, "latest")
    assert registry.host in raised.value.message and registry.username in raised.value.message
    assert "not-the-password-123" not in str(raised.value)


def test_anonymous_pull_of_a_private_repository_fails_clearly(
    registry_token: RunningRegistry, pushed_token: Pushed
) -> None:
    client = RegistryClient(registry_token.host, login(registry_token))
    with client, pytest.raises(PrivateRepositoryError) as raised:
        client.check_anonymous_pull(pushed_token.repository, "latest")
    assert "private" in raised.value.message and raised.value.hint


def test_anonymous_pull_of_a_public_repository_passes(
    registry_token: RunningRegistry, pushed_token: Pushed
) -> None:
    assert registry_token.issuer is not None
    registry_token.issuer.public_repositories.add(pushed_token.repository)
    try:
        with RegistryClient(registry_token.host, None) as client:
            assert client.check_anonymous_pull(pushed_token.repository, "latest") == (
                pushed_token.digest
            )
    finally:
        registry_token.issuer.public_repositories.discard(pushed_token.repository)


def test_htpasswd_registry_refuses_anonymous_reads(
    registry_htpasswd: RunningRegistry, pushed_htpasswd: Pushed
) -> None:
    client = RegistryClient(registry_htpasswd.host, None)
    with client, pytest.raises(PrivateRepositoryError):
        client.check_anonymous_pull(pushed_htpasswd.repository, "latest")
