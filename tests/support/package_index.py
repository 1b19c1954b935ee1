"""A real Python package index on loopback: PEP 503's simple API from a folder of wheels.

`PackageIndex.publish(name, version)` writes a small pure-Python wheel (PEP 427: the module,
METADATA, WHEEL and RECORD with their hashes) and the index pages that list it; pip inside a
build on host networking installs from `index.url` (pip treats loopback as a secure origin).
A new upstream release is one more `publish`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class PackageIndex:
    root: Path
    url: str = ""  # http://127.0.0.1:PORT/simple/
    files: dict[str, list[str]] = field(default_factory=dict)  # project -> wheel names

    def publish(self, name: str, version: str) -> str:
        """Build and list a wheel of `name` `version`; returns its file name."""
        normal = re.sub(r"[-_.]+", "_", name).lower()
        wheel = f"{normal}-{version}-py3-none-any.whl"
        _write_wheel(self.root / "packages" / wheel, name, normal, version)
        project = re.sub(r"[-_.]+", "-", name).lower()
        self.files.setdefault(project, []).append(wheel)
        self._write_pages()
        return wheel

    def _write_pages(self) -> None:
        simple = self.root / "simple"
        simple.mkdir(parents=True, exist_ok=True)
        links = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(self.files))
        (simple / "index.html").write_text(f"<!DOCTYPE html><html><body>\n{links}</body></html>\n")
        for project, wheels in self.files.items():
            folder = simple / project
            folder.mkdir(exist_ok=True)
            anchors = "".join(
                f'<a href="../../packages/{html.escape(w)}#sha256='
                f'{hashlib.sha256((self.root / "packages" / w).read_bytes()).hexdigest()}">'
                f"{html.escape(w)}</a>\n"
                for w in wheels
            )
            (folder / "index.html").write_text(
                f"<!DOCTYPE html><html><body>\n{anchors}</body></html>\n"
            )


def _write_wheel(path: Path, name: str, module: str, version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    dist_info = f"{module}-{version}.dist-info"
    files = {
        f"{module}/__init__.py": f'__version__ = "{version}"\n',
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": (
            "Wheel-Version: 1.0\nGenerator: hubimage-tests\nRoot-Is-Purelib: true\n"
            "Tag: py3-none-any\n"
        ),
    }
    record = [
        f"{file},sha256={_urlsafe_sha256(content.encode())},{len(content.encode())}"
        for file, content in files.items()
    ]
    files[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(path, "w") as archive:
        for file, content in files.items():
            archive.writestr(file, content)


def _urlsafe_sha256(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The index's requests are not the test's output."""


@contextmanager
def serving_index(root: Path) -> Iterator[PackageIndex]:
    """An empty index under `root`, served on a free port of 127.0.0.1 for the block."""
    index = PackageIndex(root)
    index._write_pages()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    server.daemon_threads = True
    index.url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="package-index")
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()
