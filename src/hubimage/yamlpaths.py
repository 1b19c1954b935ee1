"""Paths into a YAML document: a tuple of mapping keys (str) and sequence indices (int).

Written as `a.b[0].c`; a key that holds a dot, a bracket or a quote is written `["a.b"]`
(so `nginx.ingress.kubernetes.io/proxy-body-size` round-trips).
"""

from __future__ import annotations

import re

from hubimage.errors import ConfigError

PathKey = str | int
YamlPath = tuple[PathKey, ...]

_PLAIN_KEY = re.compile(r"[^.\[\]\"'\s]+")
_SEGMENT = re.compile(
    r"""
    (?P<plain>[^.\[\]"'\s]+)          # key
  | \[(?P<index>[0-9]+)\]              # [0]
  | \["(?P<quoted>(?:[^"\\]|\\.)*)"\]  # ["a.b"]
    """,
    re.VERBOSE,
)


def format_path(path: YamlPath) -> str:
    """`('a', 'b.c', 0, 'd')` -> `a["b.c"][0].d`."""
    text = ""
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif _PLAIN_KEY.fullmatch(key):
            text += f".{key}" if text else key
        else:
            escaped = key.replace("\\", "\\\\").replace('"', '\\"')
            text += f'["{escaped}"]'
    return text


def parse_path(text: str) -> YamlPath:
    """Parse a dotted path with `[index]` and `["quoted.key"]` segments (ConfigError if bad)."""
    keys: list[PathKey] = []
    position = 0
    while position < len(text):
        if keys and text[position] == ".":
            position += 1
        match = _SEGMENT.match(text, position) if position < len(text) else None
        if match is None:
            raise ConfigError(
                f"invalid path {text!r} at character {position + 1}",
                hint='write a path as keys joined by ".", with [N] for list items, '
                "e.g. jupyterhub.singleuser.profileList[0].kubespawner_override.image",
            )
        if match["plain"] is not None:
            keys.append(match["plain"])
        elif match["index"] is not None:
            keys.append(int(match["index"]))
        else:
            keys.append(re.sub(r"\\(.)", r"\1", match["quoted"]))
        position = match.end()
    if not keys:
        raise ConfigError(f"invalid path {text!r}: it is empty")
    return tuple(keys)
