"""Purpose-built images that each break one thing a hub needs, for `hubimage check` tests.

Each recipe starts FROM a fixture image (cheap layers, no downloads unless said) and is built
once per recipe by `fixture_images.build_cached`. The docstring says which check must catch it.
"""

from __future__ import annotations

import json

from hubimage.engine import DockerEngine
from support.fixture_images import CA_LINES, build_cached

# jupyter_server refuses to start when its root_dir does not exist ("Bad config encountered
# during initialization"); `jupyterhub-singleuser --version` does not read this config.
CRASHING_SERVER_CONFIG = 'c.ServerApp.root_dir = "/nonexistent/notebooks"\n'


def root_user(engine: DockerEngine, good: str) -> str:
    """non-root-user: the default user is root."""
    return build_cached(engine, "hid-root-user", f"FROM {good}\nUSER root\n")


def no_jupyterhub(engine: DockerEngine, debian_python: str) -> str:
    """singleuser-command: a user image without JupyterHub (server-starts is skipped)."""
    dockerfile = f"""\
FROM {debian_python}
RUN useradd --create-home --uid 1000 --gid 100 --shell /bin/bash jovyan
USER 1000
WORKDIR /home/jovyan
ENV HOME=/home/jovyan
"""
    return build_cached(engine, "hid-no-jupyterhub", dockerfile)


def uid_1001(engine: DockerEngine, good: str) -> str:
    """non-root-user: runs as uid 1001; its home is group-writable so gid 100 can use it."""
    dockerfile = f"""\
FROM {good}
USER root
RUN useradd --create-home --uid 1001 --gid 100 --shell /bin/bash other \\
 && chmod 2775 /home/other
USER 1001
WORKDIR /home/other
ENV HOME=/home/other
"""
    return build_cached(engine, "hid-uid-1001", dockerfile)


def home_not_writable(engine: DockerEngine, good: str) -> str:
    """home-writable: $HOME belongs to root (the hub's home volume still lets it start)."""
    dockerfile = f"""\
FROM {good}
USER root
RUN chown root:root /home/jovyan && chmod 755 /home/jovyan
USER 1000
"""
    return build_cached(engine, "hid-home-not-writable", dockerfile)


def missing_entrypoint(engine: DockerEngine, good: str) -> str:
    """server-starts: a pangeo-style ENTRYPOINT /srv/start that is not in the image."""
    return build_cached(
        engine, "hid-missing-entrypoint", f'FROM {good}\nENTRYPOINT ["/srv/start"]\n'
    )


def crashing_server(engine: DockerEngine, good: str) -> str:
    """server-starts: a jupyter_server config in /etc/jupyter that stops the server."""
    dockerfile = f"""\
FROM {good}
COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py
"""
    return build_cached(
        engine,
        "hid-crashing-server",
        dockerfile,
        {"jupyter_server_config.py": CRASHING_SERVER_CONFIG},
    )


def repo_in_home(engine: DockerEngine, good: str) -> str:
    """repo-visible: repo2docker-style content and label with the repository in $HOME."""
    dockerfile = f"""\
FROM {good}
LABEL repo2docker.repo_dir=/home/jovyan
ENV REPO_DIR=/home/jovyan
COPY --chown=1000:100 README.md environment.yml /home/jovyan/
"""
    files = {"README.md": "# analysis\n", "environment.yml": "dependencies: [python]\n"}
    return build_cached(engine, "hid-repo-in-home", dockerfile, files)


def with_pytest(engine: DockerEngine, good: str) -> str:
    """A good image with pytest and a Python kernel, to run image-tests/ in (downloads)."""
    dockerfile = f"""\
FROM {good}
USER root
{CA_LINES}
RUN /opt/venv/bin/pip install pytest ipykernel \\
 && /opt/venv/bin/python -m ipykernel install --prefix /opt/venv
USER 1000
"""
    return build_cached(engine, "hid-with-pytest", dockerfile)


def no_ipykernel(engine: DockerEngine, good: str) -> str:
    """kernel-runs: JupyterLab without a kernel (ipykernel uninstalled; no downloads)."""
    dockerfile = f"""\
FROM {good}
USER root
RUN /opt/venv/bin/pip uninstall --yes ipykernel \\
 && rm -rf /opt/venv/share/jupyter/kernels/python3
USER 1000
"""
    return build_cached(engine, "hid-no-ipykernel", dockerfile)


def kernelspec(argv: list[str]) -> str:
    return json.dumps({"argv": argv, "display_name": "Python 3", "language": "python"})


def kernel_missing_interpreter(engine: DockerEngine, good: str) -> str:
    """kernel-runs: the default kernelspec's argv names a conda environment that is not there."""
    argv = ["/opt/conda/envs/analysis/bin/python", "-m", "ipykernel_launcher", "-f"]
    return _with_kernelspec(engine, good, "hid-kernel-missing-interpreter", argv)


KERNEL_EXIT_MESSAGE = "hubimage-test: this kernel exits as soon as it starts"


def kernel_exits_on_start(engine: DockerEngine, good: str) -> str:
    """kernel-runs: the default kernel's process prints a line and exits at once."""
    script = f"import sys; sys.stderr.write({KERNEL_EXIT_MESSAGE!r} + '\\n'); sys.exit(3)"
    argv = ["/opt/venv/bin/python", "-c", script]
    return _with_kernelspec(engine, good, "hid-kernel-exits", argv)


def second_broken_kernel(engine: DockerEngine, good: str) -> str:
    """kernel-runs with all-kernels: the default kernel works, a second one ("analysis") not."""
    argv = ["/opt/conda/envs/analysis/bin/python", "-m", "ipykernel_launcher", "-f"]
    return _with_kernelspec(engine, good, "hid-second-broken-kernel", argv, kernel="analysis")


def _with_kernelspec(
    engine: DockerEngine, good: str, name: str, argv: list[str], kernel: str = "python3"
) -> str:
    dockerfile = f"""\
FROM {good}
COPY kernel.json /opt/venv/share/jupyter/kernels/{kernel}/kernel.json
"""
    files = {"kernel.json": kernelspec([*argv, "{connection_file}"])}
    return build_cached(engine, name, dockerfile, files)


BROKEN_EXTENSION = "hubimage-broken-extension"
BROKEN_EXTENSION_ERROR = "hubimage-broken-extension throws while it loads"
BROKEN_EXTENSION_ENTRY = "static/remoteEntry.0123456789abcdef.js"


def broken_lab_extension(engine: DockerEngine, good: str) -> str:
    """lab-loads: a prebuilt labextension whose JavaScript throws when JupyterLab loads it.

    A prebuilt extension is a folder JupyterLab's server lists in the page's config and the
    page loads as a script (`jupyterlab._build.load`); this one's script only throws.
    """
    package = {
        "name": BROKEN_EXTENSION,
        "version": "0.1.0",
        "jupyterlab": {
            "extension": True,
            "_build": {"load": BROKEN_EXTENSION_ENTRY, "extension": "./extension"},
        },
    }
    folder = f"/opt/venv/share/jupyter/labextensions/{BROKEN_EXTENSION}"
    dockerfile = f"""\
FROM {good}
COPY package.json {folder}/package.json
COPY remoteEntry.js {folder}/{BROKEN_EXTENSION_ENTRY}
"""
    files = {
        "package.json": json.dumps(package, indent=2),
        "remoteEntry.js": f"throw new Error({BROKEN_EXTENSION_ERROR!r});\n",
    }
    return build_cached(engine, "hid-broken-lab-extension", dockerfile, files)


SLOW_START_SECONDS = 8


def slow_server_start(engine: DockerEngine, good: str) -> str:
    """spawn-time: a server config that takes SLOW_START_SECONDS before the server starts."""
    dockerfile = f"""\
FROM {good}
COPY jupyter_server_config.py /etc/jupyter/jupyter_server_config.py
"""
    config = f"import time\n\ntime.sleep({SLOW_START_SECONDS})  # slow site config\n"
    return build_cached(
        engine, "hid-slow-server-start", dockerfile, {"jupyter_server_config.py": config}
    )
