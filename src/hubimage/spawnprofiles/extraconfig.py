"""`hub.extraConfig`: Python code, not evaluated; the snippets known to change the spawn are
recognised by their text and their effect reproduced when their chart flag is on.

basehub's values.yaml (helm-charts/basehub/values.yaml) carries, each behind a flag read with
z2jh's `get_config`:
- `daskhub-01-add-dask-gateway-values` (`custom.daskhubSetup.enabled`): `c.Spawner.default_url
  = '/lab'` and DASK_GATEWAY__* variables whose values come from the hub pod's environment;
- `02-basehub-spawner` (`custom.binderhubUI.enabled`): the spawner class gets BinderHub's
  `BinderSpawnerMixin` (from `0-binderspawnermixin`), whose `get_args` replaces Spawner.args
  unless `BinderSpawnerMixin.auth_enabled`, and `c.Spawner.start_timeout = 15 * 60`;
- `07-enable-fancy-profiles`: jupyterhub-fancy-profiles' `setup_ui(c)`, another options form
  for the same profiles: the spawn is the same.
z2jh runs the snippets after loading `hub.config`, in the order of their names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from hubimage.spawnprofiles.layers import Path, Values
from hubimage.spawnprofiles.traits import Trait

_DASKHUB_FLAG = re.compile(r"""get_config\(\s*['"]custom\.daskhubSetup\.enabled['"]""")
_DEFAULT_URL = re.compile(r"""c\.Spawner\.default_url\s*=\s*['"]([^'"]*)['"]""")
_BINDER_FLAG = re.compile(r"""get_config\(\s*['"]custom\.binderhubUI\.enabled['"]""")
_BINDER_MIXIN = re.compile(r"class BinderSpawnerMixin\b")
_START_TIMEOUT = re.compile(r"c\.Spawner\.start_timeout\s*=\s*([0-9]+(?:\s*\*\s*[0-9]+)*)")
_FANCY = re.compile(r"from jupyterhub_fancy_profiles import setup_ui")


@dataclass(frozen=True)
class ExtraConfig:
    """What the hub's extraConfig snippets are known to do, and notes about the rest."""

    default_url: Trait | None  # c.Spawner.default_url set by a recognised snippet
    start_timeout: Trait | None  # c.Spawner.start_timeout set by a recognised snippet
    binder: Trait | None  # BinderHub's spawner mixin is in the spawner class
    notes: tuple[str, ...]


def read_extra_config(values: Values, jupyterhub: Path) -> ExtraConfig:
    snippets = _snippets(values, jupyterhub)
    if not snippets:
        return ExtraConfig(None, None, None, ())
    recognised: dict[str, str] = {}
    default_url = _daskhub(values, jupyterhub, snippets, recognised)
    binder, start_timeout = _binder(values, jupyterhub, snippets, recognised)
    for name, code in snippets.items():
        if _FANCY.search(code):
            recognised[name] = (
                "jupyterhub-fancy-profiles' options form: the profiles are the same, so is "
                "the spawn"
            )
    others = [name for name in snippets if name not in recognised]
    notes = [f"hub.extraConfig.{name}: {effect}" for name, effect in recognised.items() if effect]
    if others:
        notes.append(
            f"hub.extraConfig ({len(others)} snippet{'s' if len(others) > 1 else ''}: "
            f"{', '.join(others)}) is Python code: not evaluated"
        )
    return ExtraConfig(default_url, start_timeout, binder, tuple(notes))


def fancy_profiles_snippet(values: Values, jupyterhub: Path) -> str | None:
    """The name of the `hub.extraConfig` snippet that sets up jupyterhub-fancy-profiles'
    options form (`from jupyterhub_fancy_profiles import setup_ui`), None when none does."""
    return next(
        (name for name, code in _snippets(values, jupyterhub).items() if _FANCY.search(code)),
        None,
    )


def _snippets(values: Values, jupyterhub: Path) -> dict[str, str]:
    """The hub's extraConfig snippets by name, in the order z2jh runs them (sorted names)."""
    found = values.get((*jupyterhub, "hub", "extraConfig"))
    if not isinstance(found, dict):
        return {}
    return {
        str(name): code
        for name, code in sorted(found.items(), key=lambda item: str(item[0]))
        if isinstance(code, str)
    }


def _flag(values: Values, jupyterhub: Path, name: str) -> tuple[Any, Path]:
    path = (*jupyterhub, "custom", *name.split("."))
    return values.get(path), path


def _daskhub(
    values: Values, jupyterhub: Path, snippets: dict[str, str], recognised: dict[str, str]
) -> Trait | None:
    for name, code in snippets.items():
        url = _DEFAULT_URL.search(code)
        if not (_DASKHUB_FLAG.search(code) and url):
            continue
        enabled, path = _flag(values, jupyterhub, "daskhubSetup.enabled")
        if not enabled:
            recognised[name] = ""  # its flag is off: it does nothing
            return None
        recognised[name] = (
            f"custom.daskhubSetup.enabled: sets Spawner.default_url {url.group(1)} (reproduced) "
            "and DASK_GATEWAY__* variables from the hub pod's environment (not reproduced)"
        )
        return Trait(
            url.group(1),
            "custom.daskhubSetup.enabled",
            values.origin(path),
            path,
            why=f"hub.extraConfig.{name} sets Spawner.default_url",
        )
    return None


def _binder(
    values: Values, jupyterhub: Path, snippets: dict[str, str], recognised: dict[str, str]
) -> tuple[Trait | None, Trait | None]:
    mixin = next((name for name, code in snippets.items() if _BINDER_MIXIN.search(code)), None)
    user = next((name for name, code in snippets.items() if _BINDER_FLAG.search(code)), None)
    if mixin is None or user is None:
        return None, None
    enabled, path = _flag(values, jupyterhub, "binderhubUI.enabled")
    if not enabled:
        recognised[mixin] = ""  # the flag is off: the mixin is not used
        return None, None
    recognised[mixin] = "BinderHub's spawner mixin (reproduced: its arguments)"
    why = f"hub.extraConfig.{user} adds BinderHub's spawner mixin"
    binder = Trait(True, "custom.binderhubUI.enabled", values.origin(path), path, why=why)
    timeout = _START_TIMEOUT.search(snippets[user])
    start_timeout = None
    recognised[user] = "custom.binderhubUI.enabled: BinderHub's spawner (reproduced)"
    if timeout:
        seconds = 1
        for factor in timeout.group(1).split("*"):
            seconds *= int(factor)
        start_timeout = Trait(
            seconds,
            "custom.binderhubUI.enabled",
            values.origin(path),
            path,
            why=f"hub.extraConfig.{user} sets Spawner.start_timeout",
        )
    return binder, start_timeout
