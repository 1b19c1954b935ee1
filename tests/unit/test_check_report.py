"""The hubs-by-checks report, and the server extensions read from a server's log."""

from __future__ import annotations

from dataclasses import replace

from hubimage.check.extensions import failed_extensions
from hubimage.check.model import CheckReport, CheckResult
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE as Z2JH
from hubimage.check.report import SpawnReport

STAGING = replace(Z2JH, hub="staging", name="default")
PROD_SMALL = replace(Z2JH, hub="prod", name="Small", memory_limit=2**30)


def report_of(profile, **statuses: str) -> CheckReport:  # type: ignore[no-untyped-def]
    results = tuple(
        CheckResult(name.replace("_", "-"), status, f"{name} was {status}")  # type: ignore[arg-type]
        for name, status in statuses.items()
    )
    return CheckReport("img:1", results, profile, (profile.label,))


def test_each_check_sums_up_to_its_worst_result_named_after_its_profile() -> None:
    report = SpawnReport(
        "img:1",
        (
            report_of(STAGING, server_starts="pass", landing_page="skip", spawn_time="warn"),
            report_of(PROD_SMALL, server_starts="fail", landing_page="pass", spawn_time="pass"),
        ),
    )
    assert report.failed
    combined = {result.name: result for result in report.results}
    assert combined["server-starts"].status == "fail"
    assert combined["server-starts"].summary == "prod / Small: server_starts was fail"
    assert combined["landing-page"].status == "pass"  # a pass beats a skip elsewhere
    assert combined["spawn-time"].summary.startswith("staging / default: ")


def test_one_profile_reads_as_before() -> None:
    report = SpawnReport("img:1", (report_of(Z2JH, server_starts="pass"),))
    assert report.results[0].summary == "server_starts was pass"
    assert report.render_markdown({}) == report.reports[0].render_markdown({})


def test_the_markdown_has_a_row_per_profile_and_a_column_per_check() -> None:
    report = SpawnReport(
        "img:1",
        (
            report_of(STAGING, server_starts="pass", landing_page="fail"),
            report_of(PROD_SMALL, server_starts="warn", landing_page="skip"),
        ),
        notes=("prod: hub.extraConfig is Python code: not evaluated",),
    )
    rows = report.matrix()
    assert rows[0] == "| hub / profile | `server-starts` | `landing-page` |"
    assert rows[2] == "| staging / default | ✅ | ❌ |"
    assert rows[3] == "| prod / Small | ⚠️ | ⏭️ |"
    markdown = report.render_markdown({})
    assert "- prod: hub.extraConfig is Python code: not evaluated" in markdown
    assert markdown.count("<details><summary>") == 2


def test_as_dict_keeps_every_profile_with_what_was_applied() -> None:
    report = SpawnReport("img:1", (report_of(STAGING.with_defaults_noted(), server_starts="pass"),))
    data = report.as_dict()
    [profile] = data["profiles"]  # type: ignore[misc]
    assert profile["profile"] == "staging / default"
    assert {
        "setting": "singleuser.uid",
        "value": "1000",
        "source": "Zero to JupyterHub's default",
    } in profile["applied"]
    assert data["results"] == profile["results"]


W = "[W 2026-12-04 05:00:00.100 ServerApp]"
LOG = f"""\
[I 2026-12-04 05:00:00.000 ServerApp] jupyterlab | extension was successfully linked.
{W} jupyter_server_proxy | error adding extension (enabled: True): No module named 'simpervisor'
    Traceback (most recent call last):
    ModuleNotFoundError: No module named 'simpervisor'
{W} nbgitpuller | extension failed loading with message: RuntimeError('boom')
{W} old_thing | error adding extension (enabled: False): gone
{W} jupyter_rsession_proxy | error linking extension: bad
"""


def test_failed_extensions_are_read_from_jupyter_servers_log() -> None:
    failed = failed_extensions(LOG)
    assert set(failed) == {"jupyter_server_proxy", "nbgitpuller", "jupyter_rsession_proxy"}
    assert "No module named 'simpervisor'" in failed["jupyter_server_proxy"]
    assert "RuntimeError('boom')" in failed["nbgitpuller"]
    assert (
        failed_extensions("[I 2026 ServerApp] jupyterlab | extension was successfully loaded.")
        == {}
    )
