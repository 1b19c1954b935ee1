"""The shape of one check: a function from what it may use to an `Outcome`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubimage.check.model import CheckOptions, Status
from hubimage.check.probe import ImageFacts, ImageProbe, ProbeFailed, SpawnerUser
from hubimage.check.profile import SpawnProfile
from hubimage.engine import DockerEngine

if TYPE_CHECKING:
    from hubimage.check.session import ServerSession


@dataclass(frozen=True)
class Outcome:
    """A check's verdict; the runner adds its name and the time it took."""

    status: Status
    summary: str
    hint: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckContext:
    """What a check may use: the image, its probes, the options, and the spawn profile it
    is checked under with that profile's one server (started on first use)."""

    engine: DockerEngine
    facts: ImageFacts
    probe: ImageProbe
    options: CheckOptions
    server: ServerSession
    profile: SpawnProfile
    index: int = 0  # which distinct profile of the run (names its screenshot)

    @property
    def spawner_user(self) -> SpawnerUser:
        """Who the hub's spawner runs the container as: KubeSpawner's uid (runAsUser), with
        fsGid as a supplementary group (the pod's fsGroup); the primary group is the
        image's, as a container runtime gives it."""
        groups = (str(self.profile.fs_gid),) if self.profile.fs_gid is not None else ()
        user = str(self.profile.uid) if self.profile.uid is not None else None
        return SpawnerUser(user, groups)


def home_path(context: CheckContext) -> str | None:
    """Where the hub mounts the user's home (z2jh homeMountPath), or None without one."""
    return context.profile.home_mount_path


def probe_home(context: CheckContext) -> str:
    """The image's HOME for the spawner's user ("" when it cannot be told)."""
    # An image's ENV HOME is what a container gets whatever its uid: no probe needed then.
    home = context.facts.env.get("HOME", "")
    if home.startswith("/"):
        return home
    try:
        return context.probe.identity(context.spawner_user).home
    except ProbeFailed:
        return ""


CheckFunction = Callable[[CheckContext], Outcome]
