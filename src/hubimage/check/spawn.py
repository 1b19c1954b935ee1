"""The server container a hub's spawner makes from a spawn profile, on this machine.

As KubeSpawner in Zero to JupyterHub makes the pod, as far as a container can be:

- the image's ENTRYPOINT kept, `cmd + args` as the container's command (the image's CMD when
  the profile has no cmd), `$(VAR)` in them expanded as the kubelet does;
- the user's uid, fsGid as a supplementary group, no privilege escalation;
- the spawner's environment (`Spawner.get_env()`: JUPYTERHUB_*, MEM_LIMIT, CPU_LIMIT, the
  default URL), then `extraEnv` in the pod's order, expanded against what came before;
- the home as an empty volume at `homeMountPath`, owned by the user as fsGroup makes it,
  kept between a first and a second start; `extraVolumeMounts` as empty volumes;
- `extraFiles` written to a folder of their own with their modes and bind-mounted
  read-only over their paths (so with a remote engine the folder must be on its host);
- memory and CPU limits as container limits, the working directory.

What a container cannot be: a pod scheduled on a node (no image pull, node selectors, GPUs,
tolerations), network policy, init and sidecar containers, postStart hooks; the volumes are
empty (a hub's NFS or PVC holds the user's real files).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from hubimage.check.containers import ContainerSpec, check_labels, run_to_end
from hubimage.check.hub_api import HubApiStandIn
from hubimage.check.kubelet import expand_kubelet_env
from hubimage.check.profile import SpawnProfile
from hubimage.engine import DockerEngine

PREPARE_TIMEOUT = 60.0


def spawner_environment(hub: HubApiStandIn, port: int, profile: SpawnProfile) -> dict[str, str]:
    """What `Spawner.get_env()` of JupyterHub 5/6 sets for a user's default server.

    JUPYTERHUB_HOST names the hub's own origin, as on hubs that serve users on their own
    (sub)domain: the server then sends a browser to the stand-in's OAuth pages there.
    """
    prefix = hub.service_prefix
    scopes = json.dumps(hub.access_scopes)
    env = {
        "JUPYTERHUB_API_TOKEN": hub.token,
        "JPY_API_TOKEN": hub.token,
        "JUPYTERHUB_CLIENT_ID": hub.client_id,
        "JUPYTERHUB_API_URL": hub.url,
        "JUPYTERHUB_ACTIVITY_URL": f"{hub.url}/users/{hub.user}/activity",
        "JUPYTERHUB_BASE_URL": hub.base_url,
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_USER": hub.user,
        "JUPYTERHUB_SERVER_NAME": "",
        "JUPYTERHUB_HOST": hub.hub_origin,
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED": "0",
        "JUPYTERHUB_PUBLIC_URL": "",
        "JUPYTERHUB_PUBLIC_HUB_URL": "",
    }
    if profile.memory_limit:
        env["MEM_LIMIT"] = str(profile.memory_limit)
    if profile.cpu_limit:
        env["CPU_LIMIT"] = str(float(profile.cpu_limit))
    if profile.default_url:
        env["JUPYTERHUB_DEFAULT_URL"] = profile.default_url
    return env


def container_environment(
    hub: HubApiStandIn, port: int, profile: SpawnProfile, image: str = ""
) -> dict[str, str]:
    """The spawner's variables, then `extraEnv`: its `{username}`-style fields filled in as
    KubeSpawner fills them, then `$(VAR)` expanded as the kubelet expands it."""
    spawner = spawner_environment(hub, port, profile)
    if image:  # KubeSpawner's own, after JupyterHub's
        spawner["JUPYTER_IMAGE_SPEC"] = spawner["JUPYTER_IMAGE"] = image
    fields = _user_fields(hub.user)
    extra = [(name, _fill(value, fields)) for name, value in profile.environment]
    return expand_kubelet_env(spawner, extra)


def _user_fields(user: str) -> dict[str, object]:
    """KubeSpawner's `_expand_user_properties` fields for the check's user and default
    server, in its "safe" slug scheme (the check's user name is a safe slug already)."""
    escaped = "".join(c if c.islower() or c.isdigit() else f"-{ord(c):x}" for c in user)
    return {
        "userid": 1,
        "unescaped_username": user,
        "unescaped_servername": "",
        "hubnamespace": "user",
        "username": user,
        "servername": "",
        "user_server": user,
        "safe_username": user,
        "safe_servername": "",
        "safe_user_server": user,
        "escaped_username": escaped,
        "escaped_servername": "",
        "escaped_user_server": f"{escaped}--",
        "pod_name": f"jupyter-{user}",
        "pvc_name": f"claim-{user}",
        "namespace": "default",
    }


def _fill(value: str, fields: Mapping[str, object]) -> str:
    """`str.format` as KubeSpawner applies it to each extraEnv value; a value it cannot
    format (a brace of JSON, an unknown field) is kept as written."""
    try:
        return value.format(**fields)
    except (KeyError, IndexError, ValueError, AttributeError):
        return value


def server_command(profile: SpawnProfile, environment: Mapping[str, str]) -> list[str] | None:
    """`cmd + args`, each `$(VAR)` expanded (the kubelet expands the container's args too);
    None keeps the image's CMD, and KubeSpawner then passes no args either."""
    if not profile.cmd:
        return None
    return [_expand_one(part, environment) for part in (*profile.cmd, *profile.args)]


def _expand_one(text: str, environment: Mapping[str, str]) -> str:
    return expand_kubelet_env(environment, [("_", text)])["_"]


def server_container(
    image: str,
    profile: SpawnProfile,
    environment: Mapping[str, str],
    home_volume: str | None,
    files_dir: Path | None,
) -> ContainerSpec:
    """The server's container, created but not started (the start is what spawn-time times)."""
    tmpfs = {
        mount.mount_path: tmpfs_options(profile, mount.read_only)
        for mount in profile.volume_mounts
        if mount.mount_path != profile.home_mount_path
    }
    named = (
        {home_volume: profile.home_mount_path} if home_volume and profile.home_mount_path else {}
    )
    return ContainerSpec(
        image,
        command=server_command(profile, environment),
        user=str(profile.uid) if profile.uid is not None else None,
        group_add=(str(profile.fs_gid),) if profile.fs_gid is not None else (),
        environment=dict(environment),
        tmpfs=tmpfs,
        named_volumes=named,
        volumes=_file_binds(profile, files_dir),
        working_dir=profile.working_dir,
        labels=check_labels("server-starts"),
        start=False,
        mem_limit=profile.memory_limit,
        nano_cpus=int(profile.cpu_limit * 1e9) if profile.cpu_limit else None,
        no_new_privileges=not profile.allow_privilege_escalation,
    )


def tmpfs_options(profile: SpawnProfile, read_only: bool = False) -> str:
    """An empty volume owned by the spawner's user and fsGroup."""
    gid = profile.fs_gid if profile.fs_gid is not None else 0
    owner = f"uid={profile.uid or 0},gid={gid}"
    return f"{owner},mode=0755{',ro' if read_only else ''}"


def _file_binds(profile: SpawnProfile, files_dir: Path | None) -> dict[str, dict[str, str]]:
    if files_dir is None:
        return {}
    return {
        str(files_dir / _file_name(index)): {"bind": mounted.mount_path, "mode": "ro"}
        for index, mounted in enumerate(profile.files)
    }


def _file_name(index: int) -> str:
    return f"file-{index}"


@contextmanager
def written_files(profile: SpawnProfile, scratch: Path | None = None) -> Iterator[Path | None]:
    """The profile's extraFiles in a folder of their own, each with its mode (the Secret's
    files as the kubelet writes them), removed afterwards; None when there are none."""
    if not profile.files:
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="hubimage-files-", dir=scratch))
    try:
        folder.chmod(0o755)
        for index, mounted in enumerate(profile.files):
            target = folder / _file_name(index)
            target.write_bytes(mounted.content)
            os.chmod(target, mounted.mode)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def prepare_home(engine: DockerEngine, image: str, volume: str, profile: SpawnProfile) -> bool:
    """Give a new home volume to the user, as fsGroup (or a hub's init container) does:
    owned by uid with group fsGid. Done as root in a short container of the image itself,
    which has the shell and coreutils the probes need too; False when it could not."""
    path = profile.home_mount_path
    if not path:
        return False
    owner = f"{profile.uid or 0}:{profile.fs_gid if profile.fs_gid is not None else 0}"
    spec = ContainerSpec(
        image,
        # the path goes in as an argument, never into the script's text
        command=['chown "$1" "$2" && chmod 0755 "$2"', "sh", owner, path],
        entrypoint=["/bin/sh", "-c"],
        user="0",
        named_volumes={volume: path},
        labels=check_labels("home-volume"),
    )
    return run_to_end(engine, spec, PREPARE_TIMEOUT).exit_code == 0
