"""Helm's `toJson`, `toYaml` and `toToml`, as far as practical, for z2jh's extraFiles `data`.

Helm reads values through JSON, so every number is a float64 (`bar: 9` is 9.0) and mapping
keys are strings:
- `toJson` is Go's json.Marshal: compact, keys sorted bytewise, `<`, `>`, `&` escaped, numbers
  in Go's shortest form (9, 0.5, 1e+21, 1e-7);
- `toYaml` is sigs.k8s.io/yaml: JSON reparsed and written by go-yaml v2: keys in go-yaml's
  natural order (non-letters before letters, digit runs by value), 2-space indentation,
  sequences not indented under their key, strings plain where YAML 1.1 reads them back as
  strings, else quoted; a trailing newline trimmed. go-yaml also folds long lines at 80
  columns; this does not (the parsed value is the same);
- `toToml` is BurntSushi/toml's encoder: plain keys first then tables, each group sorted,
  tables indented two spaces per level, every number a float (`bar = 9.0`, helm/helm#12987).
"""

from __future__ import annotations

import functools
import json
import math
import re
from decimal import Decimal
from typing import Any

# --- toJson ------------------------------------------------------------------------------


def go_json(value: Any) -> str:
    return _json(value)


def _json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return go_number(float(value), json_format=True)
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{_json_string(k)}:{_json(v)}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return _json_string(str(value))


def _json_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        encoded = encoded.replace(char, escape)
    return encoded.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def go_number(number: float, *, json_format: bool) -> str:
    """A float64 as Go's encoding/json writes it (`json_format`), else as strconv 'g'."""
    if math.isnan(number) or math.isinf(number):
        return "null" if json_format else (".nan" if math.isnan(number) else ".inf")
    if number == 0:
        return "0"
    digits, exponent = _shortest(number)
    if json_format:
        scientific = abs(number) < 1e-6 or abs(number) >= 1e21
    else:  # strconv's 'g' with the shortest digits decides with precision 6
        scientific = exponent < -4 or exponent >= 6
    sign = "-" if number < 0 else ""
    if scientific:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        width = 1 if json_format else 2
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):0{width}d}"
    if exponent >= len(digits) - 1:
        return sign + digits + "0" * (exponent - len(digits) + 1)
    if exponent >= 0:
        return f"{sign}{digits[: exponent + 1]}.{digits[exponent + 1 :]}"
    return f"{sign}0.{'0' * (-exponent - 1)}{digits}"


def _shortest(number: float) -> tuple[str, int]:
    """The shortest decimal digits that read back as `number`, and the decimal exponent."""
    _, digits, exponent = Decimal(repr(abs(number))).normalize().as_tuple()
    text = "".join(str(d) for d in digits)
    assert isinstance(exponent, int)
    return text, exponent + len(text) - 1


# --- toYaml ------------------------------------------------------------------------------


def go_yaml(value: Any) -> str:
    """sigs.k8s.io/yaml's Marshal, without its trailing newline (Helm trims it)."""
    return "\n".join(_yaml_lines(value, 0)).rstrip("\n")


def _yaml_lines(value: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = []
        items = {str(k): v for k, v in value.items()}
        for key in sorted(items, key=functools.cmp_to_key(_natural_cmp)):
            lines += _yaml_entry(pad + _yaml_scalar(key) + ":", items[key], indent, indent + 2)
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            lines += _yaml_entry(pad + "-", item, indent, indent + 2, in_sequence=True)
        return lines
    return [pad + _yaml_scalar(value)]


def _yaml_entry(
    head: str, value: Any, indent: int, child: int, in_sequence: bool = False
) -> list[str]:
    if isinstance(value, dict) and value:
        inner = _yaml_lines(value, child)
        if in_sequence:  # `- key: value`, the rest under it
            return [head + " " + inner[0].lstrip(" "), *inner[1:]]
        return [head, *inner]
    if isinstance(value, list) and value:
        inner = _yaml_lines(value, child if in_sequence else indent)
        if in_sequence:
            return [head + " " + inner[0].lstrip(" "), *inner[1:]]
        return [head, *inner]
    if isinstance(value, str) and "\n" in value and _literal_allowed(value):
        return [head + " " + _literal_header(value), *_literal_body(value, child)]
    return [head + " " + _yaml_scalar(value)]


def _literal_allowed(text: str) -> bool:
    # libyaml refuses a block scalar for trailing spaces (on any line) and special characters.
    lines = text.split("\n")
    return all(line == line.rstrip(" ") and (line.isprintable() or not line) for line in lines)


def _literal_header(text: str) -> str:
    chomp = "-" if not text.endswith("\n") else ("+" if text.endswith("\n\n") else "")
    indicator = "2" if text[:1] in (" ", "\n") else ""
    return "|" + indicator + chomp


def _literal_body(text: str, indent: int) -> list[str]:
    body = text[:-1] if text.endswith("\n") else text
    return [(" " * indent + line) if line else "" for line in body.split("\n")]


_YAML11_NOT_STRING = re.compile(
    r"""(?x)
    ~|null|Null|NULL|
    y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|
    [-+]?0b[01_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|
    [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+|
    [-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|
    [-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)|<<
    """
)
_PLAIN_FIRST = set("-?:,[]{}#&*!|>'\"%@`")


def _yaml_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        # Through JSON: a whole number comes back as a YAML int, the rest as a float.
        text = go_number(float(value), json_format=True)
        return (
            text if re.fullmatch(r"-?[0-9]+", text) else go_number(float(value), json_format=False)
        )
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    text = str(value)
    if _plain(text):
        return text
    if _YAML11_NOT_STRING.fullmatch(text) or not text.isprintable() or text != text.rstrip():
        return (
            _json_string(text)
            .replace("\\u003c", "<")
            .replace("\\u003e", ">")
            .replace("\\u0026", "&")
        )
    return "'" + text.replace("'", "''") + "'"


def _plain(text: str) -> bool:
    return bool(
        text
        and not _YAML11_NOT_STRING.fullmatch(text)
        and text.isprintable()
        and text == text.strip()
        and text[0] not in _PLAIN_FIRST
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
    )


def _natural_cmp(a: str, b: str) -> int:
    """go-yaml v2's keyList.Less on strings (sorter.go)."""
    for i in range(min(len(a), len(b))):
        if a[i] == b[i]:
            continue
        a_letter, b_letter = a[i].isalpha(), b[i].isalpha()
        if a_letter and b_letter:
            return -1 if a[i] < b[i] else 1
        if a_letter or b_letter:
            return -1 if b_letter else 1
        a_run, b_run = _digits(a, i), _digits(b, i)
        if a_run and b_run and int(a_run) != int(b_run):
            return -1 if int(a_run) < int(b_run) else 1
        if len(a_run) != len(b_run):
            return -1 if len(a_run) < len(b_run) else 1
        return -1 if a[i] < b[i] else 1
    return (len(a) > len(b)) - (len(a) < len(b))


def _digits(text: str, start: int) -> str:
    end = start
    while end < len(text) and text[end].isdigit():
        end += 1
    return text[start:end]


# --- toToml ------------------------------------------------------------------------------


def go_toml(value: Any) -> str:
    out: list[str] = []
    if isinstance(value, dict):
        _toml_table(value, (), out)
    return "".join(out)


def _toml_table(table: dict[Any, Any], key: tuple[str, ...], out: list[str]) -> None:
    items = {str(k): v for k, v in table.items() if v is not None}
    direct = sorted(k for k, v in items.items() if not _is_table(v))
    nested = sorted(k for k, v in items.items() if _is_table(v))
    indent = "  " * max(len(key), 0)
    for name in direct:
        out.append(f"{indent}{_toml_key(name)} = {_toml_value(items[name])}\n")
    for name in nested:
        child, value = (*key, name), items[name]
        header = ".".join(_toml_key(part) for part in child)
        pad = "  " * (len(child) - 1)
        if isinstance(value, dict):
            if len(child) == 1 and out:
                out.append("\n")
            out.append(f"{pad}[{header}]\n")
            _toml_table(value, child, out)
        else:
            for item in value:
                if out:
                    out.append("\n")
                out.append(f"{pad}[[{header}]]\n")
                _toml_table(item, child, out)


def _is_table(value: Any) -> bool:
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isnan(number):
            return "nan"
        if math.isinf(number):
            return "inf" if number > 0 else "-inf"
        # strconv 'f' with the shortest digits, then ".0" if it has no point (floatAddDecimal).
        text = f"{Decimal(repr(number)):f}"
        return text if "." in text else text + ".0"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        inline = sorted((str(k), v) for k, v in value.items() if v is not None)
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in inline) + "}"
    return _toml_string(str(value))


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    for char, escape in (("\b", "\\b"), ("\t", "\\t"), ("\n", "\\n"), ("\f", "\\f"), ("\r", "\\r")):
        escaped = escaped.replace(char, escape)
    escaped = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\u{ord(m.group()):04X}", escaped)
    return f'"{escaped}"'
