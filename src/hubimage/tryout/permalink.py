"""jupyterhub-fancy-profiles' permalinks, built as the form itself builds them.

From the package's own sources (jupyterhub-fancy-profiles 0.7.0 on PyPI ships them in
`static/dist/form.js.map`): `src/context/Permalink.tsx` keeps the form's values in an object
and copies

    `${location.origin}/hub/login?next=/hub/spawn%23` + params.toString()

where `params` is a `URLSearchParams` holding one key, `fancy-forms-config`, whose value is
`JSON.stringify` of that object. `src/ProfileForm.tsx` sets `profile` (the profile's slug);
`src/ResourceSelect.tsx` sets, for each option of the selected profile, `<option>` (the choice
key, `unlisted_choice` for the "Other..." entry) and `<option>:unlisted_choice` (the typed
text). The form reads the same object back from `location.hash` when the hub's spawn page
opens, and with `autoStart: "true"` submits itself once (ProfileForm.tsx).

JupyterHub's login page decodes `next` once (a query argument) and redirects to it, so the
form reads the JSON after two decodings: a value holding `+`, `&` or `%` would not survive
that, and `survives_login_redirect` says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

QUERY_PARAMETER = "fancy-forms-config"
UNLISTED_CHOICE = "unlisted_choice"
_FORM_URLENCODED_SAFE = frozenset(
    b"*-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)


def form_urlencode(text: str) -> str:
    """The application/x-www-form-urlencoded byte serializer (what `URLSearchParams`
    writes): UTF-8, space as `+`, everything but ASCII alphanumerics and `*-._` as %XX."""
    out = []
    for byte in text.encode("utf-8"):
        if byte in _FORM_URLENCODED_SAFE:
            out.append(chr(byte))
        elif byte == 0x20:
            out.append("+")
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def json_stringify(values: Mapping[str, str]) -> str:
    """`JSON.stringify` of an object of strings: no spaces, non-ASCII kept as it is."""
    return json.dumps(dict(values), separators=(",", ":"), ensure_ascii=False)


def form_config(profile: str, option: str, typed: str) -> dict[str, str]:
    """The form's values for `profile` with `typed` in its `option`'s unlisted choice, set
    to start at once; keys in the order the form sets them."""
    return {
        "profile": profile,
        option: UNLISTED_CHOICE,
        f"{option}:{UNLISTED_CHOICE}": typed,
        "autoStart": "true",
    }


def spawn_fragment(config: Mapping[str, str]) -> str:
    """`fancy-forms-config=<encoded JSON>`: what follows `/hub/spawn%23` in the link."""
    return f"{QUERY_PARAMETER}={form_urlencode(json_stringify(config))}"


def permalink(origin: str, config: Mapping[str, str], base_url: str = "/") -> str:
    """The link: `origin` is `https://<hub domain>`; `base_url` is JupyterHub's (z2jh
    `hub.baseUrl`), `/` on almost every hub (the form itself assumes `/`)."""
    prefix = "/" + base_url.strip("/") if base_url.strip("/") else ""
    return f"{origin}{prefix}/hub/login?next={prefix}/hub/spawn%23{spawn_fragment(config)}"


def survives_login_redirect(value: str) -> bool:
    """Whether `value` reaches the form unchanged through JupyterHub's login redirect."""
    return not any(char in value for char in "+&%")
