"""server-starts and spawn-time: the server starts as the hub's spawner starts it, in time.

The server's container is the one `check.spawn` makes from the hub's spawn profile (Zero to
JupyterHub's defaults without a hub config), against `hub_api`'s stand-in of the hub. The
hub gives a server `Spawner.http_timeout` (JupyterHub's 30 s unless the hub sets it; 120 s on
2i2c's hubs) to answer once its container runs, and then gives up on it: that is how long
server-starts waits, and what spawn-time judges the start against.
"""

from __future__ import annotations

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import last_lines
from hubimage.check.probe import SINGLEUSER
from hubimage.check.profile import SpawnProfile
from hubimage.check.session import ServerStart, StartState, http_json

__all__ = ["judge_spawn_time", "server_starts", "spawn_time"]


def server_starts(context: CheckContext) -> Outcome:
    start = context.server.start(context)
    if start.state == "serving":
        outcome = _serving(start)
    elif start.state == "not-started":
        outcome = _start_failure(context, start)
    elif start.state == "exited":
        outcome = _crashed(
            context,
            start,
            f"the server exited with code {start.exit_code} after {start.seconds:.1f} s",
        )
    else:
        outcome = _crashed(
            context,
            start,
            f"the server did not answer GET {start.hub.service_prefix}api within the hub's "
            f"http_timeout of {start.waited:g} s{_from(context.profile)}",
        )
    # With the hub's version known the server starts at once; the singleuser probe (a few
    # seconds) is then only asked when the start fails, to tell "missing" from "broken".
    if outcome.status == "fail" and not context.probe.singleuser().found:
        return Outcome(
            "skip",
            f"not started: `{SINGLEUSER}` is not in the image (see singleuser-command)",
        )
    return outcome


def spawn_time(context: CheckContext) -> Outcome:
    """The server answers well within the hub's http_timeout (the pull comes before it)."""
    start = context.server.start(context)
    limit = context.profile.http_timeout
    return judge_spawn_time(start.seconds, start.state, limit, _from(context.profile))


def _from(profile: SpawnProfile) -> str:
    source = profile.source_of("http_timeout")
    return f" ({source})" if source else ""


def judge_spawn_time(seconds: float, state: StartState, limit: float, source: str = "") -> Outcome:
    details: dict[str, object] = {"spawn_seconds": round(seconds, 2), "http_timeout": limit}
    # A server that never answered but outlasted the hub's timeout fails here too.
    outlasted = state == "timeout" and seconds > limit
    if state != "serving" and not outlasted:
        return Outcome("skip", "not timed: the server did not start (see server-starts)")
    shown = f"{seconds:.1f} s" if state == "serving" else f"more than {seconds:.0f} s"
    hint = (
        "make the server start faster: fewer or lighter server extensions and startup "
        "scripts (`jupyter server extension list` in the image shows them), no work in "
        "jupyter_server_config.py; or raise the hub's http_timeout (z2jh: "
        "hub.config.KubeSpawner.http_timeout), and the http-timeout input with it"
    )
    what = f"the hub's http_timeout of {limit:g} s{source}"
    if seconds > limit:
        return Outcome(
            "fail",
            f"the server took {shown} to answer, {what}: the hub gives up on it before a "
            "user sees it",
            hint,
            details,
        )
    if seconds > limit / 2:
        return Outcome(
            "warn",
            f"the server took {shown} to answer, above half {what}: on a busy node, spawns "
            "will time out",
            hint,
            details,
        )
    return Outcome("pass", f"the server answered after {shown}, within {what}", None, details)


def _serving(start: ServerStart) -> Outcome:
    # A request with the hub's token makes the server ask the hub who it belongs to, as every
    # logged-in user's first request does.
    hub, body = start.hub, start.api_body
    auth_status, _ = http_json(
        f"{start.prefix_url}api/status", {"Authorization": f"token {hub.token}"}
    )
    details: dict[str, object] = {
        "startup_seconds": round(start.seconds, 2),
        "jupyter_server_version": body.get("version") if isinstance(body, dict) else None,
        "authenticated_status": auth_status,
        "hub_api_requests": sorted(set(hub.requests)),
    }
    summary = f"the server answered GET {hub.service_prefix}api after {start.seconds:.1f} s"
    if auth_status != 200:
        details["log_tail"] = last_lines(start.start_log)
        return Outcome(
            "warn",
            f"{summary}, but refused a request with the hub's token (HTTP {auth_status})",
            "a custom Authenticator or jupyter_server config in the image may get in the way "
            "of the hub's OAuth; compare with a plain `jupyterhub-singleuser`",
            details,
        )
    return Outcome("pass", summary, None, details)


def _crashed(context: CheckContext, start: ServerStart, what: str) -> Outcome:
    hub, tail = start.hub, last_lines(start.start_log)
    details: dict[str, object] = {
        "log_tail": tail,
        "hub_api_requests": sorted(set(hub.requests)),
        "command": _command(context),
    }
    last = tail[-1] if tail else "no output"
    # Before its first call to the hub the server only reads its config and sets itself up.
    stage = (
        "it stopped before asking the hub, so look at the start command, jupyter_server "
        "config files (/etc/jupyter, the environment's etc/jupyter, ~/.jupyter) and server "
        "extensions; "
        if not hub.requests
        else ""
    )
    hidden = _hidden_by_home(context, start.start_log)
    hint = f"{stage}{hidden}read the whole log of {_by_hand(context)}"
    return Outcome("fail", f"{what}; last log line: {last}", hint, details)


def _command(context: CheckContext) -> list[str]:
    """What the hub's spawner runs: the image's ENTRYPOINT, then the profile's cmd + args."""
    profile = context.profile
    cmd = [*profile.cmd, *profile.args] if profile.cmd else list(context.facts.cmd)
    return [*context.facts.entrypoint, *cmd]


def _by_hand(context: CheckContext) -> str:
    profile = context.profile
    command = " ".join([*profile.cmd, *profile.args]) if profile.cmd else ""
    return f"`docker run --rm -it {context.facts.ref} {command}`".replace(" `", "`")


def _hidden_by_home(context: CheckContext, text: str) -> str:
    """A hint when something missing lies under the home folder, which the hub's volume
    hides (a line of `text` names a path there as not found)."""
    home = context.profile.home_mount_path
    prefix = f"{(home or '').rstrip('/')}/"
    missing = ("No such file", "not found", "can't open", "cannot open", "does not exist")
    if not home or not any(
        prefix in line and any(word in line for word in missing) for line in text.splitlines()
    ):
        return ""
    return (
        f"the hub mounts the user's home volume over {home}, hiding whatever the image put "
        "there (a start script, a config, the repository): keep those outside the home "
        "folder, e.g. in /srv or /opt; "
    )


def _start_failure(context: CheckContext, start: ServerStart) -> Outcome:
    error = start.start_error
    assert error is not None  # set whenever the state is "not-started"
    entrypoint = list(context.facts.entrypoint)
    details: dict[str, object] = {"engine_error": error.message, "entrypoint": entrypoint}
    hidden = _hidden_by_home(context, error.message)
    if entrypoint and entrypoint[0] in error.message:
        return Outcome(
            "fail",
            f"the container cannot start: its ENTRYPOINT {entrypoint[0]} cannot be run "
            f"({error.message})",
            f"{hidden}make {entrypoint[0]} exist and be executable in the image (COPY it and "
            "`chmod +x` it; pangeo-style images need the base image's /srv/start), or fix "
            "ENTRYPOINT in the Dockerfile",
            details,
        )
    return Outcome(
        "fail",
        f"the container cannot start: {error.message}",
        f"{hidden}run the image by hand to see why: {_by_hand(context)}",
        details,
    )
