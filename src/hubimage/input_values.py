"""How the text of one input becomes a typed value; every error names the input.

`inputs.parse_inputs` calls these, one per input. Standard library only, like `inputs`: the
action runs them with bare Python before anything is installed.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubimage.errors import BadInputError, ConfigError, UsageError
from hubimage.reference import ImageReference, validate_tag
from hubimage.secrets import SECRETS
from hubimage.values import CHECK_NAMES, HubConfigPath, HubVersion, check_name, parse_size
from hubimage.yamlpaths import parse_path

if TYPE_CHECKING:  # the action checks inputs with the standard library alone, before pip runs
    from hubimage.gha import Reporter

Getter = Callable[[str], str]
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off", ""}
_REPO_RE = re.compile(r"[A-Za-z0-9-]+/[A-Za-z0-9._-]+")
_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# a hub, or `cluster/hub` where a hubs.yaml of several clusters names one hub twice
_HUB_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?")


def hub_names(text: str) -> tuple[str, ...]:
    hubs = split_list(text)
    for hub in hubs:
        if not _HUB_RE.fullmatch(hub):
            raise UsageError(f"input 'hubs': {hub!r} is not a valid hub name")
    return hubs


def repository(name: str, text: str) -> str | None:
    if text and not _REPO_RE.fullmatch(text):
        raise UsageError(f"input '{name}': {text!r} is not owner/name")
    return text or None


def config_path(text: str, in_repository: bool) -> HubConfigPath | None:
    """`hub-config`. In commit and pr modes a path in the config repository: relative, never
    leaving it with `..`. In file mode a local path the workflow chose, which must be there
    (the values files it lists are kept inside its repository by the bump itself)."""
    if not text:
        return None
    path = HubConfigPath.parse(text, in_repository=in_repository)
    if not in_repository and not path.local.exists():
        raise UsageError(f"input 'hub-config': {text!r} does not exist")
    return path


def context(text: str) -> Path:
    """`context`: the image repository's folder, which must be there."""
    folder = Path(text or ".")
    if not folder.is_dir():
        raise UsageError(f"input 'context': {text!r} is not a folder")
    return folder


_SCHEMES = ("content", "sha", "date", "latest")
_TEMPLATE_FIELDS = {"content", "sha", "date"}


def tag_scheme(text: str) -> str:
    """`tag-scheme`: content, sha, date, latest, or a template of {content}, {sha}, {date}."""
    scheme = text or "content"
    if scheme in _SCHEMES:
        return scheme
    if "{" not in scheme:
        raise UsageError(
            f"input 'tag-scheme': {text!r} is not one of {', '.join(_SCHEMES)} or a "
            "template such as {date}-{sha:7}"
        )
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(scheme) if name}
    except ValueError as error:
        raise UsageError(f"input 'tag-scheme': {text!r} is malformed: {error}") from error
    unknown = names - _TEMPLATE_FIELDS
    if unknown:
        raise UsageError(
            f"input 'tag-scheme': {text!r} has unknown fields: {', '.join(sorted(unknown))} "
            "(the fields are {content}, {sha} and {date})"
        )
    return scheme


def image_path(text: str) -> str | None:
    """`image-path`: a dotted path into the hub config, such as a.b[0].c."""
    if not text:
        return None
    try:
        parse_path(text)
    except ConfigError as error:
        raise UsageError(f"input 'image-path': {error.message}") from error
    return text


def check_names(text: str) -> tuple[str, ...]:
    names = tuple(check_name(name) for name in split_list(text))
    unknown = [name for name in names if name not in CHECK_NAMES]
    if unknown:
        raise UsageError(
            f"input 'skip-checks': unknown check(s) {', '.join(unknown)}; "
            f"the checks are {', '.join(CHECK_NAMES)}"
        )
    return names


def size(name: str, text: str) -> int | None:
    return parse_size(text, f"input '{name}':")


def default_url(name: str, text: str) -> str | None:
    """A page of the user's server, as z2jh's defaultUrl names it: `/lab`, `/tree`,
    `/rstudio`, `/git-pull?repo=...` (a leading `/` is added); None for empty text."""
    path = text.strip().lstrip("/")
    if not path:
        return None
    if "://" in path or ".." in path.split("?")[0].split("/") or any(c.isspace() for c in path):
        raise UsageError(
            f"input '{name}': {text!r} is not a page of the user's server, such as /lab or /tree"
        )
    return f"/{path}"


_BUILDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def builder_name(text: str) -> str | None:
    """`buildx-builder`: a buildx builder's name, as `docker buildx ls` lists it."""
    if text and not _BUILDER.fullmatch(text):
        raise UsageError(f"input 'buildx-builder': {text!r} is not a buildx builder's name")
    return text or None


def split_list(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in re.split(r"[,\n]", text) if item.strip())


def slugs(name: str, text: str) -> tuple[str, ...]:
    slugs = split_list(text)
    for slug in slugs:
        if not _SLUG_RE.fullmatch(slug):
            raise UsageError(f"input '{name}': {slug!r} is not a team slug such as hub-admins")
    return slugs


def choice(get: Getter, name: str, allowed: tuple[str, ...]) -> Any:
    """The lower-cased value, checked against `allowed` (typed by the field it fills)."""
    value = get(name).lower()
    if value not in allowed:
        raise UsageError(f"input '{name}': {value!r} is not one of {', '.join(allowed)}")
    return value


def boolean(get: Getter, name: str) -> bool:
    value = get(name).lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise UsageError(f"input '{name}': {value!r} is not true or false")


def integer(get: Getter, name: str, low: int, high: int) -> int:
    value = get(name)
    if not re.fullmatch(r"[0-9]+", value) or not low <= int(value) <= high:
        raise UsageError(f"input '{name}': {value!r} is not a whole number from {low} to {high}")
    return int(value)


def image(text: str) -> ImageReference | None:
    if not text:
        return None
    try:
        reference = ImageReference.parse(text)
    except BadInputError as error:
        raise UsageError(f"input 'image': {error}") from error
    if reference.tag or reference.digest:
        raise UsageError(
            f"input 'image': give the name without a tag ({reference.name}); "
            "use 'tag' or 'tag-scheme' for the tag"
        )
    return reference


def tag(name: str, text: str) -> str | None:
    if not text:
        return None
    try:
        return validate_tag(text)
    except BadInputError as error:
        raise UsageError(f"input '{name}': {error}") from error


def tags(name: str, text: str) -> tuple[str, ...]:
    return tuple(tag(name, item) or "" for item in split_list(text))


def base_image(text: str) -> str:
    try:
        reference = ImageReference.parse(text)
    except BadInputError as error:
        raise UsageError(f"input 'pangeo-base-image': {error}") from error
    if reference.tag or reference.digest:
        raise UsageError("input 'pangeo-base-image': give the name only; the tag is separate")
    return text


def version(name: str, text: str) -> str | None:
    if text and not re.fullmatch(r"[0-9]+(\.[0-9]+)*([a-z0-9.+-]*)", text):
        raise UsageError(f"input '{name}': {text!r} is not a version")
    return text or None


def hub_version(text: str) -> HubVersion | None:
    return HubVersion.parse(text) if text else None


def key_values(name: str, text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        key, sep, value = line.strip().partition("=")
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise UsageError(f"input '{name}': {line.strip()!r} is not KEY=VALUE")
        result[key] = value
    return result


_SECRET_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")


def parse_build_secrets(
    text: str, environ: Mapping[str, str], what: str = "input 'build-secrets'"
) -> tuple[tuple[str, str], ...]:
    """`id=value` or `id=env:NAME` lines, as docker/build-push-action users write them.

    Every value is registered for masking the moment it is read; errors name the secret's
    id and line, never its value. The values reach `docker buildx build` only through that
    process's environment (`--secret id=ID,env=VAR`), never its argv or a file.
    """
    found: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        secret_id, sep, value = line.partition("=")
        secret_id = secret_id.strip()
        if not sep or not _SECRET_ID_RE.fullmatch(secret_id):
            raise UsageError(
                f"{what}: line {number} is not id=value or id=env:NAME",
                hint="for example: pip_token=env:PIP_TOKEN",
            )
        if value.startswith("env:"):
            name = value[4:].strip()
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise UsageError(f"{what}: secret {secret_id!r}: {name!r} is not a variable name")
            if not environ.get(name):
                raise UsageError(
                    f"{what}: secret {secret_id!r} reads ${name}, which is not set or empty",
                    hint=f"pass it to the step: env: {{{name}: ${{{{ secrets.{name} }}}}}}",
                )
            value = environ[name]
        SECRETS.add(value)
        if not value:
            raise UsageError(f"{what}: secret {secret_id!r} is empty")
        if secret_id in found:
            raise UsageError(f"{what}: secret {secret_id!r} is given twice")
        found[secret_id] = value
    return tuple(found.items())


# Build-arg names that usually carry a secret. A build arg's value is kept in the image's
# history (`docker history`, the image config), readable by anyone who can pull the image.
_SECRET_NAME_PARTS = ("TOKEN", "PASSWORD", "PASSWD", "SECRET", "KEY", "CREDENTIAL")


def secret_like_build_args(build_args: Mapping[str, str]) -> tuple[str, ...]:
    """Names of build args that look like they carry a secret (`*TOKEN*`, `*KEY*`, ...)."""
    return tuple(
        name for name in build_args if any(part in name.upper() for part in _SECRET_NAME_PARTS)
    )


def warn_secret_build_args(build_args: Mapping[str, str], reporter: Reporter) -> None:
    """Mask each secret-looking build arg's value, and say where such a value belongs."""
    for name in secret_like_build_args(build_args):
        SECRETS.add(build_args[name])
        reporter.annotate(
            "warning",
            f"build arg {name} looks like a secret: build args are kept in the image's "
            "history, where anyone who can pull the image reads them; pass it with the "
            "`build-secrets` input instead (a BuildKit secret mount, RUN --mount=type=secret), "
            "which is never stored in the image",
            title="build",
        )
