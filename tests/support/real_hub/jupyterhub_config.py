"""The config every real hub of the harness runs with (`jupyterhub -f` this file).

It runs inside the hub's own virtualenv, not the tests' Python: it imports only the standard
library, JupyterHub and DockerSpawner, plus `hubimage/check/kubelet.py` loaded by its path (it
needs nothing but the standard library). Its settings come from a JSON file named by
$HUBIMAGE_REAL_HUB_SETTINGS (ports, the user, the harness's API token); the spawn plan (the
image and what the spawn profile says) from a JSON file the harness writes before each spawn,
read in the pre-spawn hook, so one hub serves spawns under different profiles and images.

How a profile becomes a container: the harness's `plan_for` (spawn.py) says, field by field;
this file applies the plan as KubeSpawner and the kubelet would in Kubernetes.
"""

import importlib.util
import json
import math
import os
import sys
from pathlib import Path

from dockerspawner import DockerSpawner

c = get_config()  # type: ignore[name-defined]  # noqa: F821 (JupyterHub provides it)
settings = json.loads(Path(os.environ["HUBIMAGE_REAL_HUB_SETTINGS"]).read_text())


def _load_profile_module(path):
    spec = importlib.util.spec_from_file_location("hubimage_profile_for_real_hub", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve annotations through sys.modules
    spec.loader.exec_module(module)
    return module


expand_kubelet_env = _load_profile_module(settings["profile_module"]).expand_kubelet_env


class HarnessSpawner(DockerSpawner):
    """DockerSpawner on the host's network, configured per spawn from the harness's plan."""

    plan: dict = {}

    def run_pre_spawn_hook(self):
        # The hook runs before JupyterHub reads start_timeout (and long before http_timeout
        # and get_env), so everything set here is what this spawn uses.
        self.plan = plan = json.loads(Path(settings["plan_file"]).read_text())
        self.image = plan["image"]
        # KubeSpawner: `cmd + args` become the container's args when cmd is set (the image's
        # ENTRYPOINT stays); with no cmd the pod sets nothing and the image's CMD runs alone,
        # without Spawner.args (see get_command).
        self.cmd = plan["cmd"] or []
        self.args = plan["args"]
        self.default_url = plan["default_url"] or ""
        # JupyterHub's two timeouts are Integer traits: whole seconds.
        self.http_timeout = math.ceil(plan["http_timeout"])
        self.start_timeout = math.ceil(plan["start_timeout"])
        # Spawner.mem_limit and cpu_limit: DockerSpawner makes them the container's memory
        # limit and a CFS quota (cpu_quota = cpu_limit x cpu_period of 100 ms, as the kubelet
        # sets a limit), and JupyterHub puts MEM_LIMIT / CPU_LIMIT in the environment, as
        # with KubeSpawner.
        self.mem_limit = plan["memory_limit"]
        self.cpu_limit = plan["cpu_limit"]
        # Each spawn listens on a port of its own: on the host's network, DockerSpawner's
        # fixed 8888 would clash with anything else using it.
        self.port = plan["port"]
        # Mounted files, read-only at their paths (z2jh extraFiles come from a Secret).
        self.volumes = {
            host: {"bind": path, "mode": "ro"} for host, path in plan["file_binds"].items()
        }
        # Seconds `docker stop` waits before it kills. A server still in its start-up (a
        # Python process 1 that has not yet set a SIGTERM handler) ignores SIGTERM, as it
        # would in a pod (30 s grace there); the harness does not judge stopping, so it
        # waits less than Docker's 10 s.
        create = {"labels": plan["labels"], "stop_timeout": 3}
        if plan["user"] is not None:
            create["user"] = plan["user"]  # securityContext.runAsUser
        if plan["working_dir"]:
            create["working_dir"] = plan["working_dir"]  # the container's workingDir
        self.extra_create_kwargs = create
        host = {
            "network_mode": "host",
            "group_add": plan["group_add"],  # fsGroup: a supplementary group of the process
            "security_opt": plan["security_opt"],  # allowPrivilegeEscalation: false
            "tmpfs": plan["tmpfs"],  # home and extra volumes: empty, as a new PVC is
        }
        self.extra_host_config = host
        return super().run_pre_spawn_hook()

    async def get_command(self):
        if not self.cmd:
            return None  # the image's CMD, unchanged (KubeSpawner sets no args then)
        return self.cmd + self.get_args()

    def get_env(self):
        # KubeSpawner lists the spawner's own variables, then extraEnv in order, and the
        # kubelet expands `$(VAR)` in each against those before it.
        env = super().get_env()
        env["JUPYTER_IMAGE"] = self.image  # KubeSpawner sets it beside JUPYTER_IMAGE_SPEC
        return expand_kubelet_env(env, [tuple(pair) for pair in self.plan["environment"]])

    async def get_ip_and_port(self):
        # On the host's network Docker publishes no ports: the server is where it listens.
        return self.ip, self.port


c.JupyterHub.spawner_class = HarnessSpawner
c.DockerSpawner.network_name = "host"
c.DockerSpawner.use_internal_ip = True  # no port bindings (the host network has none)
c.DockerSpawner.ip = "127.0.0.1"  # the server binds loopback only (host network)
c.DockerSpawner.remove = True  # the container goes when the server stops
c.DockerSpawner.pull_policy = "never"  # every image is built locally
c.DockerSpawner.prefix = settings["container_prefix"]  # unique per hub: parallel hubs
c.DockerSpawner.debug = False  # JUPYTERHUB_DEBUG would change what the server does

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = settings["password"]
# JupyterHub 5 and later let nobody in without allowed_users or allow_all; 4 takes it too.
c.Authenticator.allowed_users = {settings["user"]}

c.JupyterHub.bind_url = settings["public_url"]
c.JupyterHub.hub_bind_url = settings["hub_bind_url"]
# The proxy and the single-user servers reach the hub through the harness's recorder, which
# notes every request to the hub (see recorder.py).
c.JupyterHub.hub_connect_url = settings["hub_connect_url"]
c.ConfigurableHTTPProxy.command = [settings["proxy_command"]]
c.ConfigurableHTTPProxy.api_url = settings["proxy_api_url"]
c.ConfigurableHTTPProxy.pid_file = str(Path(settings["state_dir"]) / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{Path(settings['state_dir']) / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(Path(settings["state_dir"]) / "cookie_secret")
c.JupyterHub.pid_file = str(Path(settings["state_dir"]) / "jupyterhub.pid")
c.JupyterHub.log_level = "DEBUG"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# The harness stops servers through the API with a token of its own.
c.JupyterHub.services = [{"name": "hubimage-harness", "api_token": settings["api_token"]}]
c.JupyterHub.load_roles = [
    {
        "name": "hubimage-harness",
        "scopes": ["admin:users", "admin:servers", "list:users", "read:users"],
        "services": ["hubimage-harness"],
    }
]
