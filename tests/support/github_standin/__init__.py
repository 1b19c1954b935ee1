"""A local stand-in for GitHub's REST API over real bare git repositories (see server.py)."""

from .gitstore import CommitInfo, GitStore, Person
from .openapi_spec import GitHubOpenAPI, ensure_openapi_installed
from .server import GitHubStandIn, LoggedRequest

__all__ = [
    "CommitInfo",
    "GitHubOpenAPI",
    "GitHubStandIn",
    "GitStore",
    "LoggedRequest",
    "Person",
    "ensure_openapi_installed",
]
