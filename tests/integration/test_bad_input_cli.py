"""Bad input through the CLI (`python -m hubimage bump`): exit 2, a clear message, and the
config file byte-identical (bytes and mtime). The unit tests in tests/unit/test_bump_*.py cover
the same inputs at function level; these check the process boundary: exit code, stderr, files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

pytestmark = pytest.mark.no_engine  # real processes and files, no Docker engine

GOOD = """\
hubs:
  - name: staging
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/org/image
            tag: abc123
  - name: prod
    helm_chart: basehub
    config:
      jupyterhub:
        singleuser:
          image:
            name: quay.io/org/image
            tag: abc123
"""

OLD_MTIME_NS = 1_600_000_000_000_000_000


@dataclass(frozen=True)
class Refusal:
    stderr: str
    stdout: str


def write_config(tmp_path: Path, content: str | bytes) -> Path:
    """The config file, with an old mtime so any rewrite (even of the same bytes) shows."""
    file = tmp_path / "hubs.yaml"
    file.write_bytes(content.encode() if isinstance(content, str) else content)
    os.utime(file, ns=(OLD_MTIME_NS, OLD_MTIME_NS))
    return file


def bump_refused(config: Path, *args: str) -> Refusal:
    """Run `hubimage bump --mode file`, expecting exit 2 and the folder unchanged."""
    folder = config.parent
    before = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in folder.iterdir()}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hubimage",
            "bump",
            "--config",
            str(config),
            "--mode",
            "file",
            *args,
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    after = {f.name: (f.read_bytes(), f.stat().st_mtime_ns) for f in folder.iterdir()}
    assert completed.returncode == 2, (completed.returncode, completed.stderr)
    assert after == before
    assert "Traceback" not in completed.stderr
    assert completed.stderr.strip(), "no message on stderr"
    return Refusal(completed.stderr, completed.stdout)


GOOD_IMAGE = ("--image", "quay.io/org/image:def456")


def test_malformed_yaml(tmp_path: Path) -> None:
    config = write_config(tmp_path, GOOD.replace("helm_chart: basehub\n", "helm_chart: [x\n", 1))
    refusal = bump_refused(config, "--hub", "staging", *GOOD_IMAGE)
    assert "hubs.yaml" in refusal.stderr


def test_non_utf8_yaml(tmp_path: Path) -> None:
    config = write_config(tmp_path, GOOD.encode() + b"# caf\xe9 \xff\xfe\n")
    refusal = bump_refused(config, "--hub", "staging", *GOOD_IMAGE)
    assert "hubs.yaml" in refusal.stderr


def test_duplicate_keys(tmp_path: Path) -> None:
    duplicated = GOOD.replace("    helm_chart: basehub\n", "    helm_chart: basehub\n" * 2, 1)
    config = write_config(tmp_path, duplicated)
    refusal = bump_refused(config, "--hub", "staging", *GOOD_IMAGE)
    assert "helm_chart" in refusal.stderr


def test_unknown_hub_lists_close_names(tmp_path: Path) -> None:
    config = write_config(tmp_path, GOOD)
    refusal = bump_refused(config, "--hub", "stagng", *GOOD_IMAGE)
    assert "stagng" in refusal.stderr
    assert "staging" in refusal.stderr


@pytest.mark.parametrize(
    "image",
    [
        "quay.io/org/image:bad tag",
        "quay.io/org/image:tag$(id)",
        "quay.io/org/image:-leadingdash",
        "quay.io/org/image:" + "x" * 200,
        "quay.io/org/image;rm -rf /:tag",
        "quay.io/org/image:tag\nhubs: []",
        "quay.io/org/`whoami`:tag",
        "quay.io/org/image:tag|cat",
    ],
)
def test_illegal_image_reference(tmp_path: Path, image: str) -> None:
    config = write_config(tmp_path, GOOD)
    refusal = bump_refused(config, "--hub", "staging", "--image", image)
    assert "image" in refusal.stderr.lower()


@pytest.mark.timeout(120)
def test_huge_file(tmp_path: Path) -> None:
    padding = ("# " + "x" * 1000 + "\n") * 50_000  # ~50 MB of comments
    config = write_config(tmp_path, GOOD + padding)
    refusal = bump_refused(config, "--hub", "staging", *GOOD_IMAGE)
    assert "hubs.yaml" in refusal.stderr


def test_missing_config_file(tmp_path: Path) -> None:
    anchor = write_config(tmp_path, GOOD)
    missing = tmp_path / "nope.yaml"
    env = dict(os.environ)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "hubimage",
            "bump",
            "--config",
            str(missing),
            "--hub",
            "staging",
            "--mode",
            "file",
            *GOOD_IMAGE,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "nope.yaml" in completed.stderr
    assert anchor.read_bytes() == GOOD.encode()
