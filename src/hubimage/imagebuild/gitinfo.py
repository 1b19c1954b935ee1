"""What git knows about a build context: its commits, whether it is dirty, where it is from."""

from __future__ import annotations

import hashlib
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from hubimage.errors import BuildInputError
from hubimage.secrets import child_environment


@dataclass(frozen=True)
class GitState:
    toplevel: Path
    head: str | None  # None in a repository without commits
    context_commit: str | None  # the last commit that touched the context
    dirty: bool  # uncommitted changes or untracked files under the context
    origin: str | None  # the `origin` remote's URL, credentials removed


def _git_environment() -> dict[str, str]:
    """Git reads the repository only: it gets no INPUT_* (registry password), no token."""
    return {
        **child_environment(keep=("XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM")),
        "GIT_TERMINAL_PROMPT": "0",
        "LC_ALL": "C",
    }


def _git(context: Path, *args: str) -> str | None:
    """Run git in `context`; None when git is missing or the command fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(context), *args],
            capture_output=True,
            text=True,
            check=False,
            env=_git_environment(),
        )
    except OSError:
        return None
    return done.stdout if done.returncode == 0 else None


def git_state(context: Path) -> GitState | None:
    """The git state of `context`, or None when it is not inside a git work tree."""
    if not context.is_dir():
        raise BuildInputError(f"build context {context} is not a directory")
    toplevel = _git(context, "rev-parse", "--show-toplevel")
    if toplevel is None:
        return None
    questions = (
        ("rev-parse", "--verify", "-q", "HEAD"),
        ("log", "-1", "--format=%H", "--", "."),
        ("status", "--porcelain", "--untracked-files=all", "--", "."),
        ("remote", "get-url", "origin"),
    )
    # Independent reads of one repository: asked side by side (each git start is ~10 ms).
    with ThreadPoolExecutor(max_workers=len(questions)) as pool:
        head, touched, status, origin = pool.map(lambda args: _git(context, *args), questions)
    origin_url = _stripped(origin)
    return GitState(
        toplevel=Path(toplevel.strip()),
        head=_stripped(head),
        context_commit=_stripped(touched),
        dirty=bool(status and status.strip()),
        origin=public_url(origin_url) if origin_url else None,
    )


def _stripped(output: str | None) -> str | None:
    return (output or "").strip() or None


def public_url(url: str) -> str:
    """A remote URL fit for a label: https for `git@host:path`, no user or token in it."""
    if "://" not in url and ":" in url and "@" in url.split(":", 1)[0]:
        host, _, path = url.partition(":")
        url = f"https://{host.split('@', 1)[1]}/{path}"
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    scheme = "https" if parts.scheme in ("ssh", "git+ssh") else parts.scheme
    return urlunsplit((scheme, netloc, parts.path.removesuffix(".git"), "", ""))


def hash_files(context: Path, state: GitState | None) -> str:
    """A sha256 over the context's files: path, executable bit and content of each.

    In git, the files are the tracked and the untracked-but-not-ignored ones (what a commit
    of the context would hold); outside git, every file but `.git`.
    """
    digest = hashlib.sha256()
    for relative in _context_files(context, state):
        path = context / relative
        if path.is_symlink():
            kind, data = "l", os.readlink(path).encode()
        elif path.is_file():
            kind = "x" if os.access(path, os.X_OK) else "f"
            data = path.read_bytes()
        else:
            continue  # deleted but still tracked
        digest.update(f"{relative}\0{kind}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _context_files(context: Path, state: GitState | None) -> list[str]:
    if state is not None:
        listed = _git(context, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        if listed is not None:
            return sorted(set(filter(None, listed.split("\0"))))
    files = []
    for folder, dirs, names in os.walk(context):
        dirs[:] = [name for name in dirs if name != ".git"]
        for name in names:
            files.append((Path(folder) / name).relative_to(context).as_posix())
    return sorted(files)
