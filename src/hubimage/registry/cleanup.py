"""Deleting a pull request's test tag (`pr-<N>`) when the pull request closes, where the
registry allows it, and saying where and why it does not.

A tag is deleted only when nothing else is lost with it:

- **Registry API v2** (distribution, Artifact Registry, most registries): there is no "delete
  a tag", only `DELETE /v2/<name>/manifests/<digest>`, which deletes every tag on that
  digest. A `pr-7` built from unchanged content has the digest of a release tag, so the
  manifest is deleted only when no other tag of the repository points at it. A 405 (code
  `UNSUPPORTED`) means the registry does not allow deletes.
- **quay.io** deletes one tag through its REST API (`DELETE /api/v1/repository/<namespace>/
  <repository>/tag/<tag>`; other tags on the same manifest stay), which takes an OAuth
  access token of an application of the organization, never a robot account's token. It is
  given as `quay_token` (the environment's `HUBIMAGE_QUAY_API_TOKEN` otherwise); without it
  the tag is kept and the result says how to delete it by hand.
- **ghcr.io**: GitHub's packages API, with the GitHub token: the package version tagged
  `pr-N` is deleted (`DELETE /orgs|users/{owner}/packages/container/{name}/versions/{id}`)
  only when it carries no other tag.

Nothing here raises for a tag it could not delete: the result says why (and the registry's
storage of the deleted layers is freed by its own garbage collection, not here).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import requests

from hubimage.errors import RegistryAuthError, RegistryError
from hubimage.reference import ImageReference
from hubimage.registry.client import RegistryClient
from hubimage.registry.credentials import Login, registry_kind
from hubimage.secrets import SECRETS, safe_for_credentials

QUAY_TOKEN_VARIABLE: Final = "HUBIMAGE_QUAY_API_TOKEN"  # noqa: S105 (its name, not a value)
QUAY_API: Final = "https://quay.io/api/v1"
GITHUB_API: Final = "https://api.github.com"
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_TIMEOUT = 30.0

CleanupStatus = Literal["deleted", "absent", "kept"]


@dataclass(frozen=True)
class CleanupResult:
    reference: str  # name:tag
    status: CleanupStatus  # absent: there was no such tag (nothing to do)
    why: str  # what happened, in one sentence
    digest: str | None = None
    shared_with: tuple[str, ...] = ()  # the other tags on the same digest, when kept for them
    by_hand: str | None = None  # how to delete it by hand, when kept

    @property
    def gone(self) -> bool:
        return self.status != "kept"


def delete_tag(
    name: ImageReference,
    tag: str,
    login: Login | None,
    client: RegistryClient,
    *,
    github_token: str | None = None,
    github_api_url: str | None = None,
    quay_token: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> CleanupResult:
    """Delete `name:tag` where the registry allows it without losing another tag.

    `client` is a RegistryClient of `name`'s registry (logged in with `login`). For ghcr.io,
    `github_token` (else `login`'s password) and `github_api_url` (else `GITHUB_API_URL`);
    for quay.io, `quay_token` (else `HUBIMAGE_QUAY_API_TOKEN`).
    """
    env = os.environ if environ is None else environ
    kind = registry_kind(name.registry_host)
    if kind == "quay":
        return _quay(name, tag, quay_token or env.get(QUAY_TOKEN_VARIABLE))
    if kind == "ghcr":
        token = github_token or (login.password if login is not None else None)
        api = github_api_url or env.get("GITHUB_API_URL") or GITHUB_API
        return _ghcr(name, tag, token, api)
    return _registry_api(name, tag, client)


def _reference(name: ImageReference, tag: str) -> str:
    return f"{name.name}:{tag}"


# --- Registry API v2 ------------------------------------------------------------------------


_BY_HAND = {
    "docker-hub": "on hub.docker.com open the repository's Tags, select {tag} and delete it",
    "ecr-public": (
        "aws ecr-public batch-delete-image --region us-east-1 --repository-name {repo} "
        "--image-ids imageTag={tag}"
    ),
    "gar": "gcloud artifacts docker tags delete {ref}",
    "generic": "delete {ref} with the registry's own tools",
}


def _registry_api(name: ImageReference, tag: str, client: RegistryClient) -> CleanupResult:
    ref = _reference(name, tag)
    by_hand = _BY_HAND.get(registry_kind(name.registry_host), _BY_HAND["generic"]).format(
        tag=tag, ref=ref, repo=name.repository
    )
    try:
        digest = client.manifest_digest(name.repository, tag)
        if digest is None:
            return CleanupResult(ref, "absent", f"{ref} is not in the registry: nothing to delete")
        shared = _shared(client, name.repository, tag, digest)
        if shared:
            return CleanupResult(
                ref, "kept", _shared_why(ref, digest, shared), digest, shared, _untag(by_hand)
            )
        status, codes = client.delete_manifest(name.repository, digest)
        return _deleted(client, name, tag, digest, status, codes, by_hand)
    except RegistryAuthError as error:
        why = f"{ref} was kept: the registry refused the credentials ({error.message})"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    except RegistryError as error:
        return CleanupResult(ref, "kept", f"{ref} was kept: {error.message}", by_hand=by_hand)


def _shared(client: RegistryClient, repository: str, tag: str, digest: str) -> tuple[str, ...]:
    others = [other for other in client.list_tags(repository) if other != tag]
    return tuple(o for o in sorted(others) if client.manifest_digest(repository, o) == digest)


def _shared_why(ref: str, digest: str, shared: tuple[str, ...]) -> str:
    shown = ", ".join(shared[:5]) + (f" and {len(shared) - 5} more" if len(shared) > 5 else "")
    return (
        f"{ref} was kept: its digest {digest} is also tagged {shown}, and deleting the "
        "manifest would delete those tags too"
    )


def _untag(by_hand: str) -> str:
    return f"{by_hand} (only where the registry deletes a tag without its manifest)"


def _deleted(
    client: RegistryClient,
    name: ImageReference,
    tag: str,
    digest: str,
    status: int,
    codes: list[str],
    by_hand: str,
) -> CleanupResult:
    ref = _reference(name, tag)
    if status in (200, 202):
        if client.manifest_digest(name.repository, tag) is None:
            return CleanupResult(ref, "deleted", f"{ref} deleted (manifest {digest})", digest)
        why = f"{ref} was kept: the registry accepted the delete of {digest} but still serves it"
        return CleanupResult(ref, "kept", why, digest, by_hand=by_hand)
    if status == 404:
        return CleanupResult(ref, "absent", f"{ref} was already gone", digest)
    if status == 405 or "UNSUPPORTED" in codes:
        why = (
            f"{ref} was kept: {name.registry_host} does not allow deletes through the Registry "
            "API (405 UNSUPPORTED; a distribution registry allows them with "
            "`storage: delete: enabled: true`)"
        )
        return CleanupResult(ref, "kept", why, digest, by_hand=by_hand)
    if status in (401, 403):
        why = (
            f"{ref} was kept: {name.registry_host} answered {status}: the credentials may "
            "push but not delete"
        )
        return CleanupResult(ref, "kept", why, digest, by_hand=by_hand)
    why = f"{ref} was kept: {name.registry_host} answered {status} to the delete"
    return CleanupResult(ref, "kept", why, digest, by_hand=by_hand)


# --- quay.io --------------------------------------------------------------------------------


def _quay(name: ImageReference, tag: str, token: str | None) -> CleanupResult:
    ref = _reference(name, tag)
    url = f"{QUAY_API}/repository/{name.repository}/tag/{urllib.parse.quote(tag, safe='')}"
    by_hand = (
        f"on quay.io open {name.repository}'s Tags, select {tag} and Delete Tags; or "
        f'curl -X DELETE -H "Authorization: Bearer $TOKEN" {url} with an OAuth token'
    )
    if not token:
        why = (
            f"{ref} was kept: quay.io deletes tags only through its REST API, which takes an "
            "OAuth access token of an application of the organization (Organization > "
            "Applications > Generate Token, with 'Read/Write to any accessible repositories'); "
            f"a robot account's token cannot call it. Give one as {QUAY_TOKEN_VARIABLE}"
        )
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    SECRETS.add(token)
    try:
        response = requests.delete(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=_TIMEOUT
        )
    except requests.RequestException as error:
        why = f"{ref} was kept: quay.io could not be reached ({type(error).__name__})"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    if response.status_code in (200, 204):
        return CleanupResult(ref, "deleted", f"{ref} deleted through quay.io's API")
    if response.status_code == 404:
        return CleanupResult(ref, "absent", f"{ref} is not on quay.io: nothing to delete")
    hint = (
        ": the token must be an application's OAuth token with write access to the repository"
        if response.status_code in (401, 403)
        else ""
    )
    why = f"{ref} was kept: quay.io answered {response.status_code}{hint}"
    return CleanupResult(ref, "kept", why, by_hand=by_hand)


# --- ghcr.io: GitHub's packages API ---------------------------------------------------------


class _GitHub:
    def __init__(self, api: str, token: str) -> None:
        self.api = api.rstrip("/")
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            }
        )

    def request(self, method: str, url: str) -> requests.Response:
        full = url if url.startswith(("http://", "https://")) else self.api + url
        return self.session.request(method, full, timeout=_TIMEOUT, allow_redirects=False)


def _ghcr(name: ImageReference, tag: str, token: str | None, api: str) -> CleanupResult:
    ref = _reference(name, tag)
    owner, _, package = name.repository.partition("/")
    by_hand = (
        f"on GitHub open the package {package} of {owner} (Packages > {package} > Package "
        f"settings > Manage versions), find the version tagged {tag} and delete it"
    )
    if not token:
        why = f"{ref} was kept: no GitHub token to call GitHub's packages API with"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    if not safe_for_credentials(api):
        why = f"{ref} was kept: the GitHub API URL {api} is not https (the token stays here)"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    SECRETS.add(token)
    github = _GitHub(api, token)
    try:
        return _ghcr_delete(github, ref, owner, package, tag, by_hand)
    except requests.RequestException as error:
        why = f"{ref} was kept: GitHub could not be reached at {api} ({type(error).__name__})"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    finally:
        github.session.close()


def _ghcr_delete(
    github: _GitHub, ref: str, owner: str, package: str, tag: str, by_hand: str
) -> CleanupResult:
    account = github.request("GET", f"/users/{urllib.parse.quote(owner)}")
    if account.status_code != 200:
        why = f"{ref} was kept: GitHub answered {account.status_code} for the account {owner}"
        return CleanupResult(ref, "kept", why, by_hand=by_hand)
    where = "orgs" if account.json().get("type") == "Organization" else "users"
    base = (
        f"/{where}/{urllib.parse.quote(owner)}/packages/container/"
        f"{urllib.parse.quote(package, safe='')}/versions"
    )
    versions, failure = _versions(github, base)
    if failure is not None:
        return CleanupResult(ref, "kept", f"{ref} was kept: {failure}", by_hand=by_hand)
    version = next((v for v in versions if tag in _tags(v)), None)
    if version is None:
        return CleanupResult(ref, "absent", f"{ref} is not in the package: nothing to delete")
    digest = str(version.get("name") or "") or None
    others = tuple(sorted(t for t in _tags(version) if t != tag))
    if others:
        why = _shared_why(ref, digest or "?", others).replace("the manifest", "the version")
        return CleanupResult(ref, "kept", why, digest, others, by_hand)
    deleted = github.request("DELETE", f"{base}/{version.get('id')}")
    if deleted.status_code == 204:
        return CleanupResult(ref, "deleted", f"{ref} deleted (package version {digest})", digest)
    why = f"{ref} was kept: GitHub answered {deleted.status_code} to the delete" + _ghcr_hint(
        deleted.status_code
    )
    return CleanupResult(ref, "kept", why, digest, by_hand=by_hand)


def _versions(github: _GitHub, base: str) -> tuple[list[dict[str, Any]], str | None]:
    found: list[dict[str, Any]] = []
    url: str | None = f"{base}?per_page=100"
    while url:
        response = github.request("GET", url)
        if response.status_code != 200:
            return [], f"GitHub answered {response.status_code} listing the package's versions" + (
                _ghcr_hint(response.status_code)
            )
        page = response.json()
        found += [v for v in page if isinstance(v, dict)] if isinstance(page, list) else []
        match = _LINK_NEXT.search(response.headers.get("Link", ""))
        url = match.group(1) if match else None
    return found, None


def _tags(version: Mapping[str, Any]) -> list[str]:
    container = (version.get("metadata") or {}).get("container") or {}
    return [str(t) for t in container.get("tags") or []]


def _ghcr_hint(status: int) -> str:
    if status not in (401, 403, 404):
        return ""
    return (
        " (the token needs to delete package versions: the workflow's GITHUB_TOKEN can when "
        "the package gives this repository the Admin role, under Package settings > Manage "
        "Actions access; a personal token needs delete:packages)"
    )
