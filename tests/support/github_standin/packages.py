"""Accounts and container packages (ghcr.io's images as GitHub's packages API shows them).

A container package holds one version per manifest digest pushed, each with the tags that
point at it. Deleting a version deletes its manifest and so every tag on it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from . import payloads
from .operations import Reply, Request, page_of
from .payloads import PackageVersionState


@dataclass
class PackageState:
    owner: str
    name: str  # may hold `/` (ghcr.io/owner/a/b is package `a/b`)
    versions: list[PackageVersionState] = field(default_factory=list)
    admins: set[str] = field(default_factory=set)  # logins that may delete versions


@dataclass
class Accounts:
    kinds: dict[str, str] = field(default_factory=dict)  # login -> "User" or "Organization"
    packages: dict[tuple[str, str], PackageState] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_id: int = 5000

    def add_version(self, owner: str, package: str, digest: str, tags: list[str]) -> int:
        with self.lock:
            state = self.packages.get((owner, package))
            if state is None:
                state = self.packages[(owner, package)] = PackageState(owner, package)
            self.next_id += 1
            state.versions.insert(0, PackageVersionState(self.next_id, digest, list(tags)))
            return self.next_id


AccountImplementation = Callable[[Accounts, Request, dict[str, str], str], Reply]


def _not_found(message: str = "Not Found") -> Reply:
    return Reply(404, payloads.error(message, 404))


def get_user(accounts: Accounts, req: Request, params: dict[str, str], login: str) -> Reply:
    kind = accounts.kinds.get(params["username"])
    if kind is None:
        return _not_found()
    return Reply(200, payloads.account(req.site, params["username"], kind))


def _package(
    accounts: Accounts, params: dict[str, str], owner_key: str, kind: str
) -> PackageState | None:
    owner = params[owner_key]
    if accounts.kinds.get(owner) != kind or params["package_type"] != "container":
        return None
    return accounts.packages.get((owner, params["package_name"]))


def _lister(owner_key: str, kind: str) -> AccountImplementation:
    def list_versions(
        accounts: Accounts, req: Request, params: dict[str, str], login: str
    ) -> Reply:
        package = _package(accounts, params, owner_key, kind)
        if package is None:
            return _not_found("Package not found.")
        with accounts.lock:
            versions = list(package.versions)
        page, headers = page_of(versions, req)
        is_org = kind == "Organization"
        body = [
            payloads.package_version(req.site, package.owner, is_org, package.name, version)
            for version in page
        ]
        return Reply(200, body, headers)

    return list_versions


def _deleter(owner_key: str, kind: str) -> AccountImplementation:
    def delete_version(
        accounts: Accounts, req: Request, params: dict[str, str], login: str
    ) -> Reply:
        package = _package(accounts, params, owner_key, kind)
        if package is None:
            return _not_found("Package not found.")
        if login not in package.admins:
            message = "You must have admin permissions on the package to delete a version."
            return Reply(403, payloads.error(message, 403))
        with accounts.lock:
            version = next(
                (v for v in package.versions if str(v.id) == params["package_version_id"]), None
            )
            if version is None:
                return _not_found("Package version not found.")
            package.versions.remove(version)
        return Reply(204)

    return delete_version


ACCOUNT_OPERATIONS: dict[str, AccountImplementation] = {
    "users/get-by-username": get_user,
    "packages/get-all-package-versions-for-package-owned-by-org": _lister("org", "Organization"),
    "packages/get-all-package-versions-for-package-owned-by-user": _lister("username", "User"),
    "packages/delete-package-version-for-org": _deleter("org", "Organization"),
    "packages/delete-package-version-for-user": _deleter("username", "User"),
}
