"""An existing tag's `io.hubimage.checks` label saves the checks only when it matches this run.

The label is a cache, not a signature: anyone who can push the tag can write any label, so a
record is trusted only for exactly the checks this run would do (the spawn profiles they ran
under, with their uid, groups, command and the rest; the hub major; the set of checks).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from hubimage.check import CHECK_NAMES
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE as Z2JH
from hubimage.policy import CHECKS_LABEL, checks_record, checks_record_mismatch, expected_checks
from hubimage.values import HubVersion

SPAWNS = [Z2JH.fingerprint()]
V6 = HubVersion.parse("6.1.1")
THIS_RUN = expected_checks(SPAWNS, HubVersion.parse("6.1.1"), CHECK_NAMES)


def passed_report(names: tuple[str, ...] = CHECK_NAMES) -> dict[str, Any]:
    return {"failed": False, "results": [{"name": n, "status": "pass"} for n in names]}


def labels(record: dict[str, Any]) -> dict[str, str]:
    return {CHECKS_LABEL: json.dumps(record)}


def test_a_record_of_this_runs_checks_is_trusted() -> None:
    record = checks_record(passed_report(), THIS_RUN)
    assert checks_record_mismatch(labels(record), THIS_RUN) is None
    # Another minor version of the same hub major checks the same thing.
    assert (
        checks_record_mismatch(
            labels(record), expected_checks(SPAWNS, HubVersion.parse("6.2.0"), CHECK_NAMES)
        )
        is None
    )


@pytest.mark.parametrize(
    ("this_run", "what"),
    [
        (expected_checks([replace(Z2JH, uid=1001).fingerprint()], V6, CHECK_NAMES), "spawns"),
        (expected_checks([replace(Z2JH, fs_gid=1000).fingerprint()], V6, CHECK_NAMES), "spawns"),
        (
            expected_checks([replace(Z2JH, http_timeout=120).fingerprint()], V6, CHECK_NAMES),
            "spawns",
        ),
        (
            expected_checks(
                [*SPAWNS, replace(Z2JH, memory_limit=2**30).fingerprint()], V6, CHECK_NAMES
            ),
            "spawns",
        ),
        (expected_checks(SPAWNS, HubVersion.parse("5.2.1"), CHECK_NAMES), "hub_major"),
        (expected_checks(SPAWNS, None, CHECK_NAMES), "hub_major"),
    ],
)
def test_a_record_for_another_run_is_not_trusted(this_run: dict[str, Any], what: str) -> None:
    record = checks_record(passed_report(), THIS_RUN)
    why = checks_record_mismatch(labels(record), this_run)
    assert why is not None and what in why


def test_a_record_of_fewer_checks_is_not_trusted() -> None:
    record = checks_record(passed_report(CHECK_NAMES[:-1]), THIS_RUN)
    why = checks_record_mismatch(labels(record), THIS_RUN)
    assert why is not None and "checks" in why


def test_a_run_that_skips_a_check_trusts_only_a_record_of_that_same_selection() -> None:
    without_lab = tuple(name for name in CHECK_NAMES if name != "landing-page")
    this_run = expected_checks(SPAWNS, V6, without_lab)
    assert checks_record_mismatch(labels(checks_record(passed_report(), THIS_RUN)), this_run)
    same = checks_record(passed_report(without_lab), this_run)
    assert checks_record_mismatch(labels(same), this_run) is None


@pytest.mark.parametrize(
    "label",
    [
        '{"passed": true}',  # what anyone would forge
        # the record b3ac158 wrote: no gid, no check set
        json.dumps(
            {
                "checked": True,
                "passed": True,
                "uid": 1000,
                "hub_version": "6.1.1",
                "results": {n: "pass" for n in CHECK_NAMES},
            }
        ),
        json.dumps({**checks_record(passed_report(), THIS_RUN), "passed": False}),
        "not json",
        "[]",
    ],
)
def test_forged_old_failed_or_broken_records_are_not_trusted(label: str) -> None:
    assert checks_record_mismatch({CHECKS_LABEL: label}, THIS_RUN) is not None


def test_no_label_is_not_trusted() -> None:
    assert checks_record_mismatch({}, THIS_RUN) is not None
