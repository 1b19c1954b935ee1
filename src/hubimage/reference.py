"""Image references, parsed by the grammar of the distribution project.

`[registry-host[:port]/]path[:tag][@algorithm:hex]`. The first path component is a registry
host only when it contains a dot or a colon or is `localhost`, as Docker decides. The tag is
what follows the last colon *after the last slash*, so `localhost:5000/org/img:1.0` has host
`localhost:5000`, and `localhost:5000/org/img` has no tag (splitting on the first colon, as some
tag-bump scripts did, breaks both).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from hubimage.errors import ImageReferenceError

DEFAULT_REGISTRY = "quay.io"

_PATH_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_PATH_RE = re.compile(rf"{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*")
_HOST_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST_RE = re.compile(rf"{_HOST_COMPONENT}(?:\.{_HOST_COMPONENT})*(?::[0-9]{{1,5}})?")
TAG_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}")
_MAX_NAME_LENGTH = 255


def validate_tag(tag: str) -> str:
    """Return `tag` if it is a legal tag, else raise ImageReferenceError naming it."""
    if not TAG_RE.fullmatch(tag):
        raise ImageReferenceError(
            f"invalid image tag {tag!r}",
            hint="a tag is 1-128 characters of letters, digits, '_', '.' and '-', "
            "not starting with '.' or '-'",
        )
    return tag


@dataclass(frozen=True)
class ImageReference:
    """A parsed image reference. `registry` is None when the name carries no host."""

    registry: str | None
    repository: str
    tag: str | None = None
    digest: str | None = None

    @classmethod
    def parse(cls, text: str) -> ImageReference:
        if not isinstance(text, str) or not text or text != text.strip() or len(text) > 1024:
            raise ImageReferenceError(f"invalid image reference {text!r}")
        rest, digest = text, None
        if "@" in rest:
            rest, digest = rest.split("@", 1)
            if not _DIGEST_RE.fullmatch(digest):
                raise ImageReferenceError(f"invalid digest in image reference {text!r}")
        tag = None
        last_slash = rest.rfind("/")
        colon = rest.rfind(":")
        if colon > last_slash:
            rest, tag = rest[:colon], rest[colon + 1 :]
            if not TAG_RE.fullmatch(tag):
                raise ImageReferenceError(
                    f"invalid tag {tag!r} in image reference {text!r}",
                    hint="a tag is 1-128 characters of letters, digits, '_', '.' and '-'",
                )
        registry, path = _split_registry(rest)
        if registry is not None and not _HOST_RE.fullmatch(registry):
            raise ImageReferenceError(f"invalid registry host {registry!r} in {text!r}")
        if not _PATH_RE.fullmatch(path) or len(rest) > _MAX_NAME_LENGTH:
            raise ImageReferenceError(
                f"invalid image name {path!r} in {text!r}",
                hint="image names are lower-case letters, digits and separators ('.', '_', '-')"
                ", with components joined by '/'",
            )
        return cls(registry=registry, repository=path, tag=tag, digest=digest)

    @property
    def name(self) -> str:
        """The name without tag or digest, host included when given."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def registry_host(self) -> str:
        """The host that serves this image (quay.io when the name carries none)."""
        return self.registry or DEFAULT_REGISTRY

    @property
    def qualified_name(self) -> str:
        """The name with its registry host spelled out (`quay.io/...` by default)."""
        return f"{self.registry_host}/{self.repository}"

    def with_tag(self, tag: str) -> ImageReference:
        return replace(self, tag=validate_tag(tag), digest=None)

    def with_digest(self, digest: str) -> ImageReference:
        return replace(self, digest=digest)

    def __str__(self) -> str:
        text = self.name
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def _split_registry(name: str) -> tuple[str | None, str]:
    first, sep, remainder = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first, remainder
    return None, name
