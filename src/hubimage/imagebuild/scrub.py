"""No git credential in a build context.

actions/checkout leaves the job's token in `.git/config` (`http.<url>.extraheader`, or an
`includeIf` file with it), a clone with `https://user:token@host/...` keeps the token in the
remote URL, and `git credential-store` keeps tokens in `.git-credentials`. Build contexts
include `.git` (repo2docker and pangeo copy the whole repository into the image), so any of
these would ship in the image.

`scrubbed_context` hands the builders a context without them: when the context carries a
credential, a copy of it (hard links where possible, so large files cost nothing) whose
`.git/config` keeps everything git needs (core, remotes without userinfo, branches) and
drops `http.*.extraheader`, `credential.*`, `include*` sections and credential files. The
user's checkout is never changed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hubimage.engine import LogSink

CREDENTIAL_FILES = (".git-credentials", ".git/credentials", ".git/.git-credentials")
_USERINFO_RE = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\s]+@")
_DROPPED_SECTION_RE = re.compile(r"\s*(credential|include|includeif)\b.*", re.IGNORECASE)
_SECTION_RE = re.compile(r"\s*\[(?P<name>[^\]]+)\]\s*(?P<rest>.*)")


def credential_findings(root: Path) -> list[str]:
    """What in `root` would carry a git credential into an image (names, never values)."""
    found = [name for name in CREDENTIAL_FILES if (root / name).is_file()]
    config = root / ".git" / "config"
    if config.is_file():
        text = config.read_text(encoding="utf-8", errors="replace")
        if scrub_git_config(text) != text:
            found.append(".git/config")
    return found


def scrub_git_config(text: str) -> str:
    """`.git/config` without credentials: line-based, so everything else stays as written."""
    out: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        section = _SECTION_RE.match(line)
        if section:
            dropping = bool(_DROPPED_SECTION_RE.fullmatch(section.group("name")))
            if dropping:
                continue
            if section.group("rest").strip():  # `[http] extraheader = ...` on one line
                line = f"[{section.group('name')}]\n"
        if dropping:
            continue
        key = line.split("=", 1)[0].strip().lower()
        if "=" in line and key == "extraheader":
            continue
        out.append(_USERINFO_RE.sub(r"\g<scheme>", line))
    return "".join(out)


@contextmanager
def scrubbed_context(root: Path, log: LogSink) -> Iterator[Path]:
    """`root` itself when it carries no credential, else a scrubbed copy (removed after)."""
    findings = credential_findings(root)
    if not findings:
        yield root
        return
    log(
        f"the build context carries git credentials ({', '.join(findings)}); "
        "building from a copy without them"
    )
    with tempfile.TemporaryDirectory(prefix="hubimage-context-") as scratch:
        copy = Path(scratch) / root.name
        shutil.copytree(root, copy, symlinks=True, copy_function=_link_or_copy)
        for name in CREDENTIAL_FILES:
            (copy / name).unlink(missing_ok=True)
        config = copy / ".git" / "config"
        if config.is_file():
            text = config.read_text(encoding="utf-8", errors="replace")
            config.unlink()  # a hard link: never write through it into the checkout
            config.write_text(scrub_git_config(text), encoding="utf-8")
        yield copy


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
