"""How the kubelet builds a container's environment from its pod's `env` list.

Standard library only, and no hubimage import: the real-hub test harness loads this file by
its path into a JupyterHub's own environment, to spawn exactly as the checks do.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

_REFERENCE = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand_kubelet_env(
    spawner_env: Mapping[str, str], extra: Sequence[tuple[str, str]]
) -> dict[str, str]:
    """The container's environment as the kubelet builds it from the pod's `env` list.

    KubeSpawner lists the spawner's own variables (JUPYTERHUB_*, MEM_LIMIT, ...) first and
    `extraEnv` after them, later entries winning. Each value may refer to a variable listed
    before it as `$(NAME)`; `$$` is a literal `$`; a reference to an unknown name stays as
    written (Kubernetes' `dependent environment variables`).
    """
    env = dict(spawner_env)
    for name, value in extra:
        env[name] = _expand(value, env)
    return env


def _expand(value: str, known: Mapping[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return known[name] if name in known else match.group(0)

    return _REFERENCE.sub(one, value)
