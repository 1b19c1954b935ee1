"""The outputs and the job summary, written once at the end of a run, however far it got."""

from __future__ import annotations

import time

from hubimage.phases.context import RunContext
from hubimage.summary import render_summary


def report(context: RunContext) -> None:
    reporter, outcome = context.reporter, context.outcome
    for name, value in outcome.outputs().items():
        reporter.set_output(name, value)
    reporter.add_summary(render_summary(outcome))
    context.services.close()
    reporter.info(f"hubimage run finished in {time.monotonic() - context.started:.1f}s")
