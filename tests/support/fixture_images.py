"""Images the tests and benchmarks build for themselves, cached in the engine by content.

No registry can be pulled from on the test machines, so the chain starts from `debootstrap`
and `docker import`; where pulls work it is the same recipe. Each image's tag is a hash of
its recipe, so a second run finds it in the local image store and builds nothing. A file lock
keeps parallel test processes from building the same image twice.

The CA bundle copied into images is a fact of the test machines (a TLS-intercepting proxy sits
in front of the package registries): it belongs here, never in the product.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from hubimage.engine import BuildSpec, DockerEngine

FIXTURE_REPOSITORY = "hubimage-fixture"
DEBIAN_SUITE = "bookworm"
DEBIAN_MIRROR = os.environ.get("HUBIMAGE_DEBIAN_MIRROR", "http://deb.debian.org/debian")
DEBIAN_PACKAGES = ("python3", "python3-venv", "ca-certificates")
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
JUPYTERHUB_VERSION = "6.1.1"
JUPYTERHUB_PREVIOUS_MAJOR = "5.4.3"
JUPYTER_SERVER_VERSION = "2.17.0"
JUPYTERLAB_VERSION = "4.4.10"  # what lab-loads opens; 4.5 and later need jupyter_server 2.19
IPYKERNEL_VERSION = "7.4.0"  # the default kernel kernel-runs starts
LOCK_PATH = Path(tempfile.gettempdir()) / "hubimage-fixture-images.lock"


def _recipe_tag(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


@contextmanager
def _build_lock() -> Iterator[None]:
    with open(LOCK_PATH, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def debian_python_image(engine: DockerEngine) -> str:
    """Debian minbase with python3 and venv, made by debootstrap and `docker import`."""
    recipe = ("debootstrap", "minbase", DEBIAN_SUITE, DEBIAN_MIRROR, ",".join(DEBIAN_PACKAGES))
    ref = f"{FIXTURE_REPOSITORY}/debian-python:{_recipe_tag(*recipe)}"
    with _build_lock():
        if engine.inspect_image(ref) is None:
            _debootstrap_import(ref)
    return ref


def _debootstrap_import(ref: str) -> None:
    if shutil.which("debootstrap") is None:
        raise RuntimeError("debootstrap is not installed (apt-get install -y debootstrap)")
    rootfs = Path(tempfile.mkdtemp(prefix="hubimage-rootfs-"))
    try:
        subprocess.run(
            [
                "debootstrap",
                "--variant=minbase",
                f"--include={','.join(DEBIAN_PACKAGES)}",
                DEBIAN_SUITE,
                str(rootfs),
                DEBIAN_MIRROR,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Keep the image small: apt lists and caches are not needed by any test.
        for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
            shutil.rmtree(rootfs / junk, ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            ["docker", "import", "-", ref], stdin=tar.stdout, check=True, stdout=subprocess.DEVNULL
        )
        if tar.wait() != 0:
            raise RuntimeError("tar of the debootstrap root failed")
    finally:
        shutil.rmtree(rootfs, ignore_errors=True)


def context_tar(files: Mapping[str, str | bytes], mode: int = 0o644) -> io.BytesIO:
    """A build context as an in-memory tar (files given by relative path)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755 if name.endswith((".sh", "start", "postBuild")) else mode
            info.mtime = 0
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    return buffer


def build_cached(
    engine: DockerEngine, name: str, dockerfile: str, extra_files: Mapping[str, str | bytes] = {}
) -> str:
    """Build `dockerfile` (with the host CA bundle in its context) unless already built."""
    files: dict[str, str | bytes] = {"Dockerfile": dockerfile, **extra_files}
    files["hubimage-test-ca.crt"] = HOST_CA_BUNDLE.read_bytes()
    digest_parts = [
        f"{path}\0{content!r}"
        for path, content in sorted(files.items())
        if path != "hubimage-test-ca.crt"
    ]
    ref = f"{FIXTURE_REPOSITORY}/{name}:{_recipe_tag(*digest_parts)}"
    with _build_lock():
        if engine.inspect_image(ref) is None:
            started = time.monotonic()
            engine.build(BuildSpec(tag=ref, context_tar=context_tar(files)), on_log=lambda _: None)
            print(f"built fixture image {ref} in {time.monotonic() - started:.0f}s")
    return ref


CA_LINES = """\
COPY hubimage-test-ca.crt /etc/ssl/certs/hubimage-test-ca.crt
ENV PIP_CERT=/etc/ssl/certs/hubimage-test-ca.crt \\
    SSL_CERT_FILE=/etc/ssl/certs/hubimage-test-ca.crt \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    PIP_NO_CACHE_DIR=1
"""


def singleuser_dockerfile(base: str, jupyterhub_version: str = JUPYTERHUB_VERSION) -> str:
    """A minimal hub-ready image: JupyterHub's single-user server, JupyterLab and a Python
    kernel in a venv, user jovyan 1000."""
    return f"""\
FROM {base}
{CA_LINES}
RUN python3 -m venv /opt/venv \\
 && /opt/venv/bin/pip install jupyterhub=={jupyterhub_version} \\
        jupyter_server=={JUPYTER_SERVER_VERSION} jupyterlab=={JUPYTERLAB_VERSION} \\
        ipykernel=={IPYKERNEL_VERSION}
ENV PATH=/opt/venv/bin:$PATH
RUN useradd --create-home --uid 1000 --gid 100 --shell /bin/bash jovyan
USER 1000
WORKDIR /home/jovyan
ENV HOME=/home/jovyan
"""


def singleuser_image(engine: DockerEngine, jupyterhub_version: str = JUPYTERHUB_VERSION) -> str:
    base = debian_python_image(engine)
    name = "singleuser" if jupyterhub_version == JUPYTERHUB_VERSION else "singleuser-old"
    return build_cached(engine, name, singleuser_dockerfile(base, jupyterhub_version))


def python_base_image(engine: DockerEngine) -> str:
    """Debian + python3 + venv, with pip able to reach PyPI from builds on this machine.

    The stand-in for `python:3.12-slim` when a test builds a user's Dockerfile.
    """
    return build_cached(engine, "python-base", f"FROM {debian_python_image(engine)}\n{CA_LINES}")
