"""lab-loads' browser lookup and the screenshot's place in the job summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.check.landing import BROWSER_ENV, find_browser
from hubimage.check.model import CheckReport, CheckResult, screenshot_markdown

RUN_ENV = {
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "org/hub-image",
    "GITHUB_RUN_ID": "42",
}


def executable(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_a_named_browser_wins_then_the_environment_then_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chrome = executable(tmp_path, "google-chrome")
    other = executable(tmp_path, "my-chromium")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(BROWSER_ENV, raising=False)
    assert find_browser(None) == str(chrome)  # GitHub runners' Chrome, found on PATH
    monkeypatch.setenv(BROWSER_ENV, str(other))
    assert find_browser(None) == str(other)
    assert find_browser("google-chrome") == str(chrome)
    assert find_browser(str(tmp_path / "missing")) is None  # named but absent: no fallback


def landing_result(screenshot: str | None) -> CheckResult:
    return CheckResult("landing-page", "pass", "loaded", None, {"screenshot": screenshot})


def test_the_summary_links_the_screenshot_to_the_runs_artifacts() -> None:
    report = CheckReport(
        "img:tag", (landing_result("/tmp/runner/hubimage-artifacts/landing-page.png"),)
    )
    markdown = report.render_markdown(RUN_ENV)
    assert "`landing-page.png` in [this run's artifacts]" in markdown
    assert "(https://github.com/org/hub-image/actions/runs/42#artifacts)" in markdown
    # Outside a workflow run it names the file.
    assert "`/tmp/runner/hubimage-artifacts/landing-page.png`" in report.render_markdown({})


def test_no_screenshot_no_line() -> None:
    assert screenshot_markdown([landing_result(None).as_dict()], RUN_ENV) == ""
    other = CheckResult("server-starts", "pass", "ok").as_dict()
    assert screenshot_markdown([other], RUN_ENV) == ""
