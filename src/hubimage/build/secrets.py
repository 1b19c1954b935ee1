"""Build secrets as docker/build-push-action users write them: `id=value` or `id=env:NAME`.

Every value is registered for masking the moment it is read, before anything can print it.
The values travel to `docker buildx build` only through the environment of that one process
(`--secret id=ID,env=VAR`): never in argv, never in a file, never as a build arg. BuildKit
mounts them at /run/secrets/ID for the RUN steps that ask (`RUN --mount=type=secret,id=ID`)
and keeps them out of the image's layers, history and cache.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from hubimage.engine import BuildSecret
from hubimage.errors import UsageError
from hubimage.secrets import SECRETS

_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_build_secrets(
    text: str, environ: Mapping[str, str], *, what: str = "input 'build-secrets'"
) -> tuple[BuildSecret, ...]:
    """One secret a line; errors name the line by its id, never by its value."""
    secrets: dict[str, BuildSecret] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        secret_id, sep, value = line.partition("=")
        secret_id = secret_id.strip()
        if not sep or not _ID_RE.fullmatch(secret_id):
            raise UsageError(
                f"{what}: line {number} is not id=value or id=env:NAME",
                hint="for example: pip_token=env:PIP_TOKEN",
            )
        if value.startswith("env:"):
            name = value[4:].strip()
            if not _ENV_RE.fullmatch(name):
                raise UsageError(f"{what}: secret {secret_id!r}: {name!r} is not a variable name")
            if name not in environ:
                raise UsageError(
                    f"{what}: secret {secret_id!r} reads ${name}, which is not set",
                    hint=f"pass it to the step: env: {{{name}: ${{{{ secrets.{name} }}}}}}",
                )
            value = environ[name]
        if not value:
            raise UsageError(f"{what}: secret {secret_id!r} is empty")
        if secret_id in secrets:
            raise UsageError(f"{what}: secret {secret_id!r} is given twice")
        SECRETS.add(value)
        secrets[secret_id] = BuildSecret(secret_id, value)
    return tuple(secrets.values())
