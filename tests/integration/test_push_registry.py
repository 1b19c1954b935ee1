"""Pushing through the real Docker engine to real distribution registries, then reading back."""

from __future__ import annotations

import base64
import json
import logging
import os
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import PrivateRepositoryError, RegistryAuthError, UsageError
from hubimage.reference import ImageReference
from hubimage.registry import (
    DockerConfigAuth,
    Login,
    RetryPolicy,
    UsernamePassword,
    manifest_digest,
    push_image,
    tag_exists,
)
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration
FAST_RETRY = RetryPolicy(attempts=3, initial_delay=0.2, max_delay=1, total_seconds=20)


@pytest.mark.parametrize("mode", ["htpasswd", "token"])
def test_push_reads_back_the_pushed_digest(
    mode: str,
    request: pytest.FixtureRequest,
    docker_engine: DockerEngine,
    scratch_image: str,
    unique_repository: str,
) -> None:
    registry: RunningRegistry = request.getfixturevalue(f"registry_{mode}")
    target = ImageReference.parse(f"{registry.host}/{unique_repository}")
    result = push_image(
        docker_engine,
        scratch_image,
        target,
        ["2026.11.28", "latest"],
        registry.credentials,
        FAST_RETRY,
    )
    assert result.image == f"{registry.host}/{unique_repository}"
    assert result.tags == ("2026.11.28", "latest")
    assert result.digest.startswith("sha256:") and len(result.digest) == 71
    assert result.image_ref == f"{result.image}@{result.digest}"
    for tag in result.tags:
        assert served_digest(registry, unique_repository, tag) == result.digest
    repo_digests = docker_engine.require_image(scratch_image)["RepoDigests"]
    assert result.image_ref in repo_digests


@pytest.mark.parametrize("mode", ["htpasswd", "token"])
def test_wrong_password_is_an_auth_error_that_hides_the_password(
    mode: str,
    request: pytest.FixtureRequest,
    docker_engine: DockerEngine,
    scratch_image: str,
    unique_repository: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    registry: RunningRegistry = request.getfixturevalue(f"registry_{mode}")
    wrong = "Wr0ng-Passw0rd-" + mode
    target = ImageReference.parse(f"{registry.host}/{unique_repository}:1")
    with pytest.raises(RegistryAuthError) as raised:
        push_image(
            docker_engine,
            scratch_image,
            target,
            ["1"],
            UsernamePassword(registry.username, wrong),
            FAST_RETRY,
        )
    error = raised.value
    assert registry.host in error.message
    assert error.hint is not None and "credentials" in error.hint
    for text in (str(error), repr(error), error.hint, caplog.text):
        assert wrong not in text
    assert not any("retrying" in record.getMessage() for record in caplog.records)


def test_no_tags_is_usage_error(
    docker_engine: DockerEngine, registry_htpasswd: RunningRegistry
) -> None:
    target = ImageReference.parse(f"{registry_htpasswd.host}/hic/none")
    with pytest.raises(UsageError):
        push_image(docker_engine, "hic-absent:none", target, [], registry_htpasswd.credentials)


def test_public_check_fails_for_a_private_repository(
    docker_engine: DockerEngine,
    registry_token: RunningRegistry,
    scratch_image: str,
    unique_repository: str,
) -> None:
    target = ImageReference.parse(f"{registry_token.host}/{unique_repository}")
    with pytest.raises(PrivateRepositoryError, match="private") as raised:
        push_image(
            docker_engine,
            scratch_image,
            target,
            ["1"],
            registry_token.credentials,
            FAST_RETRY,
            check_public=True,
        )
    assert "hubs will fail to spawn" in raised.value.message
    assert registry_token.issuer is not None
    anonymous = [r for r in registry_token.issuer.requests if r.account is None]
    assert anonymous and anonymous[-1].granted == []


def test_public_check_passes_when_anonymous_pulls_are_allowed(
    docker_engine: DockerEngine,
    registry_token: RunningRegistry,
    scratch_image: str,
    unique_repository: str,
) -> None:
    assert registry_token.issuer is not None
    registry_token.issuer.public_repositories.add(unique_repository)
    target = ImageReference.parse(f"{registry_token.host}/{unique_repository}")
    result = push_image(
        docker_engine,
        scratch_image,
        target,
        ["1"],
        registry_token.credentials,
        FAST_RETRY,
        check_public=True,
    )
    anonymous = [r for r in registry_token.issuer.requests if r.account is None]
    assert anonymous[-1].granted == [
        {"type": "repository", "name": unique_repository, "actions": ["pull"]}
    ]
    assert result.digest == served_digest(registry_token, unique_repository, "1")


def docker_config_state() -> tuple[bool, float]:
    home_config = Path.home() / ".docker" / "config.json"
    return home_config.exists(), home_config.stat().st_mtime if home_config.exists() else 0.0


def test_push_with_login_from_a_docker_config_writes_nothing(
    tmp_path: Path,
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    scratch_image: str,
    unique_repository: str,
) -> None:
    pair = f"{registry_htpasswd.username}:{registry_htpasswd.password}".encode()
    config = {"auths": {registry_htpasswd.host: {"auth": base64.b64encode(pair).decode()}}}
    (tmp_path / "config.json").write_text(json.dumps(config))
    home_before = docker_config_state()
    target = ImageReference.parse(f"{registry_htpasswd.host}/{unique_repository}")
    result = push_image(
        docker_engine, scratch_image, target, ["1"], DockerConfigAuth(str(tmp_path)), FAST_RETRY
    )
    assert result.digest == served_digest(registry_htpasswd, unique_repository, "1")
    assert json.loads((tmp_path / "config.json").read_text()) == config
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json"]
    assert docker_config_state() == home_before


def test_push_with_login_from_a_credential_helper(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    docker_engine: DockerEngine,
    registry_token: RunningRegistry,
    scratch_image: str,
    unique_repository: str,
) -> None:
    answer = json.dumps({"Username": registry_token.username, "Secret": registry_token.password})
    helper = tmp_path / "bin" / "docker-credential-hicpush"
    helper.parent.mkdir()
    helper.write_text(
        f'#!/bin/sh\nread -r server\necho "$server" > {tmp_path}/asked\n'
        f"[ \"$server\" = {registry_token.host} ] && echo '{answer}' && exit 0\n"
        "echo 'credentials not found in native keychain'; exit 1\n"
    )
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{helper.parent}:{os.environ['PATH']}")
    (tmp_path / "config.json").write_text(json.dumps({"credsStore": "hicpush"}))
    target = ImageReference.parse(f"{registry_token.host}/{unique_repository}")
    result = push_image(
        docker_engine, scratch_image, target, ["1"], DockerConfigAuth(str(tmp_path)), FAST_RETRY
    )
    assert (tmp_path / "asked").read_text() == f"{registry_token.host}\n"
    assert result.digest == served_digest(registry_token, unique_repository, "1")
    login = Login(registry_token.host, registry_token.username, registry_token.password)
    tagged = ImageReference.parse(f"{registry_token.host}/{unique_repository}:1")
    assert tag_exists(tagged, login)
    assert manifest_digest(tagged, login) == result.digest
    assert not tag_exists(tagged.with_tag("2"), login)
