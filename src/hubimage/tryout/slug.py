"""A profile's slug as KubeSpawner makes it, in the standard library.

KubeSpawner (`_get_initialized_profile_list`, kubespawner/spawner.py) gives a profile without
`slug` the slug `slugify(display_name)` of python-slugify (`from slugify import slugify`),
whose default is its frozen legacy pipeline (slugify/_legacy.py, python-slugify 9.2):

1. `'` becomes `-`;
2. NFKD, then non-ASCII text transliterated by text-unidecode (Unidecode when installed);
3. HTML entities decoded (named, then decimal, then hexadecimal; the numeric ones all or
   nothing), *after* transliteration, so a decoded `&eacute;` is never transliterated;
4. NFKD again, lower-case, `'` removed, commas between digits removed;
5. every run of characters other than `-`, ASCII letters and digits becomes `-`; runs of
   `-` become one, and `-` is stripped from both ends.

Transliteration is a table of tens of thousands of characters; this module knows only the
part hub profile names use (Latin letters with accents, the Latin letters without a
decomposition, common punctuation and spaces). For any other character `kubespawner_slug`
returns None rather than guess: a wrong slug would send a link to another profile.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from html.entities import name2codepoint

_CHAR_ENTITY = re.compile(r"&(%s);" % "|".join(name2codepoint))  # noqa: UP031 (as slugify builds it)
_DECIMAL = re.compile(r"&#(\d+);")
_HEX = re.compile(r"&#x([\da-fA-F]+);")
_QUOTE = re.compile(r"[']+")
_DISALLOWED = re.compile(r"[^-a-zA-Z0-9]+")
_DUPLICATE_DASH = re.compile(r"-{2,}")
_NUMBERS = re.compile(r"(?<=\d),(?=\d)")

# What text-unidecode 1.3 gives for the characters that NFKD leaves outside ASCII (each
# checked against python-slugify in tests/unit/test_tryout_slug.py).
_TRANSLITERATED = {
    # Latin-1 Supplement and Latin Extended-A letters without a decomposition
    "\u00c6": "AE", "\u00e6": "ae", "\u00d0": "D", "\u00f0": "d", "\u00d8": "O", "\u00f8": "o",
    "\u00de": "Th", "\u00fe": "th", "\u00df": "ss", "\u0110": "D", "\u0111": "d", "\u0126": "H",
    "\u0127": "h", "\u0131": "i", "\u0138": "k", "\u013f": "L", "\u0140": "l", "\u0141": "L",
    "\u0142": "l", "\u014a": "ng", "\u014b": "NG", "\u0152": "OE", "\u0153": "oe",
    "\u0166": "T", "\u0167": "t",
    # punctuation and symbols (quotes, dashes, bullets, guillemets, signs), the soft hyphen
    "\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201a": ",", "\u201c": '"', "\u201d": '"',
    "\u201f": '"', "\u201e": ",,", "\u2013": "-", "\u2014": "--", "\u2015": "--", "\u2022": "*",
    "\u00b7": "*", "\u00ab": "<<", "\u00bb": ">>", "\u2039": "<", "\u203a": ">", "\u00a1": "!",
    "\u00bf": "?", "\u00a9": "(c)", "\u00ae": "(r)", "\u00b0": "deg", "\u00b1": "+-",
    "\u00d7": "x", "\u00f7": "/", "\u2044": "/", "\u20ac": "EUR", "\u00a3": "PS",
    "\u00a5": "Y=", "\u00a7": "SS", "\u00b6": "P", "\u00a6": "|", "\u00ac": "!", "\u00ad": "",
}  # fmt: skip
# Space separators text-unidecode turns into a space (U+205F is not one of them).
_SPACES = frozenset("\u00a0\u1680\u202f" + "".join(chr(c) for c in range(0x2000, 0x200B)))


def kubespawner_slug(display_name: object) -> str | None:
    """`slugify(display_name)` as python-slugify's default makes it; None when the name holds
    a character this module cannot transliterate (or is not text)."""
    if not isinstance(display_name, str):
        return None
    text = _QUOTE.sub("-", display_name)
    text = unicodedata.normalize("NFKD", text)
    if not text.isascii():
        transliterated = _transliterate(text)
        if transliterated is None:
            return None
        text = transliterated
    text = _decode_entities(text)
    text = unicodedata.normalize("NFKD", text)
    text = text.lower()
    text = _QUOTE.sub("", text)
    text = _NUMBERS.sub("", text)
    text = _DISALLOWED.sub("-", text)
    return _DUPLICATE_DASH.sub("-", text).strip("-")


def _transliterate(text: str) -> str | None:
    parts = []
    for char in text:
        if char.isascii():
            parts.append(char)
        elif "\u0300" <= char <= "\u034e":  # combining marks an accent decomposes into
            continue
        elif char in _SPACES:
            parts.append(" ")
        elif char in _TRANSLITERATED:
            parts.append(_TRANSLITERATED[char])
        else:
            return None
    return "".join(parts)


def _decode_entities(text: str) -> str:
    text = _CHAR_ENTITY.sub(lambda m: chr(name2codepoint[m.group(1)]), text)
    # All or nothing, as slugify's legacy pipeline does.
    with contextlib.suppress(ValueError, OverflowError):
        text = _DECIMAL.sub(lambda m: chr(int(m.group(1))), text)
    with contextlib.suppress(ValueError, OverflowError):
        text = _HEX.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text
