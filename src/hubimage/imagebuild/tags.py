"""Image tags computed from the build context.

Schemes:
- `content` (default): the last commit that touched the context (`git log -1 -- <context>`),
  so rebuilding an unchanged image folder gives the same tag even when the rest of the
  repository moved on.
- `sha`: the commit checked out (HEAD).
- `date`: today's UTC date, `YYYY.MM.DD`.
- `latest`: only when asked.
- a template with the fields `{content}`, `{sha}` and `{date}`, e.g. `{date}-{sha:7}`;
  `{sha:7}` means "at least 7 characters".

A commit hash is shortened to 12 characters and lengthened until YAML and helm read it as a
string: an all-digit tag is read as a number, and so is `123e45` (a float).

A context with uncommitted changes (or untracked files) under it, or outside git, has no
commit that describes it. Its hash-based tags then name the files instead, and say so:
`<commit>-dirty-<files>` (8 hex characters of a hash of the files' paths, modes and
contents), or `dirty-<files>` (12) when no commit touched the context or there is no git at
all. Such a tag never equals a clean one. `sha` outside git is an error.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from pathlib import Path

from hubimage.errors import BuildInputError, UsageError
from hubimage.imagebuild.gitinfo import GitState, git_state, hash_files
from hubimage.reference import validate_tag

SCHEMES = ("content", "sha", "date", "latest")
SHORT_HASH = 12
_YAML_NUMBER_RE = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"  # ints, floats
    r"|0x[0-9a-fA-F_]+|0o?[0-7_]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def reads_as_non_string(text: str) -> bool:
    """Whether a YAML 1.1 or 1.2 reader (helm's included) would not read `text` as a string."""
    return bool(_YAML_NUMBER_RE.fullmatch(text)) or text.lower() in _YAML_WORDS


def extend_hash(full_hash: str, length: int = SHORT_HASH) -> str:
    """The shortest prefix of `full_hash`, at least `length` long, that YAML reads as a string."""
    for end in range(max(length, 1), len(full_hash) + 1):
        prefix = full_hash[:end]
        if not reads_as_non_string(prefix):
            return prefix
    # 40 digits: too improbable to design for, but still never emit a number.
    return f"g{full_hash[:length]}"


@dataclass(frozen=True)
class _HashField:
    """A commit hash with the dirty suffix it carries; formats as `{field:N}`."""

    commit: str | None
    dirty_files: str | None

    def render(self, length: int) -> str:
        if self.commit is None:
            return f"dirty-{self.dirty_files}"
        short = extend_hash(self.commit, length)
        return f"{short}-dirty-{(self.dirty_files or '')[:8]}" if self.dirty_files else short


class _TagFormatter(string.Formatter):
    def format_field(self, value: object, format_spec: str) -> str:
        if isinstance(value, _HashField):
            if format_spec and not format_spec.isdigit():
                raise UsageError(f"tag template field spec {format_spec!r} is not a length")
            return value.render(int(format_spec) if format_spec else SHORT_HASH)
        return str(super().format_field(value, format_spec))


def compute_tag(context: Path, scheme: str = "content", *, now: dt.datetime | None = None) -> str:
    """The tag for an image built from `context` (see the module docstring for schemes)."""
    moment = now or dt.datetime.now(dt.timezone.utc)
    if scheme == "latest":
        return "latest"
    if scheme == "date":
        return _date(moment)
    if scheme in ("content", "sha"):
        return _hash_field(context, scheme).render(SHORT_HASH)
    if "{" in scheme:
        return _from_template(context, scheme, moment)
    raise UsageError(
        f"unknown tag scheme {scheme!r}",
        hint=f"use one of {', '.join(SCHEMES)} or a template such as '{{date}}-{{sha:7}}'",
    )


def _date(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y.%m.%d")


def _hash_field(context: Path, which: str) -> _HashField:
    state = git_state(context)
    if state is None:
        if which == "sha":
            raise BuildInputError(
                f"{context} is not in a git repository: the sha tag scheme needs a commit",
                hint="use the content or date scheme, or an explicit tag",
            )
        return _HashField(None, hash_files(context, None)[:SHORT_HASH])
    commit = state.context_commit if which == "content" else state.head
    if commit is None and which == "sha":
        raise BuildInputError(f"the git repository of {context} has no commit yet")
    dirty = _dirty_files(context, state)
    if commit is None:
        return _HashField(None, (dirty or hash_files(context, state))[:SHORT_HASH])
    return _HashField(commit, dirty)


def _dirty_files(context: Path, state: GitState) -> str | None:
    return hash_files(context, state) if state.dirty else None


def _from_template(context: Path, template: str, moment: dt.datetime) -> str:
    fields: dict[str, object] = {"date": _date(moment)}
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as error:
        raise UsageError(f"tag template {template!r} is malformed: {error}") from error
    unknown = names - {"content", "sha", "date"}
    if unknown:
        raise UsageError(
            f"tag template {template!r} has unknown fields: {', '.join(sorted(unknown))}",
            hint="the fields are {content}, {sha} and {date}",
        )
    for name in names & {"content", "sha"}:
        fields[name] = _hash_field(context, name)
    tag = validate_tag(_TagFormatter().format(template, **fields))
    if reads_as_non_string(tag):
        raise UsageError(f"tag template {template!r} gives {tag!r}, which YAML reads as a number")
    return tag
