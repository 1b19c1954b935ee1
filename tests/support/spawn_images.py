"""Images that start badly in known ways, for spawning on a real hub and on hubimage's checks.

Each is the good fixture image (`fixture_images.singleuser_image`) with one thing changed and
nothing downloaded, built once and cached by content like every fixture image.
"""

from __future__ import annotations

from hubimage.engine import DockerEngine
from support.fixture_images import build_cached, singleuser_image

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
