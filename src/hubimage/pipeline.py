"""`hubimage run`: the whole road from an image repository to a hub pointed at the new image.

Phases, each a named log group: tag → existing? → build → check → compare → push → bump.
The order is the safety argument: nothing is pushed before every check passed, and no hub
config names an image before the registry served its digest. With `check: false` build and
push are one buildx call (imagebuild/backends.py says why that keeps both promises). Outputs are
collected in one `RunOutcome` and written once at the end, also when a phase failed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from hubimage.errors import ChecksFailedError
from hubimage.gha import Reporter
from hubimage.inputs import RunInputs
from hubimage.outcome import RunOutcome
from hubimage.phases import Phases
from hubimage.policy import RunPolicy


def run_pipeline(
    inputs: RunInputs, reporter: Reporter, environ: Mapping[str, str] = os.environ
) -> RunOutcome:
    """Run every phase; raise on failure after recording what is known in the outcome."""
    policy = RunPolicy.decide(inputs, environ)
    outcome = RunOutcome()
    phases = Phases(inputs, policy, reporter, outcome, environ)
    try:
        phases.start_backend_probe()  # in the background: the builder is known by the build
        phases.resolve_tag()
        phases.preflight_bump()
        # A scheduled run rebuilds a published tag to pick up upstream package changes.
        scheduled = policy.event == "schedule" and policy.skip_unchanged
        if policy.push and not inputs.force and phases.find_existing(verify=not scheduled):
            if not scheduled:
                phases.bump()
                return outcome
            phases.rebuild_published()
        if phases.pushes_in_build():  # check: false: one buildx --push (see imagebuild/backends.py)
            phases.build_and_push()
            if policy.bump:
                phases.bump()
            return outcome
        phases.build()
        if inputs.check:
            report = phases.check()
            if report.failed:
                raise ChecksFailedError(
                    "the image failed its checks; nothing was pushed",
                    hint="see the checks table above for what to change",
                )
        phases.record()
        if policy.skip_unchanged and phases.packages_unchanged():
            outcome.bump_result = "unchanged"
            return outcome
        if policy.push:
            phases.push()
            if policy.bump:
                phases.bump()
        else:
            outcome.notes.append(f"not pushed ({policy.why_not_pushed(inputs)})")
        if policy.plan_bump_only:
            phases.show_bump()
        return outcome
    finally:
        phases.report()
