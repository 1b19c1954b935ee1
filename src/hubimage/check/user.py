"""Checks of who the image runs as: singleuser-command, non-root-user, home-writable."""

from __future__ import annotations

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import last_lines
from hubimage.check.probe import SINGLEUSER, Identity

INSTALL_HINT = (
    "install JupyterHub in the image's Python environment, at your hub's major version: "
    "add `jupyterhub` to requirements.txt or environment.yml (repo2docker), "
    "or `RUN pip install jupyterhub` in your Dockerfile"
)


def singleuser_command(context: CheckContext) -> Outcome:
    """`jupyterhub-singleuser --version` runs as the image's default user."""
    probe = context.probe.singleuser()
    details: dict[str, object] = {
        "version": probe.version,
        "path": probe.path,
        "exit_code": probe.exit_code,
        "via_entrypoint": probe.via_entrypoint,
    }
    if not probe.found:
        return Outcome(
            "fail",
            f"`{SINGLEUSER}` is not on the PATH of the image's default user",
            INSTALL_HINT,
            details,
        )
    if probe.exit_code != 0:
        tail = last_lines(probe.output, 15)
        details["log_tail"] = tail
        return Outcome(
            "fail",
            f"`{SINGLEUSER} --version` exits with code {probe.exit_code}: "
            f"{tail[-1] if tail else 'no output'}",
            f"JupyterHub is installed but broken; see the error with "
            f"`docker run --rm {context.facts.ref} {SINGLEUSER} --version`",
            details,
        )
    if probe.version is None:
        details["log_tail"] = last_lines(probe.output, 5)
        return Outcome(
            "warn",
            f"`{SINGLEUSER} --version` runs but prints no version number",
            f"make sure `{SINGLEUSER}` ({probe.path}) is JupyterHub's single-user server",
            details,
        )
    where = " (on PATH only after the image's ENTRYPOINT ran)" if probe.via_entrypoint else ""
    return Outcome("pass", f"{SINGLEUSER} {probe.version} at {probe.path}{where}", None, details)


def non_root_user(context: CheckContext) -> Outcome:
    """The default user is not root and has the uid the hub runs containers as."""
    identity = context.probe.identity(None)
    expected = context.profile.uid
    details = _identity_details(identity)
    details["expected_uid"] = expected
    if expected is None:  # the hub runs the image's own USER
        if identity.uid == 0:
            return Outcome(
                "fail",
                "the image runs as root (uid 0), and the hub runs it as the image's user",
                "add `USER 1000` (or `USER jovyan`) at the end of your Dockerfile",
                details,
            )
        return Outcome("pass", f"runs as {identity.who}, as the hub runs it", None, details)
    source = context.profile.source_of("uid")
    if identity.uid == 0:
        return Outcome(
            "fail",
            "the image runs as root (uid 0)",
            f"add `USER {expected}` (or `USER jovyan`) at the end of your Dockerfile; "
            "repo2docker images get this from --user-id",
            details,
        )
    if identity.uid != expected:
        return Outcome(
            "fail",
            f"the image runs as uid {identity.uid}, but the hub runs containers as uid "
            f"{expected}: files the image made for uid {identity.uid} are not the user's",
            f"create the user with uid {expected} (`useradd --uid {expected} ...`, then "
            f"`USER {expected}`), or check with --uid {identity.uid} if your hub's spawner "
            f"runs as uid {identity.uid} (z2jh: singleuser.uid; here {source or 'the default'})",
            details,
        )
    if not identity.user:
        return Outcome(
            "warn",
            f"uid {identity.uid} has no entry in /etc/passwd",
            f"add the user in the image (`useradd --uid {expected} --gid {_group(context)} "
            "--create-home jovyan`): git, ssh and conda need a user name",
            details,
        )
    return Outcome("pass", f"runs as {identity.who}", None, details)


def home_writable(context: CheckContext) -> Outcome:
    """$HOME exists and is writable, as the default user and as the hub's user and groups.

    (A home the hub mounts its volume over is the volume's, and `second-start` writes into
    it; this is the image's own $HOME, which is what a hub without home storage gives.)
    """
    runs = [context.probe.identity(None), context.probe.identity(context.spawner_user)]
    labels = ["the default user", str(context.spawner_user)]
    details: dict[str, object] = {
        "default_user": _identity_details(runs[0]),
        "spawner_user": _identity_details(runs[1]),
    }
    for identity, label in zip(runs, labels, strict=True):
        problem = _home_problem(identity)
        if problem:
            return Outcome(
                "fail", f"{problem} for {label} {identity.who}", _home_hint(identity), details
            )
    homes = sorted({identity.home for identity in runs})
    return Outcome(
        "pass",
        f"HOME {' and '.join(homes)} is writable as {' and as '.join(labels)}",
        None,
        details,
    )


def _group(context: CheckContext) -> int:
    return context.profile.fs_gid if context.profile.fs_gid is not None else 100


def _home_problem(identity: Identity) -> str | None:
    if not identity.home or identity.home == "/":
        return "HOME is not set"
    if not identity.home_exists:
        return f"HOME {identity.home} does not exist"
    if not identity.home_writable:
        return f"HOME {identity.home} is not writable"
    return None


def _home_hint(identity: Identity) -> str:
    if not identity.home or identity.home == "/":
        return "set `ENV HOME=/home/jovyan` and create that folder for the user"
    return (
        f"give the folder to the user as root, before the final USER line: "
        f"`RUN mkdir -p {identity.home} && chown -R {identity.uid}:{identity.gid} "
        f"{identity.home}` (or `chmod -R g+w` it for gid {identity.gid})"
    )


def _identity_details(identity: Identity) -> dict[str, object]:
    return {
        "uid": identity.uid,
        "gid": identity.gid,
        "user": identity.user,
        "home": identity.home,
        "home_exists": identity.home_exists,
        "home_writable": identity.home_writable,
    }
