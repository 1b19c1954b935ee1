"""What each GitHub operation does to a stand-in repository (real git underneath)."""

from __future__ import annotations

import base64
import binascii
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import payloads
from .gitstore import GitStore, Person, RefUpdateRejected
from .payloads import CommentState, PullState, Site

# GitHub commits contents-API writes as the token's user, with itself as committer (and signs).
_WEB_FLOW = Person("GitHub", "noreply@github.com")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    has_body: bool
    token: str | None
    site: Site

    @property
    def enterprise(self) -> bool:
        return self.site.api != self.site.root


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class StandInRepo:
    full_name: str
    default_branch: str
    store: GitStore
    pulls: list[PullState] = field(default_factory=list)
    pulls_lock: threading.Lock = field(default_factory=threading.Lock)
    comments: list[CommentState] = field(default_factory=list)  # on issues and pulls


Implementation = Callable[[StandInRepo, Request, dict[str, str], str], Reply]


def _not_found(message: str = "Not Found") -> Reply:
    return Reply(404, payloads.error(message, 404))


def _invalid(message: str) -> Reply:
    return Reply(422, payloads.error(message, 422))


def _branch_of(ref_param: str) -> str | None:
    return ref_param.removeprefix("heads/") if ref_param.startswith("heads/") else None


def get_repo(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    return Reply(200, payloads.repository(req.site, repo.full_name, repo.default_branch))


def get_content(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    ref = req.query.get("ref", repo.default_branch)
    commit = repo.store.resolve(ref)
    found = repo.store.blob_at(commit, params["path"]) if commit else None
    if found is None:
        return _not_found()
    blob, data = found
    return Reply(
        200, payloads.content_file(req.site, repo.full_name, params["path"], ref, blob, data)
    )


def put_content(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    path, body = params["path"], req.body
    branch = body.get("branch", repo.default_branch)
    try:
        data = base64.b64decode(body["content"], validate=True)
    except (binascii.Error, ValueError):
        return _invalid("content is not valid Base64")
    store = repo.store
    with store.lock:  # GitHub's check of `sha` and its commit are one atomic step
        head = store.branch_head(branch)
        if head is None:
            return _not_found(f"Branch {branch} not found")
        existing = store.blob_at(head, path)
        if existing is not None and "sha" not in body:
            return _invalid('Invalid request.\n\n"sha" wasn\'t supplied.')
        if (existing[0] if existing else None) != body.get("sha"):
            return Reply(409, payloads.error(f"{path} does not match {body.get('sha')}", 409))
        author = Person(login, f"{login}@users.noreply.example.invalid")
        commit = store.commit_files(head, {path: data}, body["message"], author, _WEB_FLOW)
        store.update_ref(branch, commit, expected=head)
        blob, _ = store.blob_at(commit, path) or ("", b"")
    content = payloads.content_file(req.site, repo.full_name, path, branch, blob, data)
    del content["content"], content["encoding"]
    info = payloads.git_commit(req.site, repo.full_name, store.commit_info(commit))
    return Reply(200 if existing else 201, {"content": content, "commit": info})


def get_ref(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    branch = _branch_of(params["ref"])
    sha = repo.store.branch_head(branch) if branch else None
    if branch is None or sha is None:
        return _not_found()
    return Reply(200, payloads.git_ref(req.site, repo.full_name, branch, sha))


def create_ref(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    ref, sha = req.body["ref"], req.body["sha"]
    if not ref.startswith("refs/heads/") or ref.count("/") < 2:
        return _invalid(f"{ref} is not a valid ref name.")
    branch = ref.removeprefix("refs/heads/")
    if repo.store.resolve(sha) != sha:
        return _invalid("Object does not exist")
    try:
        repo.store.update_ref(branch, sha, expected=None)
    except RefUpdateRejected:
        return _invalid("Reference already exists")
    body = payloads.git_ref(req.site, repo.full_name, branch, sha)
    return Reply(201, body, {"Location": body["url"]})


def update_ref(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    branch = _branch_of(params["ref"])
    sha, force = req.body["sha"], req.body.get("force", False)
    store = repo.store
    with store.lock:
        old = store.branch_head(branch) if branch else None
        if branch is None or old is None:
            return _invalid("Reference does not exist")
        if store.resolve(sha) != sha:
            return _invalid("Object does not exist")
        if not force and not store.is_ancestor(old, sha):
            return _invalid("Update is not a fast forward")
        store.update_ref(branch, sha, expected=old)
    return Reply(200, payloads.git_ref(req.site, repo.full_name, branch, sha))


def delete_ref(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    branch = _branch_of(params["ref"])
    if branch is None or repo.store.branch_head(branch) is None:
        return _invalid("Reference does not exist")
    repo.store.delete_ref(branch)
    return Reply(204)


def get_commit(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    sha = params["commit_sha"]
    if repo.store.resolve(sha) != sha:
        return _not_found()
    return Reply(200, payloads.git_commit(req.site, repo.full_name, repo.store.commit_info(sha)))


def _pull_body(repo: StandInRepo, req: Request, pr: PullState) -> dict[str, Any]:
    return payloads.pull(req.site, repo.full_name, repo.default_branch, pr, repo.store.branches())


def list_pulls(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    state = req.query.get("state", "open")
    owner = repo.full_name.split("/")[0]
    with repo.pulls_lock:
        found = [
            pr
            for pr in repo.pulls
            if state in ("all", pr.state)
            and req.query.get("head") in (None, f"{owner}:{pr.head}")
            and req.query.get("base") in (None, pr.base)
        ]
    return Reply(200, [_pull_body(repo, req, pr) for pr in found])


def create_pull(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    body, store = req.body, repo.store
    head = body["head"].split(":", 1)[-1]
    head_sha, base_sha = store.branch_head(head), store.branch_head(body["base"])
    if head_sha is None or base_sha is None:
        return _invalid("Validation Failed: head or base is not a branch")
    if store.is_ancestor(head_sha, base_sha):
        return _invalid(f"No commits between {body['base']} and {head}")
    with repo.pulls_lock:
        # GitHub's uniqueness is per head and base: the same branch may propose to two bases.
        if any(
            pr.state == "open" and pr.head == head and pr.base == body["base"] for pr in repo.pulls
        ):
            return _invalid(f"A pull request already exists for {body['head']}.")
        pr = PullState(
            number=len(repo.pulls) + 1,
            title=body["title"],
            body=body.get("body"),
            head=head,
            base=body["base"],
            draft=body.get("draft", False),
            author=login,
        )
        repo.pulls.append(pr)
    reply = _pull_body(repo, req, pr)
    return Reply(201, reply, {"Location": reply["url"]})


def _pull(repo: StandInRepo, number: str) -> PullState | None:
    with repo.pulls_lock:
        return next((pr for pr in repo.pulls if str(pr.number) == number), None)


def get_pull(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["pull_number"])
    return _not_found() if pr is None else Reply(200, _pull_body(repo, req, pr))


def update_pull(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["pull_number"])
    if pr is None:
        return _not_found()
    with repo.pulls_lock:
        pr.title = req.body.get("title", pr.title)
        pr.body = req.body.get("body", pr.body)
        pr.state = req.body.get("state", pr.state)
    return Reply(200, _pull_body(repo, req, pr))


def add_labels(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["issue_number"])  # every issue here is a pull request
    if pr is None:
        return _not_found()
    given = req.body if isinstance(req.body, list) else req.body.get("labels", [])
    names = [item if isinstance(item, str) else item["name"] for item in given]
    with repo.pulls_lock:
        pr.labels.extend(name for name in names if name not in pr.labels)
        current = list(pr.labels)
    return Reply(200, [payloads.label(req.site, repo.full_name, name) for name in current])


def request_reviewers(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["pull_number"])
    if pr is None:
        return _not_found()
    reviewers = req.body.get("reviewers", [])
    if pr.author in reviewers:
        return _invalid("Review cannot be requested from pull request author.")
    with repo.pulls_lock:
        pr.reviewers.extend(r for r in reviewers if r not in pr.reviewers)
        teams = req.body.get("team_reviewers", [])
        pr.team_reviewers.extend(t for t in teams if t not in pr.team_reviewers)
    return Reply(201, _pull_body(repo, req, pr))


# --- issue comments (every issue here is a pull request) ---------------------------------

DEFAULT_PER_PAGE = 30  # GitHub's default page size; at most 100 per page


def page_of(items: list[Any], req: Request) -> tuple[list[Any], dict[str, str]]:
    """One page of `items` as GitHub pages lists (`page`, `per_page`), with its `Link`."""
    try:
        per_page = min(max(int(req.query.get("per_page", DEFAULT_PER_PAGE)), 1), 100)
        page = max(int(req.query.get("page", 1)), 1)
    except ValueError:
        per_page, page = DEFAULT_PER_PAGE, 1
    last = max((len(items) + per_page - 1) // per_page, 1)
    links = []
    others = {k: v for k, v in req.query.items() if k not in ("page", "per_page")}

    def url(number: int) -> str:
        query = urllib.parse.urlencode({**others, "per_page": per_page, "page": number})
        return f"{req.site.api}{req.path}?{query}"

    if page < last:
        links += [f'<{url(page + 1)}>; rel="next"', f'<{url(last)}>; rel="last"']
    if page > 1:
        links += [f'<{url(1)}>; rel="first"', f'<{url(page - 1)}>; rel="prev"']
    headers = {"Link": ", ".join(links)} if links else {}
    return items[(page - 1) * per_page : page * per_page], headers


def get_issue(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["issue_number"])
    if pr is None:
        return _not_found()
    with repo.pulls_lock:
        count = sum(1 for c in repo.comments if c.issue == pr.number)
    return Reply(200, payloads.issue(req.site, repo.full_name, pr, count))


def list_comments(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    number = params["issue_number"]
    if _pull(repo, number) is None:
        return _not_found()
    with repo.pulls_lock:
        found = [c for c in repo.comments if str(c.issue) == number]
    page, headers = page_of(found, req)
    return Reply(200, [payloads.issue_comment(req.site, repo.full_name, c) for c in page], headers)


def create_comment(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    pr = _pull(repo, params["issue_number"])
    if pr is None:
        return _not_found()
    with repo.pulls_lock:
        comment = add_comment(repo, pr.number, req.body["body"], login)
    body = payloads.issue_comment(req.site, repo.full_name, comment)
    return Reply(201, body, {"Location": body["url"]})


def update_comment(repo: StandInRepo, req: Request, params: dict[str, str], login: str) -> Reply:
    with repo.pulls_lock:
        comment = next((c for c in repo.comments if str(c.id) == params["comment_id"]), None)
        if comment is None:
            return _not_found()
        if comment.author != login:
            return Reply(403, payloads.error("Resource not accessible by integration", 403))
        comment.body = req.body["body"]
        comment.updated_at = _now()
    return Reply(200, payloads.issue_comment(req.site, repo.full_name, comment))


def add_comment(repo: StandInRepo, issue: int, body: str, author: str) -> CommentState:
    """A new comment (the caller holds `repo.pulls_lock`); ids grow as GitHub's do."""
    now = _now()
    comment = CommentState(1000 + len(repo.comments) + 1, issue, body, author, now, now)
    repo.comments.append(comment)
    return comment


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


OPERATIONS: dict[str, Implementation] = {
    "repos/get": get_repo,
    "repos/get-content": get_content,
    "repos/create-or-update-file-contents": put_content,
    "git/get-ref": get_ref,
    "git/create-ref": create_ref,
    "git/update-ref": update_ref,
    "git/delete-ref": delete_ref,
    "git/get-commit": get_commit,
    "pulls/list": list_pulls,
    "pulls/create": create_pull,
    "pulls/get": get_pull,
    "pulls/update": update_pull,
    "issues/add-labels": add_labels,
    "pulls/request-reviewers": request_reviewers,
    "issues/get": get_issue,
    "issues/list-comments": list_comments,
    "issues/create-comment": create_comment,
    "issues/update-comment": update_comment,
}
