"""A real bare git repository, written with git plumbing only (no work tree, no checkout).

The stand-in keeps all repository content here, so tests can inspect what a delivery really
committed with `git log` / `git show`.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

_ZERO_SHA = "0" * 40


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: list[str]
    author: Person
    committer: Person
    author_date: str  # ISO 8601
    committer_date: str
    message: str


class RefUpdateRejected(Exception):
    """A compare-and-swap ref update lost a race (or the ref already exists)."""


class GitStore:
    """One bare repository. `lock` serialises read-check-write sequences of the server."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.RLock()

    @classmethod
    def create(cls, path: Path, default_branch: str, files: dict[str, str | bytes]) -> GitStore:
        subprocess.run(
            ["git", "init", "--quiet", "--bare", "-b", default_branch, str(path)], check=True
        )
        store = cls(path)
        seed = Person("Seed", "seed@example.invalid")
        commit = store.commit_files(None, files, "Initial hub configs", seed, seed)
        store.update_ref(default_branch, commit, expected=None)
        return store

    def git(self, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> str:
        completed = subprocess.run(
            ["git", "--git-dir", str(self.path), *args],
            input=stdin,
            capture_output=True,
            check=True,
            env={**os.environ, **(env or {})},
        )
        return completed.stdout.decode().strip()

    def branch_head(self, branch: str) -> str | None:
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}^{{commit}}")
        except subprocess.CalledProcessError:
            return None

    def resolve(self, ref: str) -> str | None:
        """A branch name or commit sha -> commit sha."""
        head = self.branch_head(ref)
        if head is not None:
            return head
        try:
            return self.git("rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        except subprocess.CalledProcessError:
            return None

    def branches(self) -> dict[str, str]:
        out = self.git("for-each-ref", "--format=%(refname:lstrip=2) %(objectname)", "refs/heads")
        return dict(line.split(" ", 1) for line in out.splitlines() if line)

    def blob_at(self, commit: str, path: str) -> tuple[str, bytes] | None:
        """(blob sha, content) of a file in a commit, or None when it is not a file there."""
        listing = self.git("ls-tree", commit, "--", path)
        if not listing:
            return None
        mode_type_sha, _ = listing.split("\t", 1)
        _, kind, sha = mode_type_sha.split()
        if kind != "blob":
            return None
        content = subprocess.run(
            ["git", "--git-dir", str(self.path), "cat-file", "blob", sha],
            capture_output=True,
            check=True,
        ).stdout
        return sha, content

    def commit_files(
        self,
        parent: str | None,
        files: dict[str, str | bytes],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        """A new commit = parent's tree with `files` replaced; no ref moves."""
        with tempfile.TemporaryDirectory(prefix="hib-index-") as scratch:
            index_env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if parent is not None:
                self.git("read-tree", parent, env=index_env)
            for path, text in files.items():
                data = text.encode() if isinstance(text, str) else text
                blob = self.git("hash-object", "-w", "--stdin", stdin=data)
                self.git(
                    "update-index", "--add", "--cacheinfo", f"100644,{blob},{path}", env=index_env
                )
            tree = self.git("write-tree", env=index_env)
        people = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": committer.name,
            "GIT_COMMITTER_EMAIL": committer.email,
        }
        parents = ["-p", parent] if parent is not None else []
        return self.git(
            "commit-tree", tree, *parents, "-F", "-", stdin=message.encode(), env=people
        )

    def update_ref(self, branch: str, new: str, *, expected: str | None) -> None:
        """Move (or create, when expected is None) a branch only if it still is at `expected`."""
        try:
            self.git("update-ref", f"refs/heads/{branch}", new, expected or _ZERO_SHA)
        except subprocess.CalledProcessError as error:
            raise RefUpdateRejected(error.stderr.decode().strip()) from error

    def delete_ref(self, branch: str) -> None:
        self.git("update-ref", "-d", f"refs/heads/{branch}")

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        result = subprocess.run(
            [
                "git",
                "--git-dir",
                str(self.path),
                "merge-base",
                "--is-ancestor",
                ancestor,
                descendant,
            ],
            capture_output=True,
        )
        return result.returncode == 0

    def commit_info(self, sha: str) -> CommitInfo:
        fmt = "%H%n%T%n%P%n%an%n%ae%n%aI%n%cn%n%ce%n%cI%n%B"
        out = self.git("log", "-1", f"--format={fmt}", sha)
        lines = out.split("\n")
        return CommitInfo(
            sha=lines[0],
            tree=lines[1],
            parents=lines[2].split(),
            author=Person(lines[3], lines[4]),
            author_date=lines[5],
            committer=Person(lines[6], lines[7]),
            committer_date=lines[8],
            message="\n".join(lines[9:]).strip(),
        )
