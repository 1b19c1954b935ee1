"""`hubimage bump` messages (issue 13), through the CLI in this process.

At b3ac158: the location was printed twice (`error: a.yaml:4: a.yaml:4:3: ...`), a created
value read `None -> ...`, `--dry-run --json` said `"bump-result": "skipped"` beside the diff
of what it would change, and the hint to name the chart had no flag to type.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

from hubimage.cli import build_parser, main


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_location_is_printed_once(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text("jupyterhub:\n  singleuser:\n    image: {name: a/b, tag: x\n")
    code, _, err = run("bump", "--config", str(file), "--hub", "h", "--image", "a/b:c")
    assert code == 2
    [line] = [line for line in err.splitlines() if line.startswith("error:")]
    assert line.count(str(file)) == 1
    assert line.startswith(f"error: {file}:4: not valid YAML")


def test_created_value_reads_none_and_dry_run_json_says_what_it_would_do(tmp_path: Path) -> None:
    file = tmp_path / "values.yaml"
    text = "jupyterhub:\n  hub: {}\n"
    file.write_text(text)
    argv = ["bump", "--config", str(file), "--hub", "h", "--image", "org/x:1.0"]
    code, out, err = run(*argv, "--dry-run", "--json")
    assert code == 0
    payload = json.loads(out)
    assert (payload["bump-result"], payload["dry_run"]) == ("updated", True)
    assert "+      name: org/x" in payload["diff"]
    assert [change["old"] for change in payload["changes"]] == [None, None]
    assert f"{file}:5: h: (none) -> org/x" in err
    assert file.read_text() == text
    code, out, _ = run(*argv, "--json")
    assert (json.loads(out)["bump-result"], json.loads(out)["dry_run"]) == ("updated", False)
    code, out, _ = run(*argv, "--json", "--dry-run")
    assert json.loads(out)["bump-result"] == "unchanged"


def test_hints_are_commands_one_can_type(tmp_path: Path) -> None:
    """Every `--flag` a refusal's hint names is a flag `hubimage bump` takes."""
    (tmp_path / "cluster.yaml").write_text(
        "hubs:\n"
        + "".join(
            f"- name: {hub}\n  helm_chart: basehub\n  helm_chart_values_files:\n"
            f"  - common.values.yaml\n  - {hub}.values.yaml\n"
            for hub in ("staging", "prod")
        )
    )
    (tmp_path / "common.values.yaml").write_text(
        "jupyterhub:\n  singleuser:\n    image:\n      name: org/x\n      tag: a\n"
    )
    for hub in ("staging", "prod"):
        (tmp_path / f"{hub}.values.yaml").write_text("jupyterhub:\n  hub: {}\n")
    (tmp_path / "unknown.yaml").write_text("x: 1\n")
    calls = [
        ["--config", str(tmp_path / "cluster.yaml"), "--hub", "staging"],
        ["--config", str(tmp_path / "unknown.yaml"), "--hub", "staging"],
    ]
    known = {
        option
        for action in build_parser()._subparsers._group_actions[0].choices["bump"]._actions  # type: ignore[union-attr]
        for option in action.option_strings
    }
    for call in calls:
        code, _, err = run("bump", *call, "--image", "org/x:b")
        assert code == 2
        [hint] = [line for line in err.splitlines() if line.startswith("hint:")]
        flags = set(re.findall(r"--[a-z][a-z-]*", hint))
        assert flags and flags <= known, hint
    code, _, _ = run("bump", *calls[0], "--image", "org/x:b", "--hub", "prod")
    assert code == 0
