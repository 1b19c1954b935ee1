"""The checks that use the running server: kernel-runs, landing-page, spawn-time, server-log,
and the image-size budget, against the good image and a corpus of images that each break
exactly one of them.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from hubimage.check import CheckOptions, run_checks
from hubimage.check.landing import SCREENSHOT_NAME
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, SpawnProfile
from hubimage.check.report import SpawnReport
from hubimage.engine import DockerEngine
from hubimage.values import HubVersion
from support import bad_images
from support.check_reports import expect
from support.png_pixels import read_png

pytestmark = pytest.mark.integration

HUB = HubVersion.parse("6.1.1")


def check(
    engine: DockerEngine,
    image: str,
    tmp_path: Path,
    profile: SpawnProfile = ZERO_TO_JUPYTERHUB_PROFILE,
    **options: object,
) -> SpawnReport:
    artifacts = tmp_path / "artifacts"
    options = {"hub_version": HUB, "artifacts_dir": artifacts, **options}
    return run_checks(engine, image, CheckOptions(**options), [profile])  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def good_report(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path_factory: pytest.TempPathFactory
) -> SpawnReport:
    return check(docker_engine, singleuser_image, tmp_path_factory.mktemp("good"))


def test_good_image_runs_a_kernel_and_loads_jupyterlab(good_report: SpawnReport) -> None:
    expect(good_report, {}, hub_version=True)
    kernel = good_report.result("kernel-runs")
    (run,) = kernel.details["kernels"]
    assert (run["name"], run["language"], run["result"]) == ("python3", "python", "2")
    assert run["language_version"].startswith("3.")  # the image's Python, reported
    assert run["implementation"].startswith("ipython ")
    assert "kernel python3 (python 3." in kernel.summary
    lab = good_report.result("landing-page")
    assert lab.details["title"] == "JupyterLab"
    # Sent to /user/NAME/, logged in through the hub's OAuth, landed on the server's default.
    assert lab.details["url"].endswith("/user/hubimage-check/")
    assert lab.details["landed"].split("?")[0].endswith("/user/hubimage-check/lab")
    assert any("/hub/api/oauth2/authorize" in url for url in lab.details["redirects"])
    assert lab.details["console_errors"] == [] and lab.details["page_errors"] == []
    assert good_report.result("server-log").details["error_lines"] == []
    spawn = good_report.result("spawn-time").details
    assert 0 < float(spawn["spawn_seconds"]) < 30 and spawn["http_timeout"] == 30
    assert good_report.result("second-start").details["notebook_kept"] is True


def test_lab_screenshot_is_a_real_png_of_the_lab_shell(good_report: SpawnReport) -> None:
    path = Path(str(good_report.result("landing-page").details["screenshot"]))
    assert path.name == SCREENSHOT_NAME
    assert path.stat().st_size > 10_000
    pixels = read_png(path)
    assert (pixels.width, pixels.height) == (1280, 800)
    # A blank page is one colour; JupyterLab's menus, file browser and icons are many.
    assert len(pixels.colours) > 50
    assert pixels.dominant_share < 0.9


def test_no_ipykernel_fails_only_kernel_runs(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.no_ipykernel(docker_engine, singleuser_image)
    report = check(docker_engine, image, tmp_path)
    expect(report, {"kernel-runs": "fail"}, hub_version=True)
    result = report.result("kernel-runs")
    assert "lists no kernel" in result.summary
    assert result.hint is not None and "ipykernel" in result.hint


def test_kernelspec_with_a_missing_interpreter_fails_only_kernel_runs_with_its_log(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.kernel_missing_interpreter(docker_engine, singleuser_image)
    report = check(docker_engine, image, tmp_path)
    expect(report, {"kernel-runs": "fail"}, hub_version=True)
    result = report.result("kernel-runs")
    missing = "/opt/conda/envs/analysis/bin/python"
    assert "kernel python3 did not start" in result.summary
    assert f"No such file or directory: '{missing}'" in result.summary
    assert result.hint is not None and missing in result.hint
    assert any(missing in line for line in result.details["log_tail"])


def test_kernel_exiting_on_start_fails_only_kernel_runs_with_its_own_lines(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.kernel_exits_on_start(docker_engine, singleuser_image)
    report = check(docker_engine, image, tmp_path, kernel_timeout=45.0)
    expect(report, {"kernel-runs": "fail"}, hub_version=True)
    result = report.result("kernel-runs")
    assert "exited right after it started" in result.summary
    log_tail = result.details["log_tail"]
    assert any(bad_images.KERNEL_EXIT_MESSAGE in line for line in log_tail)
    assert not any("Kernel does not exist" in line for line in log_tail)


def test_all_kernels_checks_every_kernelspec(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.second_broken_kernel(docker_engine, singleuser_image)
    default_only = check(docker_engine, image, tmp_path, only=("kernel-runs",))
    assert default_only.results[0].status == "pass", default_only.render_table()
    every = check(docker_engine, image, tmp_path, only=("kernel-runs",), all_kernels=True)
    (result,) = every.results
    assert result.status == "fail"
    assert "kernel analysis did not start" in result.summary
    names = {run["name"]: run["problem"] for run in result.details["kernels"]}
    assert names["python3"] is None and names["analysis"]


def test_extension_throwing_on_load_fails_only_landing_page(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.broken_lab_extension(docker_engine, singleuser_image)
    report = check(docker_engine, image, tmp_path)
    expect(report, {"landing-page": "fail"}, hub_version=True)
    result = report.result("landing-page")
    assert bad_images.BROKEN_EXTENSION_ERROR in result.summary
    assert result.hint is not None and "labextension list" in result.hint
    assert Path(str(result.details["screenshot"])).is_file()  # kept for the failure too


def test_slow_server_start_fails_only_spawn_time(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.slow_server_start(docker_engine, singleuser_image)
    timeout = bad_images.SLOW_START_SECONDS - 3
    hub = replace(ZERO_TO_JUPYTERHUB_PROFILE, http_timeout=float(timeout))
    options = {"only": ("server-starts", "spawn-time")}
    report = check(docker_engine, image, tmp_path, hub, **options)
    statuses = {result.name: result.status for result in report.results}
    assert statuses == {"server-starts": "fail", "spawn-time": "fail"}, report.render_table()
    result = report.result("spawn-time")
    assert f"the hub's http_timeout of {timeout} s" in result.summary
    assert float(result.details["spawn_seconds"]) >= timeout
    assert result.hint is not None and "http_timeout" in result.hint
    # With the hub's patience well above the start, it starts (a busy machine may make it
    # take more than half of it: then spawn-time warns).
    patient = replace(hub, http_timeout=float(bad_images.SLOW_START_SECONDS * 4))
    report = check(docker_engine, image, tmp_path, patient, **options)
    assert report.result("server-starts").status == "pass", report.render_table()
    assert report.result("spawn-time").status in ("pass", "warn"), report.render_table()


def test_image_over_max_image_size_fails_only_image_size(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    budget = 100 * 10**6
    report = check(docker_engine, singleuser_image, tmp_path, max_image_bytes=budget)
    expect(report, {"image-size": "fail"}, hub_version=True)
    result = report.result("image-size")
    assert "above its budget of 100.0 MB (max-image-size)" in result.summary
    assert int(result.details["bytes"]) > budget


def test_size_change_against_the_hub_image(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    image = bad_images.no_ipykernel(docker_engine, singleuser_image)
    options = {"only": ("image-size",), "previous_image": singleuser_image}
    (result,) = check(docker_engine, image, tmp_path, **options).results
    change = int(result.details["change_bytes"])
    sizes = [docker_engine.require_image(ref)["Size"] for ref in (image, singleuser_image)]
    assert change == sizes[0] - sizes[1]
    assert f"against the hub's {singleuser_image}" in result.summary


def test_without_a_browser_landing_page_skips_and_says_how_to_enable_it(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    options = {"only": ("landing-page",), "browser": "/nonexistent/chrome"}
    (result,) = check(docker_engine, singleuser_image, tmp_path, **options).results
    assert result.status == "skip"  # never a pass
    assert result.hint is not None and "apt-get install chromium" in result.hint


def test_a_default_url_the_image_does_not_serve_fails_fast(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    # The good image has no classic notebook: /tree is not there, and the check says so at
    # once instead of waiting out its time.
    hub = replace(ZERO_TO_JUPYTERHUB_PROFILE, default_url="/tree")
    options = {"only": ("landing-page",), "landing_timeout": 60.0}
    started = time.monotonic()
    (result,) = check(docker_engine, singleuser_image, tmp_path, hub, **options).results
    assert result.status == "fail"
    assert result.details["landed"].endswith("/user/hubimage-check/tree")
    assert result.details["http_status"] == 404
    assert "answers HTTP 404" in result.summary and "/tree" in result.summary
    assert result.hint is not None and "notebook" in result.hint
    assert time.monotonic() - started < 40  # the server's start and the browser's, no wait


def test_skip_leaves_out_the_named_checks(
    docker_engine: DockerEngine, singleuser_image: str, tmp_path: Path
) -> None:
    skipped = ("landing-page", "kernel-runs", "image-tests")
    report = check(docker_engine, singleuser_image, tmp_path, skip=skipped)
    names = [result.name for result in report.results]
    assert not set(skipped) & set(names)
    assert "server-starts" in names and not report.failed
