"""The real-hub harness itself: a real JupyterHub 4, 5 and 6 spawns images under spawn
profiles through DockerSpawner, and the harness records what a user and the hub saw.

One hub per major serves every spawn of that major (module-scoped fixture).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager

import pytest

from hubimage.check.profile import (
    ZERO_TO_JUPYTERHUB_PROFILE,
    SpawnProfile,
)
from hubimage.engine import DockerEngine
from support import spawn_images
from support.real_hub import JUPYTERHUB_VERSIONS, RealHub, RealSpawn, running_hub, spawn_on_real_hub
from support.spawn_profiles import GIB, STARTUP_AND_HANDSHAKE, TWO_I_TWO_C, WRAPPER

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module", params=sorted(JUPYTERHUB_VERSIONS), ids=lambda m: f"jh{m}")
def hub(request: pytest.FixtureRequest, docker_engine: DockerEngine) -> Iterator[RealHub]:
    with running_hub(docker_engine, request.param) as hub:
        yield hub
        assert hub.process.poll() is None, f"the hub died:\n{hub.log_tail()}"
    assert hub.process.returncode is not None
    assert not hub.containers(), "the hub left containers behind"


@pytest.fixture(scope="session")
def slow_image(docker_engine: DockerEngine) -> str:
    return spawn_images.slow_image(docker_engine)


@pytest.fixture(scope="session")
def no_lab_image(docker_engine: DockerEngine) -> str:
    return spawn_images.no_lab_image(docker_engine)


def spawned(hub: RealHub, image: str, profile: SpawnProfile) -> AbstractContextManager[RealSpawn]:
    return spawn_on_real_hub(hub.engine, image, profile, hub.major, hub=hub)


def in_order(expected: list[str], lines: list[str]) -> bool:
    """`expected` appear in `lines` in this order (others may come between)."""
    remaining = iter(lines)
    return all(any(line == wanted for line in remaining) for wanted in expected)


def assert_landed_on_lab(spawn: RealSpawn) -> None:
    hub_log_tail = "\n".join(spawn.hub_log.splitlines()[-30:])
    assert spawn.started, f"{spawn.hub_error}\n{spawn.container_logs}\nhub log:\n{hub_log_tail}"
    assert spawn.hub_error is None
    assert spawn.landing_url == f"{spawn.server_url}lab", spawn.redirects
    assert spawn.landing_status == 200
    assert in_order(STARTUP_AND_HANDSHAKE, spawn.hub_requests), spawn.hub_requests
    assert spawn.environment_source == "/proc/1/environ"


def test_good_image_under_zero_to_jupyterhub_defaults(hub: RealHub, singleuser_image: str) -> None:
    with spawned(hub, singleuser_image, ZERO_TO_JUPYTERHUB_PROFILE) as spawn:
        assert_landed_on_lab(spawn)
        # No default_url in the profile: the server's own default (JupyterLab's /lab).
        assert "JUPYTERHUB_DEFAULT_URL" not in spawn.environment
        assert spawn.environment["JUPYTERHUB_USER"] == hub.user
        assert spawn.environment["JUPYTER_IMAGE"] == singleuser_image
        assert spawn.environment["HOME"] == "/home/jovyan"  # the image's own ENV, too
        assert spawn.seconds is not None and spawn.seconds < 60
        # The user's session reaches the server's API through the proxy.
        assert spawn.browser.get(f"{spawn.server_url}api/status", timeout=30).status_code == 200
        container = spawn.container
        assert container is not None
        assert container["Config"]["User"] == "1000"
        assert container["Config"]["Cmd"] == ["jupyterhub-singleuser"]
        assert container["HostConfig"]["GroupAdd"] == ["100"]
        assert container["HostConfig"]["SecurityOpt"] == ["no-new-privileges"]
        assert container["HostConfig"]["NetworkMode"] == "host"
        assert "/home/jovyan" in container["HostConfig"]["Tmpfs"]
    assert "ServerApp" in spawn.container_logs


def test_good_image_under_a_2i2c_style_profile(hub: RealHub, singleuser_image: str) -> None:
    with spawned(hub, singleuser_image, TWO_I_TWO_C) as spawn:
        assert_landed_on_lab(spawn)
        env = spawn.environment
        assert env["SCRATCH_BUCKET"] == f"gs://scratch-bucket/{hub.user}"
        assert env["PRICE"] == "$5 for $(NOT_A_VARIABLE)"  # kubelet: $$ and unknown names
        assert env["JUPYTERHUB_DEFAULT_URL"] == "/lab"
        assert env["MEM_LIMIT"] == str(GIB)
        container = spawn.container
        assert container is not None
        assert container["Config"]["Cmd"] == [WRAPPER, "jupyterhub-singleuser"]
        assert container["HostConfig"]["Memory"] == GIB
        assert container["HostConfig"]["CpuQuota"] == 2 * container["HostConfig"]["CpuPeriod"]
        assert any(bind.endswith(f":{WRAPPER}:ro") for bind in container["HostConfig"]["Binds"])
        # The wrapper execs the server: process 1 is the server, whose environment was read.
        show = "cat /proc/1/cmdline; grep NoNewPrivs /proc/1/status"
        code, status = spawn.exec(["sh", "-c", show])
        assert code == 0 and "jupyterhub-singleuser" in status, status
        assert status.split()[-1] == "1"  # allowPrivilegeEscalation: false
        code, output = spawn.exec(["touch", "/home/jovyan/shared/x"])
        assert code != 0 and "Read-only file system" in output
        assert spawn.exec(["touch", "/home/jovyan/x"])[0] == 0


def test_slow_server_fails_under_a_short_http_timeout(hub: RealHub, slow_image: str) -> None:
    slow = SpawnProfile(environment=((spawn_images.SLOW_SECONDS_VARIABLE, "12"),), http_timeout=6)
    with spawned(hub, slow_image, slow) as spawn:
        assert not spawn.started
        assert spawn.hub_error is not None
        # JupyterHub's own words (4 waits on /user/NAME/, 5 and 6 on /user/NAME/api).
        assert spawn.hub_error.startswith("Spawn failed: Server at "), spawn.hub_error
        assert "didn't respond in 6 seconds" in spawn.hub_error, spawn.hub_error
        assert spawn.landing_url is None
        assert spawn.seconds is not None and 6 <= spawn.seconds < 30
        assert spawn.environment[spawn_images.SLOW_SECONDS_VARIABLE] == "12"
        assert spawn.environment_source == "Config.Env"  # the container is gone
        assert not [line for line in spawn.hub_requests if line != "GET /hub/api"]
    assert "Giving up" in spawn.hub_log


def test_slow_server_spawns_under_a_longer_http_timeout(hub: RealHub, slow_image: str) -> None:
    slow = SpawnProfile(environment=((spawn_images.SLOW_SECONDS_VARIABLE, "12"),), http_timeout=30)
    with spawned(hub, slow_image, slow) as spawn:
        assert_landed_on_lab(spawn)
        assert spawn.seconds is not None and spawn.seconds >= 12
        assert f"{spawn_images.SLOW_MESSAGE} 12 seconds" in spawn.container_logs


def test_server_that_exits_at_once_fails_at_the_http_timeout(
    hub: RealHub, singleuser_image: str
) -> None:
    crash = SpawnProfile(cmd=("sh", "-c", "echo the server gives up; exit 3"), http_timeout=3)
    with spawned(hub, singleuser_image, crash) as spawn:
        assert not spawn.started
        # The hub does not watch the process: it waits out http_timeout all the same.
        assert spawn.hub_error is not None
        assert "didn't respond in 3 seconds" in spawn.hub_error, spawn.hub_error
        assert spawn.container is not None
        assert spawn.container["Config"]["Cmd"] == list(crash.cmd or ())
    # The output was kept, although the container was gone long before.
    assert spawn.container_logs == "the server gives up\n"


def test_image_without_jupyterlab_lands_on_a_404(hub: RealHub, no_lab_image: str) -> None:
    profile = SpawnProfile(default_url="/lab")
    with spawned(hub, no_lab_image, profile) as spawn:
        assert spawn.started, f"{spawn.hub_error}\n{spawn.container_logs}"
        assert spawn.landing_url == f"{spawn.server_url}lab", spawn.redirects
        assert spawn.landing_status == 404
        # The server answers 404 before asking anyone to log in: no OAuth handshake.
        assert spawn.hub_requests[0] == "GET /hub/api", spawn.hub_requests
        assert not [line for line in spawn.hub_requests if "oauth2" in line]
        assert spawn.redirects[-2:] == [
            (302, spawn.server_url),
            (404, f"{spawn.server_url}lab"),
        ]
