"""server-starts: start the single-user server the way a hub's spawner does, and talk to it.

Like KubeSpawner in zero-to-jupyterhub: the image's ENTRYPOINT is kept, the command is
`jupyterhub-singleuser`, the container runs as uid:gid (1000:100) with the JUPYTERHUB_*
environment of `Spawner.get_env()`, and an empty home volume owned by that user is mounted
on $HOME (a tmpfs here), as the hub's home storage is. The hub itself is `hub_api`'s stand-in.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from typing import Any

from hubimage.check.base import CheckContext, Outcome, home_volume
from hubimage.check.containers import ContainerSpec, ContainerStartError, last_lines, running
from hubimage.check.hub_api import HubApiStandIn, serving
from hubimage.check.probe import SINGLEUSER

POLL_INTERVAL = 0.2
DEFAULT_HUB_VERSION = "5.0.0"  # told to the server when neither the hub's nor the image's is known


def server_starts(context: CheckContext) -> Outcome:
    # With the hub's version known the server starts at once; the singleuser probe (a few
    # seconds) is then only asked when the start fails, to tell "missing" from "broken".
    version = context.options.hub_version
    if version is None:
        version = context.probe.singleuser().version or DEFAULT_HUB_VERSION
    hub = HubApiStandIn(version=version)
    port = _free_port()
    with serving(hub):
        spec = ContainerSpec(
            context.facts.ref,
            command=[SINGLEUSER],
            user=context.spawner_user,
            environment=spawner_environment(hub, port),
            tmpfs=home_volume(context),
            purpose="server-starts",
        )
        try:
            with running(context.engine, spec) as container:
                outcome = _wait_until_serving(context, container, hub, port)
        except ContainerStartError as error:
            outcome = _start_failure(context, error)
    if outcome.status == "fail" and not context.probe.singleuser().found:
        return Outcome(
            "skip",
            f"not started: `{SINGLEUSER}` is not in the image (see singleuser-command)",
        )
    return outcome


def spawner_environment(hub: HubApiStandIn, port: int) -> dict[str, str]:
    """What `Spawner.get_env()` of JupyterHub 5/6 sets for a user's default server."""
    prefix = hub.service_prefix
    scopes = json.dumps(hub.access_scopes)
    return {
        "JUPYTERHUB_API_TOKEN": hub.token,
        "JPY_API_TOKEN": hub.token,
        "JUPYTERHUB_CLIENT_ID": f"jupyterhub-user-{hub.user}",
        "JUPYTERHUB_API_URL": hub.url,
        "JUPYTERHUB_ACTIVITY_URL": f"{hub.url}/users/{hub.user}/activity",
        "JUPYTERHUB_BASE_URL": hub.base_url,
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_USER": hub.user,
        "JUPYTERHUB_SERVER_NAME": "",
        "JUPYTERHUB_HOST": "",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        "JUPYTERHUB_COOKIE_HOST_PREFIX_ENABLED": "0",
        "JUPYTERHUB_PUBLIC_URL": "",
        "JUPYTERHUB_PUBLIC_HUB_URL": "",
    }


def _wait_until_serving(
    context: CheckContext, container: Any, hub: HubApiStandIn, port: int
) -> Outcome:
    started = time.monotonic()
    url = f"http://127.0.0.1:{port}{hub.service_prefix}api"
    deadline = started + context.options.server_timeout
    while time.monotonic() < deadline:
        status, body = _get(url)
        if status == 200:
            ready = time.monotonic() - started
            return _serving(container, hub, url, ready, body)
        container.reload()
        if container.status in ("exited", "dead"):
            code = container.attrs.get("State", {}).get("ExitCode")
            return _crashed(
                context,
                container,
                hub,
                f"the server exited with code {code} after {time.monotonic() - started:.1f} s",
            )
        time.sleep(POLL_INTERVAL)
    return _crashed(
        context,
        container,
        hub,
        f"the server did not answer GET {hub.service_prefix}api "
        f"within {context.options.server_timeout:g} s",
    )


def _serving(container: Any, hub: HubApiStandIn, url: str, ready: float, body: object) -> Outcome:
    # A request with the hub's token makes the server ask the hub who it belongs to, as every
    # logged-in user's first request does.
    auth_status, _ = _get(f"{url}/status", {"Authorization": f"token {hub.token}"})
    details: dict[str, object] = {
        "startup_seconds": round(ready, 2),
        "jupyter_server_version": body.get("version") if isinstance(body, dict) else None,
        "authenticated_status": auth_status,
        "hub_api_requests": sorted(set(hub.requests)),
    }
    summary = f"the server answered GET {hub.service_prefix}api after {ready:.1f} s"
    if auth_status != 200:
        details["log_tail"] = _log_tail(container)
        return Outcome(
            "warn",
            f"{summary}, but refused a request with the hub's token (HTTP {auth_status})",
            "a custom Authenticator or jupyter_server config in the image may get in the way "
            "of the hub's OAuth; compare with a plain `jupyterhub-singleuser`",
            details,
        )
    return Outcome("pass", summary, None, details)


def _crashed(context: CheckContext, container: Any, hub: HubApiStandIn, what: str) -> Outcome:
    tail = _log_tail(container)
    details: dict[str, object] = {"log_tail": tail, "hub_api_requests": sorted(set(hub.requests))}
    last = tail[-1] if tail else "no output"
    # Before its first call to the hub the server only reads its config and sets itself up.
    stage = (
        "it stopped before asking the hub, so look at jupyter_server/notebook config files "
        "(/etc/jupyter, the environment's etc/jupyter, ~/.jupyter) and server extensions; "
        if not hub.requests
        else ""
    )
    hint = f"{stage}read the whole log of {_by_hand(context)}"
    return Outcome("fail", f"{what}; last log line: {last}", hint, details)


def _by_hand(context: CheckContext) -> str:
    return f"`docker run --rm -it {context.facts.ref} jupyterhub-singleuser`"


def _start_failure(context: CheckContext, error: ContainerStartError) -> Outcome:
    entrypoint = list(context.facts.entrypoint)
    details: dict[str, object] = {"engine_error": error.message, "entrypoint": entrypoint}
    if entrypoint and entrypoint[0] in error.message:
        return Outcome(
            "fail",
            f"the container cannot start: its ENTRYPOINT {entrypoint[0]} cannot be run "
            f"({error.message})",
            f"make {entrypoint[0]} exist and be executable in the image (COPY it and "
            "`chmod +x` it; pangeo-style images need the base image's /srv/start), or fix "
            "ENTRYPOINT in the Dockerfile",
            details,
        )
    return Outcome(
        "fail",
        f"the container cannot start: {error.message}",
        f"run the image by hand to see why: {_by_hand(context)}",
        details,
    )


def _log_tail(container: Any) -> list[str]:
    return last_lines(container.logs(stdout=True, stderr=True).decode("utf-8", "replace"))


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int | None, object]:
    """Status and decoded JSON body; (None, None) while nothing listens yet."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (our http URL)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (http only)
            raw = response.read()
            status = int(response.status)
    except urllib.error.HTTPError as error:
        return error.code, None
    except (OSError, ValueError):
        return None, None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
