"""A small client of the Registry HTTP API v2: manifest digests, tags, anonymous pulls.

Authentication follows the registry's `WWW-Authenticate` challenge (auth.py). Registries on loopback
(127.0.0.0/8, localhost) are spoken to over plain HTTP, as Docker does; others over HTTPS.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol
from urllib.parse import urlencode, urljoin

import requests

from hubimage import __version__
from hubimage.errors import (
    PrivateRepositoryError,
    RegistryAuthError,
    RegistryError,
    TransientRegistryError,
)
from hubimage.reference import ImageReference
from hubimage.registry.auth import RegistryAuth
from hubimage.registry.credentials import Login, registry_kind
from hubimage.registry.retry import NO_RETRY, RetryPolicy, with_retries

MANIFEST_MEDIA_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
DOCKER_HUB_API_HOST = "registry-1.docker.io"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')

USER_AGENT = f"hubimage/{__version__} python-requests/{requests.__version__}"


def uses_plain_http(host: str) -> bool:
    """Docker's default: loopback registries are insecure (plain HTTP), all others HTTPS."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    if name.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def api_repository(host: str, repository: str) -> str:
    """Docker Hub keeps official images under `library/`."""
    if registry_kind(host) == "docker-hub" and "/" not in repository:
        return f"library/{repository}"
    return repository


class SizedReader(Protocol):
    """A request body read once, in pieces, whose length is known (Content-Length)."""

    def read(self, size: int = -1) -> bytes: ...

    def __len__(self) -> int: ...


class RegistryClient:
    """Reads from one registry. `login` None (or anonymous) means no credentials at all."""

    def __init__(
        self,
        host: str,
        login: Login | None = None,
        insecure: bool | None = None,
        *,
        timeout: float = 30,
        retry: RetryPolicy = NO_RETRY,
    ) -> None:
        self.host = host
        self.login = login if login is not None and not login.anonymous else None
        plain = uses_plain_http(host) if insecure is None else insecure
        api_host = DOCKER_HUB_API_HOST if registry_kind(host) == "docker-hub" else host
        self.base_url = f"{'http' if plain else 'https'}://{api_host}"
        self.timeout = timeout
        self.retry = retry
        self._session = requests.Session()
        # named in registries' logs (and in tests, told apart from the engine's push)
        self._session.headers["User-Agent"] = USER_AGENT
        self._auth = RegistryAuth(host, self.login, self._session, timeout)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- public operations ----------------------------------------------------------------

    def manifest_digest(self, repository: str, reference: str) -> str | None:
        """The digest the registry serves for `reference` (tag or digest); None if absent."""
        repo = api_repository(self.host, repository)
        path = f"/v2/{repo}/manifests/{reference}"
        headers = {"Accept": ", ".join(MANIFEST_MEDIA_TYPES)}
        response = self._call("HEAD", path, repo, headers=headers)
        if response.status_code == 404:
            return None
        self._raise_for_status(response, f"{repo}:{reference}")
        digest = response.headers.get("Docker-Content-Digest")
        if digest:
            return digest
        # Some registries omit the header on HEAD; the digest of the body is the same thing.
        response = self._call("GET", path, repo, headers=headers)
        self._raise_for_status(response, f"{repo}:{reference}")
        return f"sha256:{hashlib.sha256(response.content).hexdigest()}"

    def tag_exists(self, repository: str, tag: str) -> bool:
        return self.manifest_digest(repository, tag) is not None

    def list_tags(self, repository: str, page_size: int | None = None) -> list[str]:
        """All tags, following `Link: <...>; rel="next"` pages; [] for an unknown repository."""
        repo = api_repository(self.host, repository)
        url: str | None = f"/v2/{repo}/tags/list" + (f"?n={page_size}" if page_size else "")
        tags: list[str] = []
        while url:
            response = self._call("GET", url, repo)
            if response.status_code == 404:
                return tags
            self._raise_for_status(response, repo)
            try:
                tags.extend(str(tag) for tag in (response.json().get("tags") or []))
            except (ValueError, AttributeError) as error:
                raise RegistryError(f"{self.host} sent a tag list that is not JSON") from error
            match = _LINK_NEXT.search(response.headers.get("Link", ""))
            url = match.group(1) if match else None
        return tags

    def image_config(self, repository: str, reference: str) -> dict[str, Any] | None:
        """The image's config (its `config.Labels` among it), read without pulling layers.

        Follows an index or manifest list to its linux/amd64 manifest (else the first), then
        reads the config blob and checks it against its digest. None when absent (404).
        """
        repo = api_repository(self.host, repository)
        manifest = self._json(f"/v2/{repo}/manifests/{reference}", repo, MANIFEST_MEDIA_TYPES)
        if manifest is None:
            return None
        if "manifests" in manifest:  # an index: pick the platform hubs run on
            entry = _platform_entry(manifest["manifests"])
            manifest = self._json(f"/v2/{repo}/manifests/{entry}", repo, MANIFEST_MEDIA_TYPES)
            if manifest is None:
                return None
        digest = str((manifest.get("config") or {}).get("digest", ""))
        if not digest.startswith("sha256:"):
            raise RegistryError(f"{self.host}/{repo}:{reference} has a manifest without a config")
        response = self._call("GET", f"/v2/{repo}/blobs/{digest}", repo)
        self._raise_for_status(response, f"{repo}@{digest}")
        verify_digest(response.content, digest, f"{self.host}/{repo}@{digest}")
        config = response.json()
        return config if isinstance(config, dict) else None

    def compressed_size(self, repository: str, reference: str) -> int | None:
        """What a pull downloads: the sizes of the config and layers in the image's manifest
        (linux/amd64 of an index, else its first). None when the image does not exist."""
        repo = api_repository(self.host, repository)
        manifest = self._json(f"/v2/{repo}/manifests/{reference}", repo, MANIFEST_MEDIA_TYPES)
        if manifest is not None and "manifests" in manifest:
            entry = _platform_entry(manifest["manifests"])
            manifest = self._json(f"/v2/{repo}/manifests/{entry}", repo, MANIFEST_MEDIA_TYPES)
        if manifest is None:
            return None
        parts = [manifest.get("config") or {}, *(manifest.get("layers") or [])]
        return sum(int(part.get("size") or 0) for part in parts if isinstance(part, dict))

    def image_labels(self, repository: str, reference: str) -> dict[str, str] | None:
        """The image's labels; None when the image does not exist."""
        config = self.image_config(repository, reference)
        if config is None:
            return None
        return dict((config.get("config") or {}).get("Labels") or {})

    def delete_manifest(self, repository: str, digest: str) -> tuple[int, list[str]]:
        """DELETE the manifest `digest` (every tag on it goes with it): the registry's status
        and the error codes of its answer. 202 deleted; 404 not there; 405 or `UNSUPPORTED`
        the registry does not allow deletes (distribution's `storage.delete.enabled`); 401
        or 403 the credentials may not delete (no exception: the caller words it)."""
        repo = api_repository(self.host, repository)
        response = self._call("DELETE", f"/v2/{repo}/manifests/{digest}", repo, actions="delete")
        try:
            errors = response.json().get("errors") or []
            codes = [str(e.get("code")) for e in errors if isinstance(e, dict)]
        except (ValueError, AttributeError):
            codes = []
        return response.status_code, codes

    def blob_exists(self, repository: str, digest: str) -> bool:
        repo = api_repository(self.host, repository)
        response = self._call("HEAD", f"/v2/{repo}/blobs/{digest}", repo, actions="pull,push")
        return response.status_code == 200

    def upload_blob(self, repository: str, digest: str, body: SizedReader) -> None:
        """A monolithic upload (POST, then one PUT streaming `body`); no manifest names it.

        Not retried here: `body` is read once; the caller starts the upload again."""
        repo = api_repository(self.host, repository)
        started = self._call("POST", f"/v2/{repo}/blobs/uploads/", repo, actions="pull,push")
        self._raise_for_status(started, "a blob upload")
        location = started.headers.get("Location", "")
        joiner = "&" if "?" in location else "?"
        url = f"{location}{joiner}{urlencode({'digest': digest})}"
        headers = {"Content-Type": "application/octet-stream"}
        done = self._authorized("PUT", url, f"repository:{repo}:pull,push", headers, body)
        self._raise_for_status(done, f"the upload of {digest}")

    def _json(self, path: str, repo: str, accept: Sequence[str]) -> dict[str, Any] | None:
        response = self._call("GET", path, repo, headers={"Accept": ", ".join(accept)})
        if response.status_code == 404:
            return None
        self._raise_for_status(response, path)
        try:
            body = response.json()
        except ValueError as error:
            raise RegistryError(f"{self.host} sent a manifest that is not JSON") from error
        return body if isinstance(body, dict) else None

    def check_anonymous_pull(self, repository: str, reference: str) -> str:
        """Fetch the manifest without credentials; raise PrivateRepositoryError if refused."""
        anonymous = RegistryClient(
            self.host,
            None,
            insecure=self.base_url.startswith("http:"),
            timeout=self.timeout,
            retry=self.retry,
        )
        with anonymous:
            try:
                digest = anonymous.manifest_digest(repository, reference)
            except RegistryAuthError as error:
                raise PrivateRepositoryError(
                    f"{self.host}/{repository} cannot be pulled anonymously: it is private, "
                    "so hubs will fail to spawn servers from it",
                    hint=_MAKE_PUBLIC.get(registry_kind(self.host), _MAKE_PUBLIC["generic"]),
                ) from error
        if digest is None:
            raise RegistryError(f"{self.host}/{repository}:{reference} does not exist")
        return digest

    def check_push_login(self, repository: str) -> None:
        """Log in for pushing to `repository`; RegistryAuthError if the credentials are refused."""
        repo = api_repository(self.host, repository)
        response = self._call("GET", "/v2/", repo, actions="pull,push")
        self._raise_for_status(response, "/v2/")

    # --- HTTP and authentication ----------------------------------------------------------

    def _call(
        self,
        method: str,
        url: str,
        repository: str,
        headers: dict[str, str] | None = None,
        actions: str = "pull",
    ) -> requests.Response:
        what = f"{method} {self.host}/v2/{repository}"
        return with_retries(
            lambda: self._authorized(method, url, f"repository:{repository}:{actions}", headers),
            self.retry,
            what,
        )

    def _authorized(
        self,
        method: str,
        url: str,
        scope: str,
        headers: dict[str, str] | None,
        body: SizedReader | None = None,
    ) -> requests.Response:
        headers = headers or {}
        auth = self._auth.header(scope)
        response = self._send(
            method, url, {**headers, **({"Authorization": auth} if auth else {})}, body
        )
        if response.status_code != 401 or body is not None:  # a body is read only once
            return response
        auth = self._auth.answer(response, scope)
        if auth is None:
            return response
        return self._send(method, url, {**headers, "Authorization": auth})

    def _send(
        self, method: str, url: str, headers: dict[str, str], body: SizedReader | None = None
    ) -> requests.Response:
        try:
            response = self._session.request(
                method,
                urljoin(self.base_url, url),
                headers=headers,
                data=body,
                timeout=self.timeout,
                allow_redirects=True,
            )
        except (requests.ConnectionError, requests.Timeout) as error:
            raise TransientRegistryError(
                f"cannot reach registry {self.host}: {type(error).__name__}",
                hint="check the registry host name and that it is up",
            ) from error
        if response.status_code >= 500:
            raise TransientRegistryError(f"registry {self.host} answered {response.status_code}")
        return response

    def _raise_for_status(self, response: requests.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise self._auth.refused(response.status_code, "the registry")
        if not 200 <= response.status_code < 300:
            raise RegistryError(f"{self.host} answered {response.status_code} for {what}")


def verify_digest(content: bytes, digest: str, what: str) -> None:
    """Content-addressed data must hash to its name: anything else is corrupt or tampered."""
    actual = f"sha256:{hashlib.sha256(content).hexdigest()}"
    if actual != digest:
        raise RegistryError(f"{what}: the registry sent data whose digest is {actual}")


def _platform_entry(entries: Sequence[dict[str, Any]]) -> str:
    for entry in entries:
        platform = entry.get("platform") or {}
        if platform.get("os") == "linux" and platform.get("architecture") == "amd64":
            return str(entry["digest"])
    if not entries:
        raise RegistryError("the registry sent an image index with no manifests")
    return str(entries[0]["digest"])


@contextmanager
def client_for(
    host: str,
    login: Login | None,
    *,
    insecure: bool | None = None,
    retry: RetryPolicy = NO_RETRY,
    shared: RegistryClient | None = None,
) -> Iterator[RegistryClient]:
    """`shared` (a run's client, left open for its owner) when given, else a client of this
    block's own, closed after it."""
    if shared is not None:
        yield shared
        return
    with RegistryClient(host, login, insecure, retry=retry) as own:
        yield own


def manifest_digest(
    reference: ImageReference, login: Login | None = None, insecure: bool | None = None
) -> str | None:
    """The digest `reference` (by tag or digest) is served with; None when it does not exist."""
    with RegistryClient(reference.registry_host, login, insecure) as client:
        return client.manifest_digest(
            reference.repository, reference.digest or reference.tag or "latest"
        )


def tag_exists(
    reference: ImageReference, login: Login | None = None, insecure: bool | None = None
) -> bool:
    return manifest_digest(reference, login, insecure) is not None


_MAKE_PUBLIC = {
    "quay": "on quay.io open the repository's Settings and set Repository Visibility to public",
    "ghcr": "on GitHub open the package's settings (Package settings > Danger Zone) and "
    "change its visibility to public",
    "gar": "grant allUsers the role roles/artifactregistry.reader on the repository "
    "(gcloud artifacts repositories add-iam-policy-binding ... --member=allUsers)",
    "ecr-public": "ECR Public repositories are public; check the repository name and region",
    "docker-hub": "on Docker Hub open the repository's Settings and make it public",
    "generic": "make the repository public in the registry, or configure the hubs with "
    "image pull secrets",
}
