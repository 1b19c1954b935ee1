"""server-starts: start the single-user server the way a hub's spawner does, and talk to it.

Like KubeSpawner in zero-to-jupyterhub: the image's ENTRYPOINT is kept, the command is
`jupyterhub-singleuser`, the container runs as uid:gid (1000:100) with the JUPYTERHUB_*
environment of `Spawner.get_env()`, and an empty home volume owned by that user is mounted
on $HOME (a tmpfs here), as the hub's home storage is. The hub itself is `hub_api`'s stand-in.
"""

from __future__ import annotations

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import last_lines
from hubimage.check.probe import SINGLEUSER
from hubimage.check.session import ServerStart, StartState, http_json, spawner_environment

__all__ = ["server_starts", "spawn_time", "spawner_environment"]


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
            f"the server did not answer GET {start.hub.service_prefix}api "
            f"within {context.options.server_timeout:g} s",
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
    """The server answers well within the hub's start timeout (the pull comes on top)."""
    start = context.server.start(context)
    return judge_spawn_time(start.seconds, start.state, context.options.spawn_timeout)


def judge_spawn_time(seconds: float, state: StartState, limit: float) -> Outcome:
    details: dict[str, object] = {"spawn_seconds": round(seconds, 2), "spawn_timeout": limit}
    # A server that never answered but outlasted the hub's timeout fails here too.
    outlasted = state == "timeout" and seconds > limit
    if state != "serving" and not outlasted:
        return Outcome("skip", "not timed: the server did not start (see server-starts)")
    shown = f"{seconds:.1f} s" if state == "serving" else f"more than {seconds:.0f} s"
    hint = (
        "make the server start faster: fewer or lighter server extensions and startup "
        "scripts (`jupyter server extension list` in the image shows them), no work in "
        "jupyter_server_config.py; or raise the hub's start timeout (z2jh: "
        "singleuser.startTimeout) and the spawn-timeout input with it"
    )
    if seconds > limit:
        return Outcome(
            "fail",
            f"the server took {shown} to answer, above the hub's start timeout of {limit:g} s: "
            "the hub gives up on it before a user sees it",
            hint,
            details,
        )
    if seconds > limit / 2:
        return Outcome(
            "warn",
            f"the server took {shown} to answer, above half the hub's start timeout of "
            f"{limit:g} s: with the image pull on a new node, spawns will time out",
            hint,
            details,
        )
    return Outcome(
        "pass",
        f"the server answered after {shown}, within the hub's start timeout of {limit:g} s",
        None,
        details,
    )


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


def _start_failure(context: CheckContext, start: ServerStart) -> Outcome:
    error = start.start_error
    assert error is not None  # set whenever the state is "not-started"
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
