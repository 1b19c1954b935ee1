"""A local HTTP server speaking the part of GitHub's REST API that hubimage's delivery uses.

Every request and response is checked against GitHub's OpenAPI description; mismatches are
collected in `violations` (the pytest fixture fails the test on any). Tests can program faults
(`inject`) and run code between requests (`before`), e.g. to commit a concurrent change.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import payloads
from .gitstore import GitStore, Person
from .openapi_spec import GitHubOpenAPI, MatchedOperation
from .operations import OPERATIONS, Reply, Request, StandInRepo, add_comment
from .packages import ACCOUNT_OPERATIONS, Accounts
from .payloads import CommentState, PullState

GHE_PREFIX = "/api/v3"


@dataclass
class Fault:
    """A programmed answer for the next `times` calls of one operation."""

    operation_id: str
    status: int
    times: int
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class Hook:
    operation_id: str
    callback: Callable[[], object]
    times: int


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    operation_id: str | None
    status: int
    injected: bool
    enterprise_prefix: bool  # reached through /api/v3, as GitHub Enterprise Server


@dataclass
class _Programs:
    faults: list[Fault] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)


class GitHubStandIn:
    """Start with `start()`, stop with `stop()`; `url` is the api.github.com stand-in."""

    def __init__(self, api: GitHubOpenAPI, workdir: Path, bot_login: str = "hubimage-bot") -> None:
        self.api = api
        self.workdir = workdir
        self.bot_login = bot_login
        self.tokens: dict[str, str] = {}  # token -> login
        self.repos: dict[str, StandInRepo] = {}
        self.accounts = Accounts()  # users, organizations and their container packages
        self.violations: list[str] = []
        self.log: list[LoggedRequest] = []
        self._programs = _Programs()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_class(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def ghe_url(self) -> str:
        return self.url + GHE_PREFIX

    def start(self) -> GitHubStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- set-up and programming by tests -------------------------------------------------

    def add_token(self, token: str, login: str | None = None) -> None:
        self.tokens[token] = login or self.bot_login

    def add_repo(
        self, full_name: str, files: dict[str, str | bytes], default_branch: str = "main"
    ) -> GitStore:
        path = self.workdir / f"{full_name.replace('/', '__')}.git"
        store = GitStore.create(path, default_branch, files)
        self.repos[full_name] = StandInRepo(full_name, default_branch, store)
        return store

    def commit_file(self, full_name: str, branch: str, path: str, text: str, message: str) -> str:
        """Someone else's commit on a branch (like a colleague pushing), made directly in git."""
        store = self.repos[full_name].store
        someone = Person("Someone Else", "someone@example.invalid")
        with store.lock:
            head = store.branch_head(branch)
            commit = store.commit_files(head, {path: text}, message, someone, someone)
            store.update_ref(branch, commit, expected=head)
        return commit

    def add_pull(self, full_name: str, number: int, head: str, author: str) -> PullState:
        """An open pull request `number` from branch `head` (only its number and fields
        matter here: comments, events), as if someone had opened it."""
        repo = self.repos[full_name]
        pr = PullState(number, f"Pull request {number}", None, head, repo.default_branch,
                       False, author)  # fmt: skip
        with repo.pulls_lock:
            repo.pulls.append(pr)
        return pr

    def add_comment(self, full_name: str, number: int, body: str, author: str) -> int:
        """Someone's comment on issue or pull request `number`; its id."""
        repo = self.repos[full_name]
        with repo.pulls_lock:
            return add_comment(repo, number, body, author).id

    def comments(self, full_name: str, number: int) -> list[CommentState]:
        repo = self.repos[full_name]
        with repo.pulls_lock:
            return [replace(c) for c in repo.comments if c.issue == number]

    def add_account(self, login: str, kind: str = "Organization") -> None:
        self.accounts.kinds[login] = kind

    def add_package_version(
        self, owner: str, package: str, digest: str, tags: list[str], *, admins: bool = True
    ) -> int:
        """A version of container package `owner/package` (ghcr.io/owner/package) with its
        tags; the bot may delete it when `admins`. Its id."""
        version = self.accounts.add_version(owner, package, digest, tags)
        if admins:
            self.accounts.packages[(owner, package)].admins.add(self.bot_login)
        return version

    def package_tags(self, owner: str, package: str) -> dict[str, list[str]]:
        """digest -> tags of each version left."""
        with self.accounts.lock:
            state = self.accounts.packages.get((owner, package))
            return {v.digest: list(v.tags) for v in state.versions} if state else {}

    def inject(
        self,
        operation_id: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        message: str | None = None,
    ) -> None:
        """The next `times` calls of `operation_id` answer `status` without doing anything."""
        body = payloads.error(message or f"Injected {status}", status)
        fault = Fault(operation_id, status, times, dict(headers or {}), body)
        with self._lock:
            self._programs.faults.append(fault)

    def before(self, operation_id: str, callback: Callable[[], object], *, times: int = 1) -> None:
        """Run `callback` before the next `times` calls of `operation_id` are handled."""
        with self._lock:
            self._programs.hooks.append(Hook(operation_id, callback, times))

    def calls(self, operation_id: str) -> list[LoggedRequest]:
        with self._lock:
            return [entry for entry in self.log if entry.operation_id == operation_id]

    # --- request handling (server threads) -----------------------------------------------

    def _take(self, operation_id: str) -> tuple[Fault | None, list[Hook]]:
        with self._lock:
            fault = next((f for f in self._programs.faults if f.operation_id == operation_id), None)
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._programs.faults.remove(fault)
            hooks = [h for h in self._programs.hooks if h.operation_id == operation_id]
            for hook in hooks:
                hook.times -= 1
                if hook.times <= 0:
                    self._programs.hooks.remove(hook)
        return fault, hooks

    def _record(self, entry: LoggedRequest, problems: list[str]) -> None:
        with self._lock:
            self.log.append(entry)
            self.violations.extend(problems)

    def handle(self, request: Request, matched: MatchedOperation | None) -> Reply:
        if matched is None:
            self._record(
                LoggedRequest(request.method, request.path, None, 404, False, request.enterprise),
                [f"{request.method} {request.path}: no such operation in GitHub's REST API"],
            )
            return Reply(404, payloads.error("Not Found", 404))
        op = matched.operation
        problems = self.api.request_violations(op, request.body, request.has_body)
        fault, hooks = self._take(op.operation_id)
        for hook in hooks:
            hook.callback()
        if fault is not None:
            reply = Reply(fault.status, fault.body, fault.headers)
        else:
            reply = self._dispatch(request, matched)
        if fault is None or str(reply.status) in op.spec["responses"]:
            has_body = reply.body is not None
            problems += self.api.response_violations(op, reply.status, reply.body, has_body)
        entry = LoggedRequest(
            request.method,
            request.path,
            op.operation_id,
            reply.status,
            fault is not None,
            request.enterprise,
        )
        self._record(entry, problems)
        return reply

    def _dispatch(self, request: Request, matched: MatchedOperation) -> Reply:
        login = self.tokens.get(request.token or "")
        if login is None:
            return Reply(401, payloads.error("Bad credentials", 401))
        op_id = matched.operation.operation_id
        params = {k: urllib.parse.unquote(v) for k, v in matched.params.items()}
        account_operation = ACCOUNT_OPERATIONS.get(op_id)
        if account_operation is not None:
            return account_operation(self.accounts, request, params, login)
        implementation = OPERATIONS.get(op_id)
        if implementation is None:
            with self._lock:
                self.violations.append(f"{op_id}: called but the stand-in does not implement it")
            return Reply(404, payloads.error("Not Found", 404))
        repo = self.repos.get(f"{params.get('owner')}/{params.get('repo')}")
        if repo is None:
            return Reply(404, payloads.error("Not Found", 404))
        return implementation(repo, request, params, login)


def _handler_class(standin: GitHubStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as api.github.com; needs Content-Length

        def _serve(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            api_path, prefix = parsed.path, ""
            if api_path.startswith(GHE_PREFIX + "/"):
                api_path, prefix = api_path[len(GHE_PREFIX) :], GHE_PREFIX
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            root = f"http://{self.headers.get('Host')}"
            request = Request(
                method=self.command,
                path=api_path,
                query={k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()},
                body=json.loads(raw) if raw else None,
                has_body=bool(raw),
                token=_token(self.headers.get("Authorization")),
                site=payloads.Site(root=root, api=root + prefix),
            )
            reply = standin.handle(request, standin.api.match(self.command, api_path))
            data = b"" if reply.body is None else json.dumps(reply.body).encode()
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if data:
                self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the stand-in's own `log` records every request."""

    return Handler


def _token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() in ("token", "bearer") else None
