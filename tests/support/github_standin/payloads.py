"""JSON bodies shaped like api.github.com's (every field GitHub's description marks required)."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from .gitstore import CommitInfo

_EPOCH = "2026-01-01T00:00:00Z"


@dataclass(frozen=True)
class Site:
    """Where the client reached us; body URLs must use its prefix (PyGithub follows them)."""

    root: str  # http://127.0.0.1:PORT  (stands in for https://github.com)
    api: str  # root, or root + "/api/v3" for GitHub Enterprise Server

    def repo_api(self, full_name: str) -> str:
        return f"{self.api}/repos/{full_name}"


GITHUB_COM = Site("https://github.com", "https://api.github.com")  # where events point


def node_id(kind: str, key: object) -> str:
    return base64.b64encode(f"{kind}:{key}".encode()).decode()


def numeric_id(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)


def error(message: str, status: int, **extra: Any) -> dict[str, Any]:
    return {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
        "status": str(status),
        **extra,
    }


def user(site: Site, login: str) -> dict[str, Any]:
    api = f"{site.api}/users/{login}"
    return {
        "login": login,
        "id": numeric_id(login),
        "node_id": node_id("User", login),
        "avatar_url": f"{site.root}/avatars/{login}",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{site.root}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": "Bot" if login.endswith("[bot]") else "User",
        "site_admin": False,
    }


_TEMPLATED = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "statuses_url": "/statuses/{sha}",
    "trees_url": "/git/trees{/sha}",
}
_PLAIN = [
    "contributors", "deployments", "downloads", "events", "forks", "hooks", "languages",
    "merges", "stargazers", "subscribers", "subscription", "tags", "teams",
]  # fmt: skip


def repository(site: Site, full_name: str, default_branch: str) -> dict[str, Any]:
    """Valid as both `repository` and `full-repository`."""
    owner, name = full_name.split("/")
    api = site.repo_api(full_name)
    html = f"{site.root}/{full_name}"
    body: dict[str, Any] = {
        "id": numeric_id(full_name),
        "node_id": node_id("Repository", full_name),
        "name": name,
        "full_name": full_name,
        "owner": user(site, owner),
        "private": True,
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        "git_url": f"git://{site.root.split('://', 1)[1]}/{full_name}.git",
        "ssh_url": f"git@127.0.0.1:{full_name}.git",
        "clone_url": f"{html}.git",
        "svn_url": html,
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "license": None,
        "default_branch": default_branch,
        "visibility": "private",
        "created_at": _EPOCH,
        "updated_at": _EPOCH,
        "pushed_at": _EPOCH,
        "permissions": {
            "admin": False,
            "maintain": False,
            "push": True,
            "triage": True,
            "pull": True,
        },
    }
    body.update({key: api + suffix for key, suffix in _TEMPLATED.items()})
    body.update({f"{key}_url": f"{api}/{key}" for key in _PLAIN})
    body.update(dict.fromkeys(["forks", "forks_count", "stargazers_count", "watchers"], 0))
    body.update(dict.fromkeys(["watchers_count", "size", "open_issues", "open_issues_count"], 0))
    body.update(dict.fromkeys(["network_count", "subscribers_count"], 0))
    body.update(dict.fromkeys(["has_issues", "has_projects", "has_wiki", "has_downloads"], True))
    body.update(dict.fromkeys(["has_pages", "has_discussions", "archived", "disabled"], False))
    return body


def git_ref(site: Site, full_name: str, branch: str, sha: str) -> dict[str, Any]:
    api = site.repo_api(full_name)
    return {
        "ref": f"refs/heads/{branch}",
        "node_id": node_id("Ref", f"{full_name}:{branch}"),
        "url": f"{api}/git/refs/heads/{branch}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
    }


def _unsigned() -> dict[str, Any]:
    # A bare git repository cannot produce GitHub's web-flow signature; say so honestly.
    return {
        "verified": False,
        "reason": "unsigned",
        "signature": None,
        "payload": None,
        "verified_at": None,
    }


def git_commit(site: Site, full_name: str, info: CommitInfo) -> dict[str, Any]:
    api = site.repo_api(full_name)
    return {
        "sha": info.sha,
        "node_id": node_id("Commit", info.sha),
        "url": f"{api}/git/commits/{info.sha}",
        "html_url": f"{site.root}/{full_name}/commit/{info.sha}",
        "author": {"name": info.author.name, "email": info.author.email, "date": info.author_date},
        "committer": {
            "name": info.committer.name,
            "email": info.committer.email,
            "date": info.committer_date,
        },
        "message": info.message,
        "tree": {"sha": info.tree, "url": f"{api}/git/trees/{info.tree}"},
        "parents": [
            {
                "sha": parent,
                "url": f"{api}/git/commits/{parent}",
                "html_url": f"{site.root}/{full_name}/commit/{parent}",
            }
            for parent in info.parents
        ],
        "verification": _unsigned(),
    }


def content_file(
    site: Site, full_name: str, path: str, ref: str, blob: str, data: bytes
) -> dict[str, Any]:
    api = site.repo_api(full_name)
    links = {
        "self": f"{api}/contents/{path}?ref={ref}",
        "git": f"{api}/git/blobs/{blob}",
        "html": f"{site.root}/{full_name}/blob/{ref}/{path}",
    }
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": base64.encodebytes(data).decode(),
        "sha": blob,
        "url": links["self"],
        "git_url": links["git"],
        "html_url": links["html"],
        "download_url": f"{site.root}/raw/{full_name}/{ref}/{path}",
        "_links": links,
    }


@dataclass
class PullState:
    number: int
    title: str
    body: str | None
    head: str
    base: str
    draft: bool
    author: str
    state: str = "open"
    labels: list[str] = field(default_factory=list)
    reviewers: list[str] = field(default_factory=list)
    team_reviewers: list[str] = field(default_factory=list)


def label(site: Site, full_name: str, name: str) -> dict[str, Any]:
    return {
        "id": numeric_id(f"{full_name}:label:{name}"),
        "node_id": node_id("Label", f"{full_name}:{name}"),
        "url": f"{site.repo_api(full_name)}/labels/{name}",
        "name": name,
        "description": "",  # pull-request-simple's embedded labels do not allow null
        "color": "ededed",
        "default": False,
    }


def team(site: Site, org: str, slug: str) -> dict[str, Any]:
    api = f"{site.api}/orgs/{org}/teams/{slug}"
    return {
        "id": numeric_id(f"team:{org}/{slug}"),
        "node_id": node_id("Team", f"{org}/{slug}"),
        "url": api,
        "members_url": f"{api}/members{{/member}}",
        "name": slug,
        "description": None,
        "permission": "pull",
        "html_url": f"{site.root}/orgs/{org}/teams/{slug}",
        "repositories_url": f"{api}/repos",
        "slug": slug,
        "parent": None,
        "type": "organization",
    }


def pull(
    site: Site, full_name: str, default_branch: str, pr: PullState, shas: dict[str, str]
) -> dict[str, Any]:
    """A `pull-request` body (a superset of `pull-request-simple`); shas: branch -> head sha."""
    api = site.repo_api(full_name)
    owner = full_name.split("/")[0]
    url = f"{api}/pulls/{pr.number}"
    html = f"{site.root}/{full_name}/pull/{pr.number}"
    repo = repository(site, full_name, default_branch)

    def side(branch: str) -> dict[str, Any]:
        return {
            "label": f"{owner}:{branch}",
            "ref": branch,
            "sha": shas.get(branch, "0" * 40),
            "repo": repo,
            "user": user(site, owner),
        }

    links = {
        "self": url,
        "html": html,
        "issue": f"{api}/issues/{pr.number}",
        "comments": f"{api}/issues/{pr.number}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{api}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{api}/statuses/{shas.get(pr.head, '')}",
    }
    return {
        "url": url,
        "id": numeric_id(f"{full_name}#{pr.number}"),
        "node_id": node_id("PullRequest", f"{full_name}#{pr.number}"),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": links["issue"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "user": user(site, pr.author),
        "body": pr.body,
        "labels": [label(site, full_name, name) for name in pr.labels],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": _EPOCH,
        "updated_at": _EPOCH,
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [user(site, login) for login in pr.reviewers],
        "requested_teams": [team(site, owner, slug) for slug in pr.team_reviewers],
        "head": side(pr.head),
        "base": side(pr.base),
        "_links": {key: {"href": href} for key, href in links.items()},
        "author_association": "NONE",
        "auto_merge": None,
        "draft": pr.draft,
        "merged": False,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": 1,
        "additions": 1,
        "deletions": 1,
        "changed_files": 1,
    }


# --- issue comments ---------------------------------------------------------------------


def issue(site: Site, full_name: str, pr: PullState, comments: int) -> dict[str, Any]:
    """An `issue` body of a pull request (GitHub's issues API lists pull requests too)."""
    api = site.repo_api(full_name)
    url = f"{api}/issues/{pr.number}"
    html = f"{site.root}/{full_name}/pull/{pr.number}"
    return {
        "id": numeric_id(f"{full_name}#{pr.number}"),
        "node_id": node_id("PullRequest", f"{full_name}#{pr.number}"),
        "url": url,
        "repository_url": api,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": html,
        "number": pr.number,
        "state": pr.state,
        "locked": False,
        "title": pr.title,
        "body": pr.body,
        "user": user(site, pr.author),
        "labels": [label(site, full_name, name) for name in pr.labels],
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": comments,
        "created_at": _EPOCH,
        "updated_at": _EPOCH,
        "closed_at": None,
        "author_association": "CONTRIBUTOR",
        "pull_request": {
            "url": f"{api}/pulls/{pr.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": None,
        },
    }


@dataclass
class CommentState:
    id: int
    issue: int
    body: str
    author: str
    created_at: str
    updated_at: str


def issue_comment(site: Site, full_name: str, comment: CommentState) -> dict[str, Any]:
    """An `issue-comment` body (what list, create and update answer)."""
    api = site.repo_api(full_name)
    return {
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "url": f"{api}/issues/comments/{comment.id}",
        "html_url": f"{site.root}/{full_name}/pull/{comment.issue}#issuecomment-{comment.id}",
        "body": comment.body,
        "user": user(site, comment.author),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "issue_url": f"{api}/issues/{comment.issue}",
        "author_association": "CONTRIBUTOR",
    }


# --- accounts and container packages ----------------------------------------------------


def account(site: Site, login: str, kind: str) -> dict[str, Any]:
    """A `public-user` body (GET /users/{username}); `kind` is "User" or "Organization"."""
    body = user(site, login)
    body.update(
        {
            "type": kind,
            "user_view_type": "public",
            "name": login,
            "company": None,
            "blog": "",
            "location": None,
            "email": None,
            "hireable": None,
            "bio": None,
            "public_repos": 1,
            "public_gists": 0,
            "followers": 0,
            "following": 0,
            "created_at": _EPOCH,
            "updated_at": _EPOCH,
        }
    )
    return body


@dataclass
class PackageVersionState:
    id: int
    digest: str
    tags: list[str]
    created_at: str = _EPOCH


def package_version(
    site: Site, owner: str, owner_is_org: bool, package: str, version: PackageVersionState
) -> dict[str, Any]:
    """A `package-version` body of a container package."""
    quoted = package.replace("/", "%2F")
    where = f"orgs/{owner}" if owner_is_org else f"users/{owner}"
    html_owner = f"orgs/{owner}" if owner_is_org else owner
    return {
        "id": version.id,
        "name": version.digest,
        "url": f"{site.api}/{where}/packages/container/{quoted}/versions/{version.id}",
        "package_html_url": f"{site.root}/{html_owner}/packages/container/package/{quoted}",
        "html_url": f"{site.root}/{html_owner}/packages/container/{quoted}/{version.id}",
        "created_at": version.created_at,
        "updated_at": version.created_at,
        "metadata": {"package_type": "container", "container": {"tags": list(version.tags)}},
    }


# --- event payloads, as GitHub writes them to GITHUB_EVENT_PATH ----------------------------


def pull_request_event(
    site: Site,
    action: str,
    base_repo: str,
    pr: PullState,
    *,
    head_repo: str | None,
    head_sha: str,
    base_sha: str,
    before: str | None = None,
) -> dict[str, Any]:
    """A `pull_request` event (`opened`, `synchronize`, `closed`, ...) on `base_repo`.

    `head_repo` is the repository the branch lives in: `base_repo` for a branch of the same
    repository, another `owner/name` for a fork, None for a fork deleted since (GitHub then
    sends `head.repo: null`). `before` is the previous head sha of a `synchronize`.
    """
    body = pull(site, base_repo, "main", pr, {pr.head: head_sha, pr.base: base_sha})
    head_owner = head_repo.split("/")[0] if head_repo else pr.author
    head = body["head"]
    head["label"] = f"{head_owner}:{pr.head}"
    head["user"] = user(site, head_owner)
    base_repository = {**body["base"]["repo"], "topics": []}  # events carry topics
    body["base"]["repo"] = base_repository
    if head_repo is None:
        head["repo"] = None  # as GitHub sends it, although its description says otherwise
    elif head_repo != base_repo:
        fork = repository(site, head_repo, "main")
        fork.update({"fork": True, "private": False, "visibility": "public", "topics": []})
        head["repo"] = fork
    else:
        head["repo"] = base_repository
    if action == "closed":
        body.update({"state": "closed", "closed_at": _EPOCH})
    event: dict[str, Any] = {
        "action": action,
        "number": pr.number,
        "pull_request": body,
        "repository": base_repository,
        "sender": user(site, pr.author),
    }
    if action == "synchronize":
        event["before"] = before or "0" * 40
        event["after"] = head_sha
    return event
