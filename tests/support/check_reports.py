"""Assertions on whole check reports, shared by the check test modules."""

from __future__ import annotations

from collections.abc import Mapping

from hubimage.check import CHECK_NAMES, CheckReport, CheckResult
from hubimage.check.report import SpawnReport

ALL_PASS_NO_CONTEXT = {name: "pass" for name in CHECK_NAMES} | {"image-tests": "skip"}
# What needs the running server skips when it does not start (server-starts says why).
SERVER_CHECKS = (
    "spawn-time",
    "server-log",
    "server-extensions",
    "kernel-runs",
    "landing-page",
    "second-start",
)
SERVER_CHECKS_SKIP = dict.fromkeys(SERVER_CHECKS, "skip")


def expect(
    report: CheckReport | SpawnReport, changes: Mapping[str, str], hub_version: bool = False
) -> None:
    """Assert every check's status: all pass except `changes` (hub-version skips unless given)."""
    wanted = dict(ALL_PASS_NO_CONTEXT)
    if not hub_version:
        wanted["hub-version"] = "skip"
    wanted.update(changes)
    got = {result.name: result.status for result in report.results}
    assert got == wanted, report.render_table()
    for result in report.results:
        if result.status in ("fail", "warn"):
            assert result.hint, f"{result.name} gives no hint: {result.summary}"


def expect_result(
    report: CheckReport | SpawnReport, name: str, summary: str, hint: str | None = None
) -> CheckResult:
    """The result of check `name`: its summary says `summary`, its hint says `hint`."""
    result = report.result(name)
    assert summary in result.summary, result.summary
    if hint is not None:
        assert result.hint is not None and hint in result.hint, result.hint
    return result
