"""Credentials left by an earlier step in a Docker config: `auths` and credential helpers."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path

import pytest

from hubimage.errors import RegistryCredentialsError
from hubimage.reference import ImageReference
from hubimage.registry.credentials import DockerConfigAuth, UsernamePassword
from hubimage.registry.dockerconfig import docker_config_login
from hubimage.registry.login import resolve_login
from hubimage.secrets import SECRETS


def write_config(directory: Path, config: dict[str, object]) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text(json.dumps(config))
    return str(directory)


def auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_auths_entry_with_base64_auth(tmp_path: Path) -> None:
    config = write_config(
        tmp_path, {"auths": {"registry.example.org": {"auth": auth("ci", "s3cret:with:colons")}}}
    )
    found = docker_config_login("registry.example.org", config)
    assert found == UsernamePassword("ci", "s3cret:with:colons")


def test_auths_key_may_be_a_url(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"auths": {"https://quay.io": {"auth": auth("o+r", "tok")}}})
    assert docker_config_login("quay.io", config) == UsernamePassword("o+r", "tok")
    assert docker_config_login("ghcr.io", config) is None


def test_docker_hub_entry_is_found_by_its_v1_url(tmp_path: Path) -> None:
    hub = {"https://index.docker.io/v1/": {"auth": auth("hubuser", "pat")}}
    config = write_config(tmp_path, {"auths": hub})
    assert docker_config_login("docker.io", config) == UsernamePassword("hubuser", "pat")


def test_missing_config_file_means_no_credentials(tmp_path: Path) -> None:
    assert docker_config_login("quay.io", str(tmp_path / "nowhere")) is None


def test_malformed_auth_is_bad_input_naming_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"auths": {"quay.io": {"auth": "%%%"}}})
    with pytest.raises(RegistryCredentialsError, match=r"config\.json"):
        docker_config_login("quay.io", config)


def test_invalid_json_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{not json")
    with pytest.raises(RegistryCredentialsError, match="not valid JSON"):
        docker_config_login("quay.io", str(tmp_path))


def install_helper(bin_dir: Path, name: str, answers: dict[str, dict[str, str]]) -> Path:
    """A real `docker-credential-<name>` program: reads the server URL on stdin."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    log = bin_dir / f"{name}.log"
    script = bin_dir / f"docker-credential-{name}"
    cases = "".join(f"  {host}) echo '{json.dumps(reply)}' ;;\n" for host, reply in answers.items())
    script.write_text(
        f"""#!/bin/sh
[ "$1" = get ] || exit 3
read -r server
echo "$server" >> {log}
case "$server" in
{cases}  *) echo 'credentials not found in native keychain'; exit 1 ;;
esac
"""
    )
    script.chmod(0o755)
    return log


@pytest.fixture
def helper_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return bin_dir


def test_creds_store_helper_is_asked_on_stdin(tmp_path: Path, helper_path: Path) -> None:
    answer = {"ServerURL": "ghcr.io", "Username": "octocat", "Secret": "ghp_from_helper"}
    log = install_helper(helper_path, "hicstore", {"ghcr.io": answer})
    config = write_config(tmp_path / "cfg", {"credsStore": "hicstore", "auths": {"ghcr.io": {}}})
    target = ImageReference.parse("ghcr.io/org/image")
    login = resolve_login(target, DockerConfigAuth(config))
    assert (login.username, login.password) == ("octocat", "ghp_from_helper")
    assert log.read_text() == "ghcr.io\n"


def test_cred_helpers_entry_beats_creds_store(tmp_path: Path, helper_path: Path) -> None:
    install_helper(helper_path, "hicquay", {"quay.io": {"Username": "o+r", "Secret": "q"}})
    store_log = install_helper(helper_path, "hicstore", {})
    config = write_config(
        tmp_path / "cfg", {"credsStore": "hicstore", "credHelpers": {"quay.io": "hicquay"}}
    )
    assert docker_config_login("quay.io", config) == UsernamePassword("o+r", "q")
    assert not store_log.exists()


def test_helper_without_an_entry_means_no_credentials(tmp_path: Path, helper_path: Path) -> None:
    install_helper(helper_path, "hicstore", {})
    config = write_config(tmp_path / "cfg", {"credsStore": "hicstore"})
    assert docker_config_login("registry.example.org", config) is None


def test_helper_not_on_path_is_bad_input(tmp_path: Path, helper_path: Path) -> None:
    config = write_config(tmp_path / "cfg", {"credsStore": "hic-absent"})
    with pytest.raises(RegistryCredentialsError, match="docker-credential-hic-absent"):
        docker_config_login("quay.io", config)


def test_failing_helper_output_is_not_quoted(tmp_path: Path, helper_path: Path) -> None:
    helper_path.mkdir()
    script = helper_path / "docker-credential-hicbroken"
    script.write_text("#!/bin/sh\necho 'leaked-secret-value'; exit 7\n")
    script.chmod(0o755)
    config = write_config(tmp_path / "cfg", {"credsStore": "hicbroken"})
    with pytest.raises(RegistryCredentialsError, match="exit 7") as raised:
        docker_config_login("quay.io", config)
    assert "leaked-secret-value" not in str(raised.value)


def test_secrets_found_in_a_helper_are_registered_for_masking(
    tmp_path: Path, helper_path: Path
) -> None:
    answer = {"Username": "ci", "Secret": "helper-secret-4f9a"}
    install_helper(helper_path, "hicmask", {"registry.example.org": answer})
    config = write_config(tmp_path / "cfg", {"credsStore": "hicmask"})
    resolve_login(ImageReference.parse("registry.example.org/x"), DockerConfigAuth(config))
    masked = SECRETS.values()
    assert "helper-secret-4f9a" in masked
    assert base64.b64encode(b"ci:helper-secret-4f9a").decode() in masked
