"""Purpose-built images that each break one thing a hub needs, for `hubimage check` tests.

Each recipe starts FROM a fixture image (cheap layers, no downloads unless said) and is built
once per recipe by `fixture_images.build_cached`. The docstring says which check must catch it.
"""

from __future__ import annotations

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
