"""Output of the image repository's code is printed, never obeyed (::stop-commands::)."""

from __future__ import annotations

import io

from hubimage.gha import Reporter
from support.workflow_commands import obeyed_commands


def test_commands_from_untrusted_output_are_not_obeyed_ours_still_are() -> None:
    stream = io.StringIO()
    reporter = Reporter(stream, actions=True)
    with reporter.group("Build"):
        with reporter.untrusted_output():
            reporter.info("::add-mask::harmless")
            reporter.info("::set-output name=pushed::true")
            reporter.info("::endgroup::")
            reporter.mask("a-secret-of-ours")  # ours: must still reach the runner
            reporter.info("::stop-commands::guess")
            reporter.info("::guess::")
            reporter.info("::error::forged annotation")
        reporter.annotate("warning", "a warning of ours")
    obeyed = obeyed_commands(stream.getvalue())
    assert obeyed == [
        "::group::Build",
        "::add-mask::a-secret-of-ours",
        "::warning::a warning of ours",
        "::endgroup::",
    ]
    lines = stream.getvalue().splitlines()
    tokens = [line for line in lines if line.startswith("::stop-") and "guess" not in line]
    assert len(set(tokens)) == len(tokens) == 2  # a fresh random token after each resume
    assert all(len(token.removeprefix("::stop-commands::")) == 32 for token in tokens)


def test_outside_actions_nothing_is_wrapped() -> None:
    stream = io.StringIO()
    reporter = Reporter(stream, actions=False)
    with reporter.untrusted_output():
        reporter.info("::add-mask::x")
    assert stream.getvalue() == "::add-mask::x\n"
