"""Credentials an earlier workflow step stored in a Docker config file.

`docker login` (or a login action) writes `$DOCKER_CONFIG/config.json`: either an `auths`
entry with base64 `user:password` in `auth`, or, with `credsStore`/`credHelpers`, a helper
program `docker-credential-<name>` that answers `get` with JSON on stdout for the server URL
given on stdin. We only read; nothing is written back.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hubimage.errors import RegistryCredentialsError
from hubimage.registry.credentials import (
    DOCKER_HUB_SERVER,
    UsernamePassword,
    registry_kind,
)
from hubimage.secrets import SECRETS, child_environment

_HELPER_TIMEOUT = 60
# What helpers read besides the basics: their keyrings and desktop sessions, and for the
# cloud helpers their own cloud's credentials. Never INPUT_*, HUBIMAGE_* or GitHub tokens.
_HELPER_KEEP = ("DOCKER_CONFIG", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "GNUPGHOME")
_HELPER_PREFIXES = ("XDG_", "GPG_", "PASSWORD_STORE_")
_CLOUD_PREFIXES = {
    "ecr-login": ("AWS_",),
    "gcloud": ("CLOUDSDK_", "GOOGLE_"),
    "gcr": ("CLOUDSDK_", "GOOGLE_"),
    "acr-env": ("AZURE_",),
}
_NOT_FOUND_MARKERS = ("credentials not found", "not found in native keychain")


def config_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    if os.environ.get("DOCKER_CONFIG"):
        return Path(os.environ["DOCKER_CONFIG"])
    return Path.home() / ".docker"


def _server_key(key: str) -> str:
    """`https://host/v1/` and `host` name the same registry in `auths`."""
    text = key.split("://", 1)[-1]
    return text.split("/", 1)[0].lower()


def _same_registry(key: str, host: str) -> bool:
    server = _server_key(key)
    if registry_kind(host) == "docker-hub":
        return registry_kind(server) == "docker-hub"
    return server == host.lower()


def docker_config_login(host: str, directory: str | None = None) -> UsernamePassword | None:
    """The username and password the Docker config holds for `host`, or None."""
    path = config_dir(directory) / "config.json"
    config = _load(path)
    if config is None:
        return None
    server = DOCKER_HUB_SERVER if registry_kind(host) == "docker-hub" else host
    helpers = config.get("credHelpers") or {}
    helper = next((name for key, name in helpers.items() if _same_registry(key, host)), None)
    helper = helper or config.get("credsStore")
    found = _from_helper(str(helper), server) if helper else None
    if found is None:
        found = _from_auths(config.get("auths") or {}, host, path)
    if found is not None:
        SECRETS.add_all(found.secrets())
    return found


def _load(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise RegistryCredentialsError(f"cannot read Docker config {path}: {error}") from error
    try:
        config = json.loads(text)
    except ValueError as error:
        raise RegistryCredentialsError(f"Docker config {path} is not valid JSON") from error
    if not isinstance(config, dict):
        raise RegistryCredentialsError(f"Docker config {path} is not a JSON object")
    return config


def _from_auths(auths: dict[str, Any], host: str, path: Path) -> UsernamePassword | None:
    for key, entry in auths.items():
        if not _same_registry(key, host) or not isinstance(entry, dict):
            continue
        if entry.get("username") and entry.get("password"):
            return UsernamePassword(str(entry["username"]), str(entry["password"]))
        if entry.get("auth"):
            return _decode_auth(str(entry["auth"]), key, path)
        if entry.get("identitytoken"):
            raise RegistryCredentialsError(
                f"the Docker config {path} holds an identity token for {key}, "
                "which hubimage cannot use",
                hint="log in with a username and password or access token instead",
            )
    return None


def _decode_auth(auth: str, key: str, path: Path) -> UsernamePassword:
    try:
        username, sep, password = base64.b64decode(auth, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise RegistryCredentialsError(
            f"the 'auth' entry for {key} in {path} is not base64 of user:password"
        ) from error
    if not sep or not username:
        raise RegistryCredentialsError(
            f"the 'auth' entry for {key} in {path} is not base64 of user:password"
        )
    return UsernamePassword(username, password)


def _from_helper(name: str, server: str) -> UsernamePassword | None:
    program = f"docker-credential-{name}"
    if shutil.which(program) is None:
        raise RegistryCredentialsError(
            f"the Docker config names the credential helper {name!r}, but {program} is not on PATH"
        )
    try:
        done = subprocess.run(
            [program, "get"],
            input=server,
            env=child_environment(_HELPER_KEEP, _HELPER_PREFIXES + _CLOUD_PREFIXES.get(name, ())),
            capture_output=True,
            text=True,
            timeout=_HELPER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise RegistryCredentialsError(f"{program} get did not answer in time") from error
    if done.returncode != 0:
        if any(marker in done.stdout + done.stderr for marker in _NOT_FOUND_MARKERS):
            return None
        # Helper output is never quoted: a confused helper could print a secret.
        raise RegistryCredentialsError(f"{program} get failed (exit {done.returncode})")
    try:
        answer = json.loads(done.stdout)
        username, secret = str(answer["Username"]), str(answer["Secret"])
    except (ValueError, KeyError, TypeError) as error:
        raise RegistryCredentialsError(f"{program} get did not answer with JSON") from error
    if username == "<token>":
        raise RegistryCredentialsError(
            f"{program} holds an identity token for {server}, which hubimage cannot use"
        )
    return UsernamePassword(username, secret)
