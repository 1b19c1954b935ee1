"""CheckReport: the verdict, and how it reads in a terminal, a job summary and JSON."""

from __future__ import annotations

import json

import pytest

from hubimage.check import CheckReport, CheckResult


def report(*results: CheckResult) -> CheckReport:
    return CheckReport(image="quay.io/org/img:1", results=results)


PASS = CheckResult(
    "non-root-user", "pass", "runs as jovyan (uid 1000, gid 100)", None, {"uid": 1000}, 0.25
)
FAIL = CheckResult("server-starts", "fail", "exited | code 1", "fix the\nconfig", {}, 3.0)
WARN = CheckResult("image-size", "warn", "9.00 GB", "make it smaller", {"bytes": 9}, 0.0)
SKIP = CheckResult("hub-version", "skip", "no hub version given", None, {}, 0.0)


def test_failed_only_when_a_check_failed() -> None:
    assert not report(PASS, WARN, SKIP).failed
    assert report(PASS, FAIL).failed
    assert not report().failed


def test_table_has_one_line_per_check_and_hints_only_for_problems() -> None:
    text = report(PASS, FAIL, WARN, SKIP).render_table()
    lines = text.splitlines()
    assert lines[0] == "checks of quay.io/org/img:1 as Zero to JupyterHub defaults spawns it:"
    assert any(line.startswith("  PASS  non-root-user") for line in lines)
    assert any(line.startswith("  FAIL  server-starts") for line in lines)
    assert sum("fix:" in line for line in lines) == 2  # FAIL and WARN, not PASS or SKIP
    assert lines[-1].strip() == "FAILED: 1 pass, 1 warn, 1 fail, 1 skip"


def test_markdown_is_a_table_with_escaped_cells() -> None:
    text = report(PASS, FAIL).render_markdown()
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert len(rows) == 2
    # A `|` in a summary must not open a new column; newlines in hints stay in the cell.
    assert "exited \\| code 1" in rows[1]
    assert "**Fix:** fix the<br>config" in rows[1]
    assert all(row.count(" | ") == 3 for row in rows)


def test_as_dict_is_json_and_keeps_order() -> None:
    data = json.loads(json.dumps(report(PASS, FAIL).as_dict()))
    assert data["failed"] is True
    assert [item["name"] for item in data["results"]] == ["non-root-user", "server-starts"]
    assert data["results"][0]["details"] == {"uid": 1000}


def test_result_by_name() -> None:
    assert report(PASS, FAIL).result("server-starts") is FAIL
    with pytest.raises(KeyError):
        report(PASS).result("image-tests")


CRASH = CheckResult(
    "server-starts",
    "fail",
    "the server exited with code 1",
    "read the log",
    {"log_tail": [f"line {n}" for n in range(40)]},
    2.0,
)


def test_failures_show_their_last_log_lines() -> None:
    table = report(CRASH).render_table().splitlines()
    shown = [line.split("| ", 1)[1] for line in table if "| line" in line]
    assert shown == [f"line {n}" for n in range(30, 40)]

    markdown = report(CRASH).render_markdown()
    assert "<details><summary>server-starts: last log lines</summary>" in markdown
    assert "line 39" in markdown and "line 10" in markdown and "line 9\n" not in markdown


def test_log_lines_of_passing_checks_stay_out_of_the_way() -> None:
    passing = CheckResult("server-starts", "warn", "slow", "x", {"log_tail": ["noise"]}, 1.0)
    assert "noise" not in report(passing).render_table()
    assert "<details>" not in report(passing).render_markdown()
