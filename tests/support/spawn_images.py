"""Images that start badly in known ways, for spawning on a real hub and on hubimage's checks.

Each is the good fixture image (`fixture_images.singleuser_image`) with one thing changed and
nothing downloaded, built once and cached by content like every fixture image.
"""

from __future__ import annotations

from hubimage.engine import DockerEngine
from support.fixture_images import CA_LINES, build_cached, singleuser_image

SLOW_SECONDS_VARIABLE = "HUBIMAGE_TEST_SLOW_SECONDS"
SLOW_MESSAGE = "hubimage test image: the server waits"  # printed before the wait

# Loaded by every Jupyter server app (jupyterhub-singleuser among them) before it listens, so
# the server answers only that many seconds after it started. The delay comes from the
# environment, so a test picks it through the spawn profile's extraEnv.
SLOW_SERVER_CONFIG = f"""\
import os
import time

seconds = int(os.environ.get("{SLOW_SECONDS_VARIABLE}", "45"))
print(f"{SLOW_MESSAGE} {{seconds}} seconds", flush=True)
time.sleep(seconds)
"""


def slow_image(engine: DockerEngine) -> str:
    """The good image, whose server answers only after $HUBIMAGE_TEST_SLOW_SECONDS (45 s)."""
    dockerfile = f"""\
FROM {singleuser_image(engine)}
COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py
"""
    return build_cached(
        engine, "spawn-slow", dockerfile, {"jupyter_server_config.py": SLOW_SERVER_CONFIG}
    )


def no_lab_image(engine: DockerEngine) -> str:
    """The good image without JupyterLab (nor the notebook): the server starts, /lab is 404."""
    dockerfile = f"""\
FROM {singleuser_image(engine)}
USER root
RUN /opt/venv/bin/pip uninstall --yes jupyterlab \\
 && ! /opt/venv/bin/python -c "import jupyterlab" 2>/dev/null \\
 && ! /opt/venv/bin/python -c "import notebook" 2>/dev/null
USER 1000
"""
    return build_cached(engine, "spawn-no-lab", dockerfile)


# --- images that fail only under some hubs' spawn settings (test_checks_hub_spawn) ---------

NOTEBOOK_VERSION = "7.4.7"  # Jupyter Notebook 7 for /tree; the 7.4 line goes with JupyterLab 4.4

DISPATCHING_START = """\
#!/bin/sh
# This image's start script runs only the commands it knows; a hub whose start command is a
# wrapper script is not one of them.
case "$1" in
  jupyterhub-singleuser|jupyter|jupyter-lab) exec "$@" ;;
  *) echo "start: refusing to run unknown command $1" >&2; exit 2 ;;
esac
"""

ROOT_FROM_ENV_CONFIG = """\
import os

# The notebook folder comes from the environment; a hub that sets NOTEBOOK_ROOT to a folder
# that does not exist stops the server ("root_dir ... does not exist").
c.ServerApp.root_dir = os.environ.get("NOTEBOOK_ROOT", os.path.expanduser("~"))
"""

START_BALLAST_MB = 700
HUNGRY_CONFIG = f"""\
# {START_BALLAST_MB} MB held while the server starts, every page touched so it is resident:
# above a 512M memory limit the kernel kills the server, below 1G it starts.
_ballast = bytearray({START_BALLAST_MB} * 1024 * 1024)
for _page in range(0, len(_ballast), 4096):
    _ballast[_page] = 1
"""

FIRST_DAY_START = """\
#!/bin/sh
set -e
# Sets the user's home up on the first start, and fails on every later one: mkdir without -p.
mkdir "$HOME/.hubimage-setup"
exec "$@"
"""


def with_entrypoint(engine: DockerEngine, name: str, script: str) -> str:
    dockerfile = f"""\
FROM {singleuser_image(engine)}
USER root
COPY start /usr/local/bin/start
RUN chmod 0755 /usr/local/bin/start
USER 1000
ENTRYPOINT ["/usr/local/bin/start"]
"""
    return build_cached(engine, name, dockerfile, {"start": script})


def with_server_config(engine: DockerEngine, name: str, config: str) -> str:
    dockerfile = f"""\
FROM {singleuser_image(engine)}
COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py
"""
    return build_cached(engine, name, dockerfile, {"jupyter_server_config.py": config})


def dispatching_start_image(engine: DockerEngine) -> str:
    """Fails where the hub starts the server through a wrapper (2i2c's singleuser.cmd)."""
    return with_entrypoint(engine, "spawn-dispatching-start", DISPATCHING_START)


def root_from_env_image(engine: DockerEngine) -> str:
    """Fails where the hub's extraEnv points NOTEBOOK_ROOT at a folder that is not there."""
    return with_server_config(engine, "spawn-root-from-env", ROOT_FROM_ENV_CONFIG)


def hungry_start_image(engine: DockerEngine) -> str:
    """Fails where the hub's memory limit is below START_BALLAST_MB plus the server's own."""
    return with_server_config(engine, "spawn-hungry-start", HUNGRY_CONFIG)


def first_day_only_image(engine: DockerEngine) -> str:
    """Fails on a second start on the same home, and only there."""
    return with_entrypoint(engine, "spawn-first-day-only", FIRST_DAY_START)


def with_notebook_image(engine: DockerEngine) -> str:
    """The good image with Jupyter Notebook 7, which serves /tree (downloads from PyPI)."""
    dockerfile = f"""\
FROM {singleuser_image(engine)}
USER root
{CA_LINES}
RUN /opt/venv/bin/pip install notebook=={NOTEBOOK_VERSION}
USER 1000
"""
    return build_cached(engine, "spawn-with-notebook", dockerfile)
