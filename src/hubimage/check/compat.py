"""Checks of how the image fits a particular hub: hub-version, repo-visible, image-size."""

from __future__ import annotations

import posixpath

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.model import format_size
from hubimage.check.probe import SINGLEUSER, ProbeFailed
from hubimage.values import HubVersion

REPO_DIR_LABEL = "repo2docker.repo_dir"


def hub_version(context: CheckContext) -> Outcome:
    """The image's JupyterHub has the hub's major version (and not an older minor)."""
    hub = context.options.hub_version
    if hub is None:
        return Outcome("skip", "no hub version given (--hub-version)")
    probe = context.probe.singleuser()
    if not probe.found or probe.version is None:
        return Outcome(
            "skip",
            f"not compared: the image's `{SINGLEUSER}` version is unknown (see singleuser-command)",
        )
    image = HubVersion.read(probe.version)
    details: dict[str, object] = {"hub_version": str(hub), "image_version": probe.version}
    series = f"{hub.major}.{hub.minor}.*" if hub.minor is not None else f"{hub.major}.*"
    pin = f"pin `jupyterhub=={series}` (your hub's version) in the image"
    if image is None:
        return Outcome(
            "warn", f"cannot read the image's JupyterHub version {probe.version!r}", pin, details
        )
    if image.major != hub.major:
        return Outcome(
            "fail",
            f"the image has JupyterHub {probe.version}, the hub runs {hub}: a different "
            "major version breaks the login handshake (users end in a redirect loop)",
            pin,
            details,
        )
    if hub.minor is not None and (image.minor or 0) < hub.minor:
        return Outcome(
            "warn",
            f"the image has JupyterHub {probe.version}, older than the hub's {hub}: "
            "it works, but may miss what the hub expects of it",
            pin,
            details,
        )
    return Outcome(
        "pass", f"JupyterHub {probe.version} in the image matches the hub's {hub}", None, details
    )


def repo_visible(context: CheckContext) -> Outcome:
    """Nothing the image needs at run time lives where the hub mounts the user's home volume
    (`homeMountPath`, /home/jovyan on Zero to JupyterHub whatever the image's HOME), which
    hides it; and the image's HOME is that folder, or users' files are not kept."""
    home = context.profile.home_mount_path
    if not home:
        return Outcome("skip", "the hub mounts no home volume (storage.type: none)")
    try:
        identity = context.probe.identity(None)
        image_home, entries = identity.home, list(identity.home_entries)
    except ProbeFailed:
        image_home, entries = context.facts.env.get("HOME", ""), []
    if image_home.rstrip("/") != home.rstrip("/"):
        entries = []  # the probe listed another folder
    problems = _hidden_paths(context, home)
    if entries:
        problems.append(
            f"files in {home}: {', '.join(entries[:5])}" + (", ..." if len(entries) > 5 else "")
        )
    details: dict[str, object] = {
        "home": home,
        "image_home": image_home,
        "home_entries": entries,
        "problems": problems,
    }
    if image_home.startswith("/") and image_home.rstrip("/") != home.rstrip("/"):
        return Outcome(
            "warn",
            f"the image's HOME is {image_home}, but the hub mounts the user's home volume on "
            f"{home}: what users keep in their home is not kept between servers",
            f"set `ENV HOME={home}` in the image, or singleuser.storage.homeMountPath "
            f"to {image_home} on the hub",
            details,
        )
    if problems:
        return Outcome(
            "warn",
            f"hidden on a hub that mounts a home volume on {home}: {'; '.join(problems)}",
            "move repository content and start scripts out of $HOME, e.g. to /srv/repo: "
            "repo2docker's --target-repo-dir /srv/repo, or COPY to /srv in your Dockerfile",
            details,
        )
    return Outcome("pass", f"nothing the image ships lives under {home}", None, details)


def _hidden_paths(context: CheckContext, home: str) -> list[str]:
    facts = context.facts
    problems: list[str] = []
    repo_dir = facts.labels.get(REPO_DIR_LABEL) or facts.env.get("REPO_DIR")
    if repo_dir and _under(repo_dir, home):
        problems.append(f"the repository (repo2docker REPO_DIR {repo_dir})")
    if facts.entrypoint and _under(facts.entrypoint[0], home):
        problems.append(f"the ENTRYPOINT {facts.entrypoint[0]}")
    if (
        facts.working_dir
        and _under(facts.working_dir, home)
        and (posixpath.normpath(facts.working_dir) != posixpath.normpath(home))
    ):
        problems.append(f"the working directory {facts.working_dir}")
    return problems


def _under(path: str, home: str) -> bool:
    path, home = posixpath.normpath(path), posixpath.normpath(home)
    return path == home or path.startswith(home.rstrip("/") + "/")


SIZE_HINT = (
    "leave build tools, caches and test data out of the image (`pip --no-cache-dir`, "
    "`conda clean -afy`, multi-stage builds)"
)


def image_size(context: CheckContext) -> Outcome:
    """The uncompressed size against the warning threshold and the budget (max-image-size)."""
    size, limit = context.facts.size, context.options.size_warn_bytes
    budget = context.options.max_image_bytes
    details: dict[str, object] = {"bytes": size, "warn_above_bytes": limit, "max_bytes": budget}
    shown = f"{format_size(size)} (uncompressed)"
    change = _change(context, size, details)
    if budget is not None and size > budget:
        return Outcome(
            "fail",
            f"the image is {shown}, above its budget of {format_size(budget)} "
            f"(max-image-size){change}",
            f"{SIZE_HINT}, or raise max-image-size if the hub's nodes can take it",
            details,
        )
    if size > limit:
        return Outcome(
            "warn",
            f"the image is {shown}, above {format_size(limit)}{change}: first starts on a new "
            "hub node wait for the pull and may hit the spawner's start timeout",
            f"{SIZE_HINT}, or raise the threshold",
            details,
        )
    return Outcome("pass", f"{shown}{change}", None, details)


def _change(context: CheckContext, size: int, details: dict[str, object]) -> str:
    """`, +12.0 MB against IMAGE` for the image the hub runs now, when it is local."""
    previous = context.options.previous_image
    if not previous:
        return ""
    info = context.engine.inspect_image(previous)
    if info is None or not info.get("Size"):
        return ""
    before = int(info["Size"])
    details.update(previous_image=previous, previous_bytes=before, change_bytes=size - before)
    sign = "+" if size >= before else "-"
    return f", {sign}{format_size(abs(size - before))} against the hub's {previous}"
