"""Real CNCF distribution registries on loopback, as pytest fixtures.

`docker-registry serve` (distribution 2.8) runs with filesystem storage in a temporary
folder, in one of two auth modes: htpasswd Basic auth (bcrypt entries), or bearer tokens from
`support.token_issuer` (the scheme quay.io, GHCR and Docker Hub use). The Docker engine treats
127.0.0.0/8 registries as insecure, so it pushes to them over plain HTTP.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import bcrypt
import pytest
import requests

from hubimage.engine import BuildSpec, DockerEngine
from hubimage.registry.credentials import UsernamePassword
from support import token_issuer
from support.fault_proxy import FaultProxy
from support.fixture_images import context_tar

AuthMode = Literal["htpasswd", "token", "none"]
REGISTRY_BINARY = "docker-registry"
TEST_IMAGE_PREFIX = "hic-registry-test"


@dataclass(frozen=True)
class RunningRegistry:
    host: str  # "127.0.0.1:PORT"
    username: str
    password: str
    auth: AuthMode
    log_path: Path
    issuer: token_issuer.TokenIssuer | None = None

    @property
    def credentials(self) -> UsernamePassword:
        return UsernamePassword(self.username, self.password)

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# Every manifest type a registry may serve for a tag: the classic image store pushes Docker v2
# manifests, the containerd image store and BuildKit push OCI manifests and indexes.
MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)


def served_digest(registry: RunningRegistry, repository: str, tag: str) -> str | None:
    """The digest the registry serves for repository:tag, asked directly over its HTTP API
    (basic auth, or the bearer-token flow of token registries), independently of hubimage's
    own client. None when the registry has no such tag."""
    session = requests.Session()
    url = f"http://{registry.host}/v2/{repository}/manifests/{tag}"
    auth = (registry.username, registry.password)
    response = session.head(url, headers={"Accept": MANIFEST_ACCEPT}, auth=auth, timeout=10)
    if response.status_code == 401 and registry.issuer is not None:
        token = session.get(
            registry.issuer.url,
            params={"service": "hubimage-test-registry", "scope": f"repository:{repository}:pull"},
            auth=auth,
            timeout=10,
        ).json()["token"]
        bearer = {"Accept": MANIFEST_ACCEPT, "Authorization": f"Bearer {token}"}
        response = session.head(url, headers=bearer, timeout=10)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return str(response.headers["Docker-Content-Digest"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _config(
    root: Path, port: int, auth_yaml: str, log_requests: bool = False, deletes: bool = True
) -> str:
    level, disabled = ("info", "false") if log_requests else ("warn", "true")
    return f"""\
version: 0.1
log:
  level: {level}
  accesslog:
    disabled: {disabled}
storage:
  filesystem:
    rootdirectory: {root / "data"}
  delete:
    enabled: {"true" if deletes else "false"}
http:
  addr: 127.0.0.1:{port}
  secret: {secrets.token_hex(16)}
{auth_yaml}"""


def _auth_yaml(
    mode: AuthMode, root: Path, user: str, password: str, realm: str | None = None
) -> tuple[str, object]:
    if mode == "htpasswd":
        entry = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=5)).decode()
        (root / "htpasswd").write_text(f"{user}:{entry}\n")
        htpasswd = f"auth:\n  htpasswd:\n    realm: hubimage-test\n    path: {root / 'htpasswd'}\n"
        return htpasswd, None
    if mode == "token":
        issuer = token_issuer.TokenIssuer(user, password, root / "token-cert.pem")
        issuer.start()
        return (
            "auth:\n  token:\n"
            f"    realm: {realm or issuer.url}\n"
            f"    service: {token_issuer.SERVICE}\n"
            f"    issuer: {token_issuer.ISSUER}\n"
            f"    rootcertbundle: {issuer.cert_path}\n",
            issuer,
        )
    return "", None


@contextmanager
def running_registry(
    mode: AuthMode, realm: str | None = None, *, log_requests: bool = False, deletes: bool = True
) -> Iterator[RunningRegistry]:
    """Start a registry in `mode`; stop it and delete its storage afterwards.

    `realm` (token mode) is the token service the registry names in its challenges, instead
    of the local issuer's (the registry itself only checks the tokens' signatures).
    `log_requests`: every request in its log (the bench counts the bytes it serves).
    `deletes`: whether it allows deleting manifests (`storage.delete.enabled`).
    """
    if shutil.which(REGISTRY_BINARY) is None:
        _unavailable(f"{REGISTRY_BINARY} is not installed (apt-get install -y docker-registry)")
    root = Path(tempfile.mkdtemp(prefix=f"hic-registry-{mode}-"))
    user, password = "hic-pusher", secrets.token_urlsafe(18)
    auth_yaml, issuer = _auth_yaml(mode, root, user, password, realm)
    port = free_port()
    (root / "config.yml").write_text(_config(root, port, auth_yaml, log_requests, deletes))
    log_path = root / "registry.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [REGISTRY_BINARY, "serve", str(root / "config.yml")], stdout=log, stderr=log
        )
    registry = RunningRegistry(
        f"127.0.0.1:{port}",
        user,
        password,
        mode,
        log_path,
        issuer if isinstance(issuer, token_issuer.TokenIssuer) else None,
    )
    try:
        _wait_until_up(registry, process)
        yield registry
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if registry.issuer is not None:
            registry.issuer.stop()
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_up(registry: RunningRegistry, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the registry exited at start:\n{registry.log_tail()}")
        try:
            requests.get(f"http://{registry.host}/v2/", timeout=1)
            return
        except requests.ConnectionError:
            time.sleep(0.05)
    raise RuntimeError(f"the registry did not start in 20 s:\n{registry.log_tail()}")


def _unavailable(reason: str) -> None:
    if os.environ.get("HUBIMAGE_REQUIRE_DOCKER") == "1":
        pytest.fail(f"{reason} (HUBIMAGE_REQUIRE_DOCKER=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def registry_htpasswd() -> Iterator[RunningRegistry]:
    """A distribution registry with htpasswd (Basic) auth, shared by the session."""
    with running_registry("htpasswd") as registry:
        yield registry


@pytest.fixture(scope="session")
def registry_token() -> Iterator[RunningRegistry]:
    """A distribution registry with bearer-token auth from a local token issuer."""
    with running_registry("token") as registry:
        yield registry


@pytest.fixture
def unique_repository(request: pytest.FixtureRequest) -> str:
    """A repository name no other test uses, so session registries can be shared."""
    words = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40].strip("-")
    return f"hic/{words}-{secrets.token_hex(3)}"


# --- tiny images to push ------------------------------------------------------------------


def build_scratch_image(engine: DockerEngine, content: str, name: str | None = None) -> str:
    """A FROM-scratch image holding one small file; returns its `name:tag` reference."""
    ref = name or f"{TEST_IMAGE_PREFIX}:{secrets.token_hex(6)}"
    files = {"Dockerfile": "FROM scratch\nCOPY hello /hello\n", "hello": content}
    engine.build(BuildSpec(tag=ref, context_tar=context_tar(files)), on_log=lambda _: None)
    return ref


@pytest.fixture
def scratch_image(docker_engine: DockerEngine) -> Iterator[str]:
    """A fresh tiny image (unique content, so a unique digest), removed after the test."""
    ref = build_scratch_image(docker_engine, f"hello {secrets.token_hex(8)}\n")
    yield ref
    _remove_image_and_tags(docker_engine, ref)


def _remove_image_and_tags(engine: DockerEngine, ref: str) -> None:
    info = engine.inspect_image(ref)
    if info is None:
        return
    for tagged in info.get("RepoTags") or []:
        engine.remove_image(tagged)
    engine.remove_image(str(info["Id"]))


@pytest.fixture
def fault_proxy(registry_htpasswd: RunningRegistry) -> Iterator[FaultProxy]:
    """A fault-injecting proxy in front of the htpasswd registry; no faults until injected."""
    proxy = FaultProxy(registry_htpasswd.host).start()
    yield proxy
    proxy.stop()
