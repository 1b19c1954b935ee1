"""The verbs of the command line as a user types them: exit codes, JSON, files on disk."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from support import bad_images
from support.hub_config_fixtures import HUB_CONFIGS


def hubimage(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hubimage", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


@pytest.mark.integration
def test_check_fails_a_root_image_with_exit_1_and_says_what_to_change(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.root_user(docker_engine, singleuser_image)
    done = hubimage("check", image, "--json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    failed = [r for r in report["results"] if r["status"] == "fail"]
    assert [r["name"] for r in failed] == ["non-root-user"]
    assert "USER" in failed[0]["hint"]
    assert "FAIL  non-root-user" in done.stderr


@pytest.mark.integration
def test_check_passes_a_good_image_with_exit_0(singleuser_image: str) -> None:
    done = hubimage("check", singleuser_image, "--hub-version", "6.1.1")
    assert done.returncode == 0, done.stderr
    assert "OK:" in done.stderr


@pytest.mark.parametrize(
    ("image", "message"),
    [("hubimage-fixture/never-built:nope", "exists neither locally"), ("Bad Ref", "invalid")],
)
@pytest.mark.integration
def test_check_bad_image_is_exit_2(docker_engine: DockerEngine, image: str, message: str) -> None:
    done = hubimage("check", image, "--json")
    assert done.returncode == 2, done.stderr
    assert message in json.loads(done.stdout)["error"]


def copy_fixture(tmp_path: Path, name: str) -> Path:
    if not HUB_CONFIGS.is_dir():
        pytest.skip(f"the real hub-config fixtures are not here ({HUB_CONFIGS} is absent)")
    target = tmp_path / Path(name).name
    shutil.copyfile(HUB_CONFIGS / name, target)
    return target


@pytest.mark.no_engine
def test_bump_file_mode_changes_exactly_the_hub_lines(tmp_path: Path) -> None:
    config = copy_fixture(tmp_path, "2021/hubs.yaml")
    before = config.read_text().splitlines()
    image = "localhost:5000/org/dask-image:0123456"
    done = hubimage("bump", "--config", str(config), "--hub", "dask-staging", "--image", image)
    assert done.returncode == 0, done.stderr
    after = config.read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after, strict=True) if old != new]
    # dask-staging is a daskhub: its image sits under base-hub, as a {name, tag} map.
    # A tag YAML would read as a number is written quoted.
    indent = " " * 18
    assert changed == [
        (f"{indent}name: pangeo/pangeo-notebook", f"{indent}name: localhost:5000/org/dask-image"),
        (f"{indent}tag: 2020.12.08", f'{indent}tag: "0123456"'),
    ]


@pytest.mark.no_engine
def test_bump_dry_run_prints_the_diff_and_writes_nothing(tmp_path: Path) -> None:
    config = copy_fixture(tmp_path, "2021/hubs.yaml")
    original = config.read_bytes()
    image = "quay.io/org/img:abc123def456"
    done = hubimage(
        "bump", "--config", str(config), "--hub", "dask-staging", "--image", image, "--dry-run"
    )
    assert done.returncode == 0, done.stderr
    assert config.read_bytes() == original
    assert "+                  name: quay.io/org/img" in done.stdout
    plus = [line for line in done.stdout.splitlines() if line.startswith("+ ")]
    minus = [line for line in done.stdout.splitlines() if line.startswith("- ")]
    assert len(plus) == len(minus) == 2


@pytest.mark.no_engine
def test_bump_unknown_hub_is_exit_2_and_lists_close_names(tmp_path: Path) -> None:
    config = copy_fixture(tmp_path, "2021/hubs.yaml")
    original = config.read_bytes()
    done = hubimage(
        *("bump", "--config", str(config), "--hub", "dask-stagin"),
        *("--image", "quay.io/o/i:abc1", "--json"),
    )
    assert done.returncode == 2
    error = json.loads(done.stdout)
    assert "dask-staging" in error["error"] + (error["hint"] or "")
    assert config.read_bytes() == original


@pytest.mark.no_engine
def test_usage_errors_are_exit_2() -> None:
    assert hubimage("bump", "--hub", "x").returncode == 2
    assert hubimage("build", "--builder", "kaniko", "--image", "x").returncode == 2
    assert hubimage("frobnicate").returncode == 2
