"""Real git repositories in temporary folders, for tests of tags and labels."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_IDENTITY = {
    "GIT_AUTHOR_NAME": "Hub Admin",
    "GIT_AUTHOR_EMAIL": "admin@example.org",
    "GIT_COMMITTER_NAME": "Hub Admin",
    "GIT_COMMITTER_EMAIL": "admin@example.org",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **_IDENTITY, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)}
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


def init_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit_files(repo: Path, files: dict[str, str], message: str = "change") -> str:
    """Write `files` (relative paths), commit them, return the new commit's hash."""
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")
