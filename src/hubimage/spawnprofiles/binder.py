"""BinderHub's arguments for a binder hub's servers (2i2c `custom.binderhubUI.enabled`).

basehub's `02-basehub-spawner` snippet makes the spawner class `BinderSpawnerMixin` +
KubeSpawner. The mixin's `get_args` (basehub's `0-binderspawnermixin`, a copy of
binderhub/binderspawner_mixin.py) returns, unless `BinderSpawnerMixin.auth_enabled`:
`--ip=0.0.0.0 --port=<port> --NotebookApp.base_url=<server base URL>
--NotebookApp.token=<the launch's token> --NotebookApp.trust_xheaders=True`, the default URL
and CORS arguments, then `Spawner.args`, then each `--NotebookApp.` argument again as
`--ServerApp.`. The base URL is the server's JUPYTERHUB_SERVICE_PREFIX and the token comes
with each launch: both are written as `$(NAME)` references, which Kubernetes expands in a
container's args from its environment as it does in env values; $(JUPYTERHUB_API_TOKEN)
stands for the launch's token.
"""

from __future__ import annotations

from hubimage.check.profile import Applied
from hubimage.spawnprofiles.spawner import SpawnerConfig
from hubimage.spawnprofiles.traits import Traits, plain

_KUBESPAWNER_PORT = 8888
_NOTEBOOK = "--NotebookApp."


def binder_args(
    traits: Traits, config: SpawnerConfig, args: list[str], applied: list[Applied]
) -> tuple[list[str], list[str]]:
    """(the arguments after cmd, notes) for a server of a binder hub."""
    binder = config.binder
    assert binder is not None
    auth = config.binder_settings.get("auth_enabled")
    if auth is not None and auth.value:
        applied.append(Applied(auth.setting, "true (Spawner.args, as any hub)", auth.source))
        return args, []
    port = plain(traits.get("port")) or _KUBESPAWNER_PORT
    built = [
        "--ip=0.0.0.0",
        f"--port={port}",
        f"{_NOTEBOOK}base_url=$(JUPYTERHUB_SERVICE_PREFIX)",
        f"{_NOTEBOOK}token=$(JUPYTERHUB_API_TOKEN)",
        f"{_NOTEBOOK}trust_xheaders=True",
    ]
    default_url = plain(traits.get("default_url"))
    if default_url:
        built.append(f"{_NOTEBOOK}default_url={default_url}")
    cors = config.binder_settings.get("cors_allow_origin")
    if cors is not None and cors.value:
        built.append(f"{_NOTEBOOK}allow_origin={cors.value}")
        if cors.value == "*":
            built.append(f"{_NOTEBOOK}allow_origin_pat=.*")
    built += args
    built += [
        arg.replace(_NOTEBOOK, "--ServerApp.", 1) for arg in built if arg.startswith(_NOTEBOOK)
    ]
    shown = "BinderHub's arguments (BinderSpawnerMixin.auth_enabled false)"
    applied.append(Applied(binder.setting, f"{shown}: {' '.join(built[:5])} …", binder.source))
    note = (
        "binder hub: the server gets BinderHub's arguments, with the launch's base URL and "
        "token as $(JUPYTERHUB_SERVICE_PREFIX) and $(JUPYTERHUB_API_TOKEN), which Kubernetes "
        "expands in args"
    )
    return built, [note]
