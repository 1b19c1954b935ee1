"""Pushes and read-backs through a fault-injecting proxy in front of a real registry."""

from __future__ import annotations

import logging
import time

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import RegistryAuthError, RegistryError
from hubimage.reference import ImageReference
from hubimage.registry import Login, RegistryClient, RetryPolicy, push_image
from support.fault_proxy import Fault, FaultProxy
from support.registry_fixtures import RunningRegistry, free_port

pytestmark = pytest.mark.integration
FAST_RETRY = RetryPolicy(attempts=3, initial_delay=0.2, max_delay=1, total_seconds=30)


def proxied(proxy: FaultProxy, repository: str) -> ImageReference:
    return ImageReference.parse(f"{proxy.host}/{repository}")


def test_503_burst_then_success_is_pushed_with_retries(
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
    scratch_image: str,
    unique_repository: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    # One 503: the containerd store uploads blobs in parallel, so with more than one fault an
    # attempt may use up one or several; a single fault fails exactly one attempt.
    fault_proxy.inject(
        Fault("status", count=1, status=503, methods=("POST",), path_pattern="/blobs/uploads/")
    )
    target = proxied(fault_proxy, unique_repository)
    result = push_image(
        docker_engine, scratch_image, target, ["1"], registry_htpasswd.credentials, FAST_RETRY
    )
    assert fault_proxy.outcomes().count("status 503") == 1
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 1  # one 503 fails one attempt; the retry pushes
    login = Login(registry_htpasswd.host, registry_htpasswd.username, registry_htpasswd.password)
    with RegistryClient(registry_htpasswd.host, login) as client:
        assert client.manifest_digest(unique_repository, "1") == result.digest


def test_upload_cut_midway_is_recovered(
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
    scratch_image: str,
    unique_repository: str,
) -> None:
    fault_proxy.inject(Fault("cut", count=1, after_bytes=50, methods=("PATCH", "PUT")))
    target = proxied(fault_proxy, unique_repository)
    result = push_image(
        docker_engine, scratch_image, target, ["1"], registry_htpasswd.credentials, FAST_RETRY
    )
    assert "cut after 50 bytes" in fault_proxy.outcomes()
    assert result.image_ref in docker_engine.require_image(scratch_image)["RepoDigests"]


def test_read_back_retries_5xx_answers(
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
    scratch_image: str,
    unique_repository: str,
) -> None:
    fault_proxy.inject(
        Fault("status", count=2, status=502, methods=("HEAD",), path_pattern="/manifests/")
    )
    target = proxied(fault_proxy, unique_repository)
    result = push_image(
        docker_engine, scratch_image, target, ["1"], registry_htpasswd.credentials, FAST_RETRY
    )
    heads = [
        r.outcome for r in fault_proxy.requests if r.method == "HEAD" and "/manifests/" in r.path
    ]
    assert heads[:2] == ["status 502", "status 502"] and heads[-1] == "forwarded 200"
    assert result.digest.startswith("sha256:")


def test_read_back_gives_up_on_a_stall_and_retries(
    registry_htpasswd: RunningRegistry, fault_proxy: FaultProxy
) -> None:
    fault_proxy.inject(Fault("stall", count=1, seconds=3, methods=("GET",), path_pattern="/tags/"))
    login = Login(registry_htpasswd.host, registry_htpasswd.username, registry_htpasswd.password)
    started = time.monotonic()
    with RegistryClient(fault_proxy.host, login, timeout=1, retry=FAST_RETRY) as client:
        assert client.list_tags("hic/never-pushed") == []
    assert time.monotonic() - started < 3  # did not wait the stall out
    assert fault_proxy.outcomes()[0] == "stall 3s"


def test_permanent_500_fails_after_bounded_retries(
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
    scratch_image: str,
    unique_repository: str,
) -> None:
    # Every blob upload start fails. (The classic image store retried uploads itself for
    # ~50 s; the containerd store, BuildKit users' store, leaves retries to hubimage.)
    fault_proxy.inject(
        Fault("status", count=10**6, status=500, methods=("POST",), path_pattern="/blobs/uploads/")
    )
    target = proxied(fault_proxy, unique_repository)
    started = time.monotonic()
    with pytest.raises(RegistryError, match=r"after 3 attempt\(s\)") as raised:
        push_image(
            docker_engine, scratch_image, target, ["1"], registry_htpasswd.credentials, FAST_RETRY
        )
    assert not isinstance(raised.value, RegistryAuthError)
    assert "500" in raised.value.message and fault_proxy.host in raised.value.message
    assert time.monotonic() - started < 20
    assert fault_proxy.outcomes().count("status 500") <= 2 * FAST_RETRY.attempts


def test_unreachable_registry_fails_after_bounded_retries(
    docker_engine: DockerEngine, scratch_image: str, unique_repository: str
) -> None:
    host = f"127.0.0.1:{free_port()}"  # nothing listens there
    target = ImageReference.parse(f"{host}/{unique_repository}")
    started = time.monotonic()
    with pytest.raises(RegistryError, match=r"after 3 attempt\(s\)") as raised:
        push_image(docker_engine, scratch_image, target, ["1"], None, FAST_RETRY)
    assert host in raised.value.message and "connection refused" in raised.value.message
    assert time.monotonic() - started < 20
