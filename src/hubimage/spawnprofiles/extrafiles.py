"""`singleuser.extraFiles` as Zero to JupyterHub mounts them: the bytes and the mode.

z2jh's `templates/singleuser/secret.yaml` puts every file in one Secret
(`_helpers.tpl`, `jupyterhub.extraFiles.stringData` and `.data`):
- `stringData` as written, in a `|` block: one final newline, trailing blank lines dropped;
- `data` serialized by the extension of the mountPath's file name (`.yaml`/`.yml` toYaml,
  `.json` toJson, `.toml` toToml), the same block rule; another extension fails the install;
- `binaryData` is the Secret's base64 `data` (whitespace removed), decoded by Kubernetes.
An entry needs `mountPath` and exactly one of the three, else the install fails.
jupyterhub_config.py mounts each as a Secret volume item with the entry's `mode`; without
one, the Secret volume's default mode 0644 applies (z2jh sets no defaultMode).

`mode` is read as Helm reads values (go-yaml, YAML 1.1): `0755` is octal. hubimage's parser is
YAML 1.2 and reads `0755` as 755, so the mode is read again from the scalar as written.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
import re
from dataclasses import dataclass
from typing import Any

from hubimage.check.profile import Applied, MountedFile
from hubimage.spawnprofiles.layers import ENCRYPTED_PLACEHOLDER, Path, Values, raw_scalar
from hubimage.spawnprofiles.serialize import go_json, go_toml, go_yaml

DEFAULT_MODE = 0o644  # a Secret volume's defaultMode when none is set
_SERIALIZERS = {".yaml": go_yaml, ".yml": go_yaml, ".json": go_json, ".toml": go_toml}


@dataclass(frozen=True)
class ExtraFile:
    key: str  # the entry's key: the Secret key and the volume mount's subPath
    file: MountedFile
    applied: Applied


@dataclass(frozen=True)
class ExtraFiles:
    files: dict[str, ExtraFile]  # by key
    notes: tuple[str, ...]


def extra_files(values: Values, jupyterhub: Path) -> ExtraFiles:
    base = (*jupyterhub, "singleuser", "extraFiles")
    found = values.get(base)
    files: dict[str, ExtraFile] = {}
    notes: list[str] = []
    if found is not None and not isinstance(found, dict):
        where = values.origin(base)
        note = f"singleuser.extraFiles ({where}) is not a mapping: z2jh refuses it; no files"
        return ExtraFiles(files, (note,))
    if found is None:
        return ExtraFiles(files, ())
    for key, details in found.items():
        if details is None:
            continue
        path = (*base, key)
        setting = f"singleuser.extraFiles.{key}"
        rendered = _render(values, path, setting, details, notes)
        if rendered is not None:
            files[str(key)] = rendered
    return ExtraFiles(files, tuple(notes))


def _render(
    values: Values, path: Path, setting: str, details: Any, notes: list[str]
) -> ExtraFile | None:
    if not isinstance(details, dict) or not isinstance(details.get("mountPath"), str):
        notes.append(f"{setting} ({values.origin(path)}): no mountPath; Helm refuses it")
        return None
    given = [field for field in ("data", "stringData", "binaryData") if details.get(field)]
    if len(given) != 1:
        notes.append(
            f"{setting} ({values.origin(path)}): needs exactly one of data, stringData and "
            "binaryData; Helm refuses it"
        )
        return None
    field = given[0]
    content = _content(field, details[field], details["mountPath"], setting, notes)
    if content is None:
        return None
    mode = _mode(values, (*path, "mode"), details.get("mode"), setting, notes)
    mounted = MountedFile(details["mountPath"], content, mode)
    encrypted = ENCRYPTED_PLACEHOLDER in str(details[field])
    shown = f"{len(content)} bytes, mode {mode:04o}, at {details['mountPath']}"
    if encrypted:
        holder = values.holder((*path, field))
        where = posixpath.basename(holder.source) if holder is not None else "a secret file"
        notes.append(f"{setting}.{field}: encrypted in {where}; a placeholder was used")
        shown = f"(encrypted: a placeholder), mode {mode:04o}, at {details['mountPath']}"
    applied = Applied(setting, shown, values.origin((*path, field)))
    return ExtraFile(str(path[-1]), mounted, applied)


def _content(
    field: str, value: Any, mount_path: str, setting: str, notes: list[str]
) -> bytes | None:
    if field == "binaryData":
        try:
            return base64.b64decode(re.sub(r"\s", "", str(value)), validate=True)
        except binascii.Error:
            notes.append(f"{setting}.binaryData is not base64; Kubernetes refuses the Secret")
            return None
    if field == "stringData":
        if not isinstance(value, str):
            value = str(value)
        return block_text(value).encode()
    extension = posixpath.splitext(posixpath.basename(mount_path))[1]
    serializer = _SERIALIZERS.get(extension)
    if serializer is None:
        notes.append(
            f"{setting}: data needs a mountPath ending .yaml, .yml, .json or .toml "
            f"({mount_path}); Helm refuses it"
        )
        return None
    return block_text(serializer(value).removesuffix("\n")).encode()


def block_text(text: str) -> str:
    """What a `|` block scalar of `text` reads as: its lines, one final newline."""
    text = text.removesuffix("\n")
    stripped = text.rstrip("\n")
    return stripped + "\n" if stripped else ""


def _mode(values: Values, path: Path, parsed: Any, setting: str, notes: list[str]) -> int:
    if parsed is None:
        return DEFAULT_MODE
    written = raw_scalar(values.node(path))
    mode = helm_integer(written) if written is not None else None
    if mode is None and isinstance(parsed, int) and not isinstance(parsed, bool):
        mode = parsed  # a layer without a node (no file): as parsed
    if mode is None or not 0 <= mode <= 0o777:
        notes.append(
            f"{setting}.mode ({values.origin(path)}): {parsed!r} is not a file mode "
            f"Kubernetes takes; {DEFAULT_MODE:04o} used"
        )
        return DEFAULT_MODE
    return mode


def helm_integer(text: str) -> int | None:
    """An integer as Helm's YAML reader (go-yaml v2) reads a plain scalar: underscores
    dropped, then Go's ParseInt with base 0 (`0755` and `0o755` octal, `0x` hex, `0b`
    binary); None if it is not an integer there."""
    plain = text.replace("_", "")
    match = re.fullmatch(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)", plain)
    if not match:
        return None
    sign, digits = match.groups()
    lowered = digits.lower()
    if lowered.startswith(("0x", "0b", "0o")):
        number = int(lowered, 0)
    elif len(lowered) > 1 and lowered.startswith("0"):
        number = int(lowered, 8)
    else:
        number = int(lowered)
    return -number if sign == "-" else number
