"""The container's extra environment as KubeSpawner lists it in the pod.

`KubeSpawner.environment` (singleuser.extraEnv, then hub.config.KubeSpawner.environment,
then profile overrides) maps a name to a string or to an EnvVar-like mapping (`{value: ...}`,
`{valueFrom: ...}`). `_expand_env` keeps only strings, lists and mappings: a number or a
boolean is dropped. `make_pod` (kubespawner/objects.py) lists every variable, the spawner's own
(JUPYTERHUB_*, MEM_LIMIT, ...) and these, in rounds: first those that refer to no other
(`$(NAME)`), then those whose references are all listed, each round sorted by name; what never
resolves comes last, sorted. The kubelet expands `$(NAME)` against the variables listed before,
which is why the order matters; values are left unexpanded here (`expand_kubelet_env` does it
at spawn time).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from hubimage.check.profile import ZERO_TO_JUPYTERHUB, Applied
from hubimage.spawnprofiles.layers import ENCRYPTED_PLACEHOLDER
from hubimage.spawnprofiles.traits import Trait

VALUE_FROM_PLACEHOLDER = "hubimage-value-from-cluster"

# What JupyterHub's Spawner.get_env and KubeSpawner.get_env always or usually set: a
# reference to one of these resolves in the pod.
SPAWNER_VARIABLES = frozenset(
    {
        "JUPYTERHUB_API_TOKEN",
        "JPY_API_TOKEN",
        "JUPYTERHUB_CLIENT_ID",
        "JUPYTERHUB_HOST",
        "JUPYTERHUB_OAUTH_CALLBACK_URL",
        "JUPYTERHUB_OAUTH_SCOPES",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES",
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES",
        "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED",
        "JUPYTERHUB_USER",
        "JUPYTERHUB_SERVER_NAME",
        "JUPYTERHUB_API_URL",
        "JUPYTERHUB_ACTIVITY_URL",
        "JUPYTERHUB_BASE_URL",
        "JUPYTERHUB_SERVICE_PREFIX",
        "JUPYTERHUB_SERVICE_URL",
        "JUPYTERHUB_PUBLIC_URL",
        "JUPYTERHUB_PUBLIC_HUB_URL",
        "MEM_LIMIT",
        "MEM_GUARANTEE",
        "CPU_LIMIT",
        "CPU_GUARANTEE",
        "JUPYTERHUB_DEFAULT_URL",
        "JUPYTERHUB_ROOT_DIR",
        "JUPYTER_IMAGE_SPEC",
        "JUPYTER_IMAGE",
    }
)
_REFERENCE = re.compile(r"\$\(([^\)]+)\)")  # as make_pod finds references
_KUBESPAWNER_FIELD = re.compile(r"\{(username|unescaped_username|servername|user_server|userid)\}")


@dataclass(frozen=True)
class Environment:
    variables: tuple[tuple[str, str], ...]  # in the pod's order
    applied: tuple[Applied, ...]
    notes: tuple[str, ...]


def pod_environment(entries: Mapping[str, Trait], root_dir: Trait | None) -> Environment:
    """The extra variables in pod order, with where each was set and what could not be used.
    `root_dir` is Spawner.notebook_dir, which JupyterHub's get_env passes as
    JUPYTERHUB_ROOT_DIR (`environment` wins over it)."""
    values: dict[str, str] = {}
    applied: list[Applied] = []
    notes: list[str] = []
    if root_dir is not None and root_dir.value:
        values["JUPYTERHUB_ROOT_DIR"] = str(root_dir.value)
        applied.append(_applied(root_dir, f"JUPYTERHUB_ROOT_DIR={root_dir.value}"))
    for key, entry in entries.items():
        value, shown = _value(key, entry, notes)
        if value is None:
            continue
        # make_pod names the variable after the key unless the mapping names it itself
        named = entry.value.get("name") if isinstance(entry.value, dict) else None
        name = named if isinstance(named, str) and named else key
        values[name] = value
        applied.append(_applied(entry, shown))
        if _KUBESPAWNER_FIELD.search(value):
            notes.append(
                f"{entry.setting}: KubeSpawner fills {{username}}-style fields at spawn; "
                "left as written"
            )
    ordered = tuple((name, values[name]) for name in pod_order(values))
    return Environment(
        ordered, tuple(a for a in applied if a.source != ZERO_TO_JUPYTERHUB), tuple(notes)
    )


def _applied(entry: Trait, shown: str) -> Applied:
    return Applied(entry.setting, shown, entry.source)


def _value(name: str, entry: Trait, notes: list[str]) -> tuple[str | None, str]:
    value = entry.value
    if isinstance(value, dict):
        if "valueFrom" in value:
            notes.append(
                f"{entry.setting}: valueFrom ({', '.join(map(str, value['valueFrom'] or {}))}) "
                "is read from the cluster at spawn; a placeholder was used"
            )
            return VALUE_FROM_PLACEHOLDER, "(valueFrom: a placeholder)"
        # make_pod names the EnvVar after the key; without a value Kubernetes sets "".
        value = value.get("value", "")
    if isinstance(value, (bool, int, float)) or value is None:
        notes.append(
            f"{entry.setting} ({entry.source}): {value!r} is not a string; KubeSpawner drops it"
        )
        return None, ""
    if not isinstance(value, str):
        notes.append(f"{entry.setting}: a {type(value).__name__} is no variable value; left out")
        return None, ""
    if value == ENCRYPTED_PLACEHOLDER:
        file = posixpath.basename(entry.source.rsplit(":", 1)[0])
        notes.append(f"{entry.setting}: encrypted in {file}; a placeholder was used")
        return value, "(encrypted: a placeholder)"
    return value, value


def pod_order(values: Mapping[str, str]) -> list[str]:
    """The names in make_pod's order (the spawner's own variables count as listed first)."""
    pending = {
        name: set(_REFERENCE.findall(value)) - {name} - SPAWNER_VARIABLES
        for name, value in values.items()
    }
    listed: set[str] = set()
    order: list[str] = []
    while pending:
        ready = sorted(name for name, needs in pending.items() if needs <= listed)
        if not ready:
            return order + sorted(pending)
        order += ready
        listed.update(ready)
        for name in ready:
            del pending[name]
    return order
