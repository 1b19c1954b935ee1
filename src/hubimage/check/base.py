"""The shape of one check: a function from what it may use to an `Outcome`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubimage.check.model import CheckOptions, Status
from hubimage.check.probe import ImageFacts, ImageProbe, ProbeFailed
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
    engine: DockerEngine
    facts: ImageFacts
    probe: ImageProbe
    options: CheckOptions
    server: ServerSession  # the one single-user server of this run, started on first use

    @property
    def spawner_user(self) -> str:
        """The --user a hub's spawner runs the container with (KubeSpawner: uid and fsGid)."""
        return f"{self.options.uid}:{self.options.gid}"


def home_volume(context: CheckContext) -> dict[str, str]:
    """An empty home owned by the spawner's user on $HOME, as the hub's home storage."""
    # An image's ENV HOME is what a container gets whatever its uid: no probe needed then
    # (the server's start waits for this).
    home = context.facts.env.get("HOME", "")
    if not home.startswith("/"):
        try:
            home = context.probe.identity(context.spawner_user).home
        except ProbeFailed:
            home = ""
    if not home.startswith("/") or home == "/":
        return {}
    return {home: f"uid={context.options.uid},gid={context.options.gid},mode=0755"}


CheckFunction = Callable[[CheckContext], Outcome]
