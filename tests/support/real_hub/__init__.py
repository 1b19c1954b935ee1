"""A real JupyterHub that spawns an image under a spawn profile, to hold hubimage's hub
stand-in to the real thing.

    with running_hub(engine, 6) as hub:
        with spawn_on_real_hub(engine, image, profile, 6, hub=hub) as spawn:
            spawn.started, spawn.landing_url, spawn.hub_requests, spawn.environment ...

- installs.py: JupyterHub 4, 5 and 6 (each with DockerSpawner) and configurable-http-proxy,
  installed once into a cache outside the checkout;
- hub.py: one `jupyterhub` process with its proxy on free ports of 127.0.0.1;
- jupyterhub_config.py: the config it runs (DockerSpawner on the host's network, applying a
  spawn plan as KubeSpawner would);
- spawn.py: a spawn profile as a plan, the browser's login and spawn, and the record;
- recorder.py: a recording proxy in front of the hub: who asked the hub what, in order.
"""

from support.real_hub.hub import DEFAULT_USER, HubFailed, RealHub, running_hub
from support.real_hub.installs import JUPYTERHUB_VERSIONS, HubInstall, hub_install
from support.real_hub.recorder import HubCall
from support.real_hub.spawn import RealSpawn, plan_for, spawn, spawn_on_real_hub

__all__ = [
    "DEFAULT_USER",
    "JUPYTERHUB_VERSIONS",
    "HubCall",
    "HubFailed",
    "HubInstall",
    "RealHub",
    "RealSpawn",
    "hub_install",
    "plan_for",
    "running_hub",
    "spawn",
    "spawn_on_real_hub",
]
