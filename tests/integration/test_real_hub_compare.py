"""hubimage's hub stand-in kept honest: the same image under the same spawn profile, spawned
by a real JupyterHub (4, 5 and 6, DockerSpawner, configurable-http-proxy) and by hubimage's
checks, gives the same environment, the same login handshake and the same verdicts.

The good image (under a 2i2c-style profile), a slow one (under a short http_timeout) and one
without the hub's default URL (/lab). What differs on purpose is named in DIFFERENT below;
README's Check section says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest

from hubimage.check.base import CheckContext
from hubimage.check.landing import find_browser, landing_page
from hubimage.check.model import CheckOptions
from hubimage.check.probe import ImageFacts, ImageProbe
from hubimage.check.profile import (
    ZERO_TO_JUPYTERHUB_PROFILE,
    SpawnProfile,
)
from hubimage.check.server import server_starts, spawn_time
from hubimage.check.session import ServerSession
from hubimage.engine import DockerEngine
from hubimage.values import HubVersion
from support import spawn_images
from support.real_hub import JUPYTERHUB_VERSIONS, RealHub, RealSpawn, running_hub, spawn_on_real_hub
from support.spawn_profiles import STARTUP_AND_HANDSHAKE, TWO_I_TWO_C

pytestmark = pytest.mark.integration

SLOW = replace(
    ZERO_TO_JUPYTERHUB_PROFILE,
    environment=((spawn_images.SLOW_SECONDS_VARIABLE, "12"),),
    http_timeout=6,
)
NO_LAB = replace(ZERO_TO_JUPYTERHUB_PROFILE, default_url="/lab")

# Values that belong to one spawn: tokens, the ports each side chose, the container's name.
PER_SPAWN = {
    "JUPYTERHUB_API_TOKEN",
    "JPY_API_TOKEN",
    "JUPYTERHUB_API_URL",
    "JUPYTERHUB_ACTIVITY_URL",
    "JUPYTERHUB_SERVICE_URL",
    "HOSTNAME",
}
# Differences on purpose: the stand-in serves the hub's pages on an origin of its own, as a
# hub that gives users their own (sub)domain does, so JUPYTERHUB_HOST names it where a hub
# behind one proxy leaves it empty; JupyterHub 4 does not set the PUBLIC variables (the
# stand-in sets them as 5 and 6 do).
DIFFERENT = {"JUPYTERHUB_HOST"}
NEWER_THAN_4 = {"JUPYTERHUB_PUBLIC_URL", "JUPYTERHUB_PUBLIC_HUB_URL"}


@dataclass
class OwnSpawn:
    """What hubimage's own checks saw: their verdicts, the server's environment, and the
    requests its hub stand-in answered, in order."""

    verdicts: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    environment: dict[str, str] = field(default_factory=dict)
    hub_requests: list[str] = field(default_factory=list)
    landing_status: int | None = None


@pytest.fixture(scope="module", params=sorted(JUPYTERHUB_VERSIONS), ids=lambda m: f"jh{m}")
def hub(request: pytest.FixtureRequest, docker_engine: DockerEngine) -> Iterator[RealHub]:
    with running_hub(docker_engine, request.param) as hub:
        yield hub


def own_spawn(engine: DockerEngine, image: str, profile: SpawnProfile, hub: RealHub) -> OwnSpawn:
    """The checks of one profile as `run_checks` runs them, reading the server's environment
    from its process while it serves."""
    facts = ImageFacts.from_inspect(image, engine.require_image(image))
    session = ServerSession(profile)
    options = CheckOptions(hub_version=HubVersion.parse(hub.version), landing_timeout=60)
    context = CheckContext(engine, facts, ImageProbe(engine, facts), options, session, profile)
    seen = OwnSpawn()
    try:
        for name, check in (("server-starts", server_starts), ("spawn-time", spawn_time)):
            outcome = check(context)
            seen.verdicts[name], seen.summaries[name] = outcome.status, outcome.summary
        start = session.start(context)
        container = session.running_container()
        if start.serving and container is not None:
            code, raw = container.exec_run(["cat", "/proc/1/environ"])
            assert code == 0
            pairs = (item.split("=", 1) for item in raw.decode().split("\0") if "=" in item)
            seen.environment = dict(pairs)
            assert find_browser(None), "the comparison needs Chromium (apt-get install chromium)"
            outcome = landing_page(context)
            seen.verdicts["landing-page"] = outcome.status
            seen.summaries["landing-page"] = outcome.summary
            seen.landing_status = outcome.details.get("http_status")  # type: ignore[assignment]
        seen.hub_requests = list(start.hub.requests)
    finally:
        session.close()
    return seen


def real_spawn(engine: DockerEngine, image: str, profile: SpawnProfile, hub: RealHub) -> RealSpawn:
    with spawn_on_real_hub(engine, image, profile, hub.major, hub=hub) as spawn:
        return spawn


def in_order(expected: list[str], lines: list[str]) -> bool:
    remaining = iter(lines)
    return all(any(line == wanted for line in remaining) for wanted in expected)


def assert_same_environment(own: dict[str, str], real: dict[str, str], major: int) -> None:
    allowed = PER_SPAWN | DIFFERENT | (NEWER_THAN_4 if major < 5 else set())
    assert sorted(set(own) - allowed) == sorted(set(real) - allowed)
    differing = {
        name: (own[name], real[name])
        for name in set(own) & set(real) - allowed
        if own[name] != real[name]
    }
    assert differing == {}


def test_the_good_image_under_a_2i2c_style_profile(
    hub: RealHub, docker_engine: DockerEngine, singleuser_image: str
) -> None:
    real = real_spawn(docker_engine, singleuser_image, TWO_I_TWO_C, hub)
    own = own_spawn(docker_engine, singleuser_image, TWO_I_TWO_C, hub)
    assert real.started and real.landing_status == 200, real.hub_error
    assert own.verdicts == {"server-starts": "pass", "spawn-time": "pass", "landing-page": "pass"}
    assert own.landing_status == real.landing_status
    assert_same_environment(own.environment, real.environment, hub.major)
    assert own.environment["SCRATCH_BUCKET"] == real.environment["SCRATCH_BUCKET"]
    # The same login handshake, in the same order; the same kinds of request in all.
    assert in_order(STARTUP_AND_HANDSHAKE, real.hub_requests), real.hub_requests
    assert in_order(STARTUP_AND_HANDSHAKE, own.hub_requests), own.hub_requests
    assert set(own.hub_requests) == set(real.hub_requests)


def test_a_slow_server_under_a_short_http_timeout(
    hub: RealHub, docker_engine: DockerEngine
) -> None:
    image = spawn_images.slow_image(docker_engine)
    real = real_spawn(docker_engine, image, SLOW, hub)
    own = own_spawn(docker_engine, image, SLOW, hub)
    assert not real.started and "didn't respond in 6 seconds" in (real.hub_error or "")
    assert own.verdicts == {"server-starts": "fail", "spawn-time": "fail"}
    assert "http_timeout of 6 s" in own.summaries["server-starts"]
    # Neither got further than the server's first question to the hub.
    assert set(own.hub_requests) <= {"GET /hub/api"} and set(real.hub_requests) <= {"GET /hub/api"}


def test_an_image_without_the_hubs_default_url(hub: RealHub, docker_engine: DockerEngine) -> None:
    image = spawn_images.no_lab_image(docker_engine)
    real = real_spawn(docker_engine, image, NO_LAB, hub)
    own = own_spawn(docker_engine, image, NO_LAB, hub)
    assert real.started and real.landing_status == 404
    assert own.verdicts == {"server-starts": "pass", "spawn-time": "pass", "landing-page": "fail"}
    assert own.landing_status == 404
    assert_same_environment(own.environment, real.environment, hub.major)
    # The server answers 404 before anyone logs in: neither saw an OAuth handshake.
    assert not [line for line in own.hub_requests if "oauth2" in line], own.hub_requests
    assert not [line for line in real.hub_requests if "oauth2" in line], real.hub_requests
    # server-starts' own request with the hub's token makes the server ask the hub whose
    # token it is, once: the one request a real hub did not see here.
    assert set(own.hub_requests) - {"GET /hub/api/user"} == set(real.hub_requests)
