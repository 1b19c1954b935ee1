"""Real JupyterHubs for the tests: one virtualenv per major, and configurable-http-proxy.

Each JupyterHub major lives in its own virtualenv with DockerSpawner, every package pinned by
`locks/jupyterhub-N.txt`; configurable-http-proxy (not part of the `jupyterhub` wheel) comes
from npm, pinned by `locks/package-lock.json`. Both are installed once, outside the checkout,
under `$HUBIMAGE_CACHE/real-hub` (default `~/.cache/hubimage/real-hub`, the cache the other
downloaded test tools use), in a folder named by version and a hash of its lock file: a
changed lock installs anew beside the old one. A file lock per folder lets parallel test
processes share one install, and a stamp written last marks it complete, so an interrupted
install is redone rather than used.

Install all three ahead of the tests (CI does, to time it apart from the tests):
    python3 tests/support/real_hub/installs.py
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCKS = Path(__file__).parent / "locks"
# The newest release of each major that the harness checks against (PyPI, checked 2026):
# 4.1.x, 5.4.x (5.5 exists; 5.4 is what many hubs pin) and 6.x.
JUPYTERHUB_VERSIONS = {4: "4.1.6", 5: "5.4.6", 6: "6.1.1"}
DOCKERSPAWNER_VERSION = "14.0.0"
CHP_VERSION = "5.3.0"
STAMP = ".installed"


@dataclass(frozen=True)
class HubInstall:
    """One JupyterHub major, ready to run: its own Python and the proxy's command."""

    major: int
    version: str  # the JupyterHub version, e.g. "6.1.1"
    venv: Path
    proxy_command: Path  # node_modules/.bin/configurable-http-proxy
    install_seconds: float  # 0.0 when found already installed

    @property
    def jupyterhub(self) -> Path:
        return self.venv / "bin" / "jupyterhub"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"


def cache_root() -> Path:
    configured = os.environ.get("HUBIMAGE_CACHE")
    base = Path(configured) if configured else Path.home() / ".cache" / "hubimage"
    return base / "real-hub"


def _lock_hash(*files: Path) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _install_once(folder: Path, install: Callable[[Path], None]) -> float:
    """Run `install(folder)` unless `folder` holds a complete install; its seconds, else 0."""
    with _locked(folder):
        if (folder / STAMP).is_file():
            return 0.0
        shutil.rmtree(folder, ignore_errors=True)  # an earlier, interrupted attempt
        folder.mkdir(parents=True)
        started = time.monotonic()
        install(folder)
        seconds = time.monotonic() - started
        (folder / STAMP).write_text(f"{seconds:.1f}\n")
        print(f"real-hub: installed {folder.name} in {seconds:.0f}s", file=sys.stderr)
        return seconds


def _pip_install(lock: Path) -> Callable[[Path], None]:
    def install(folder: Path) -> None:
        venv = folder / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check",
             "--no-input", "-r", str(lock)],
            check=True,
        )  # fmt: skip

    return install


def _npm_install(folder: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for configurable-http-proxy (apt-get install npm)")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(LOCKS / name, folder / name)
    # npm ci: exactly the locked versions, checked against the lock's integrity hashes;
    # --ignore-scripts: nothing from the registry runs at install time.
    subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=folder,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def proxy_install() -> tuple[Path, float]:
    """configurable-http-proxy's command, installed on first use; and the install's seconds."""
    key = _lock_hash(LOCKS / "package.json", LOCKS / "package-lock.json")
    folder = cache_root() / f"configurable-http-proxy-{CHP_VERSION}-{key}"
    seconds = _install_once(folder, _npm_install)
    return folder / "node_modules" / ".bin" / "configurable-http-proxy", seconds


def hub_install(major: int) -> HubInstall:
    """JupyterHub `major` with DockerSpawner and the proxy, installed on first use."""
    if major not in JUPYTERHUB_VERSIONS:
        known = sorted(JUPYTERHUB_VERSIONS)
        raise ValueError(f"no JupyterHub {major} in the harness (it has {known})")
    version = JUPYTERHUB_VERSIONS[major]
    lock = LOCKS / f"jupyterhub-{major}.txt"
    folder = cache_root() / f"jupyterhub-{version}-{_lock_hash(lock)}"
    seconds = _install_once(folder, _pip_install(lock))
    proxy, proxy_seconds = proxy_install()
    return HubInstall(major, version, folder / "venv", proxy, seconds + proxy_seconds)


def main() -> None:
    total = time.monotonic()
    for major in sorted(JUPYTERHUB_VERSIONS):
        install = hub_install(major)
        done = f"{install.install_seconds:.0f}s" if install.install_seconds else "cached"
        print(f"JupyterHub {install.version}: {install.venv} ({done})")
    print(f"real-hub installs ready in {time.monotonic() - total:.0f}s under {cache_root()}")


if __name__ == "__main__":
    main()
