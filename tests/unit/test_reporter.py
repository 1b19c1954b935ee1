import io
from pathlib import Path

import pytest

from hubimage.errors import SourceLocation
from hubimage.gha import Reporter
from support.runner_files import parse_output_file

SECRET = "s3cr3t-token-value"


def test_masks_first_and_redacts_every_channel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    output.touch()
    summary.touch()
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    stream = io.StringIO()
    reporter = Reporter(stream, actions=True)
    reporter.mask(SECRET)
    reporter.info(f"login with {SECRET}")
    reporter.annotate("error", f"denied for {SECRET}", title="push")
    reporter.set_output("note", f"x{SECRET}y")
    reporter.add_summary(f"| {SECRET} |")
    reporter.flush()
    log = stream.getvalue()
    assert log.splitlines()[0] == f"::add-mask::{SECRET}"
    assert SECRET not in "\n".join(log.splitlines()[1:])
    assert SECRET not in output.read_text() and SECRET not in summary.read_text()
    assert parse_output_file(output) == {"note": "x***y"}


def test_multiline_secret_lines_are_each_masked() -> None:
    stream = io.StringIO()
    reporter = Reporter(stream, actions=True)
    key = '{\n  "private_key": "-----BEGIN KEY-----abcdef"\n}'
    reporter.mask(key)
    reporter.info('found "private_key": "-----BEGIN KEY-----abcdef" in a log')
    lines = stream.getvalue().splitlines()
    assert lines[0] == '::add-mask::"private_key": "-----BEGIN KEY-----abcdef"'
    assert lines[1] == "found *** in a log"


def test_outputs_are_written_once_with_delimiters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "output"
    output.touch()
    monkeypatch.setenv("GITHUB_OUTPUT", str(output))
    reporter = Reporter(io.StringIO(), actions=True)
    reporter.set_output("checks", '{"a": 1}\nsecond line')
    reporter.set_output("tag", "v1")
    reporter.set_output("tag", "v2")
    reporter.flush()
    assert parse_output_file(output) == {"checks": '{"a": 1}\nsecond line', "tag": "v2"}


def test_annotations_carry_file_and_line_in_actions() -> None:
    stream = io.StringIO()
    Reporter(stream, actions=True).annotate(
        "error", "bad: 50%", title="hub config", location=SourceLocation("hubs.yaml", 12, 3)
    )
    assert (
        stream.getvalue() == "::error title=hub config,file=hubs.yaml,line=12,col=3::bad: 50%25\n"
    )


def test_groups_outside_actions_are_plain_headings() -> None:
    stream = io.StringIO()
    reporter = Reporter(stream, actions=False)
    with reporter.group("Build"):
        reporter.info("step")
    assert stream.getvalue() == "== Build\nstep\n"
