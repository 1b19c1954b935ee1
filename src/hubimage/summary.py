"""The job summary, the checks report and the bump pull request's body."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from hubimage.check.model import screenshot_markdown
from hubimage.check.report import matrix_rows
from hubimage.gha import AnnotationLevel, Reporter, workflow_run_url
from hubimage.outcome import RunOutcome

if TYPE_CHECKING:
    from hubimage.check.report import SpawnReport


def _size(size_bytes: int | None) -> str:
    return f"{size_bytes / 1e6:,.1f} MB" if size_bytes else "unknown"


def _checks_table(checks: Mapping[str, Any]) -> str:
    results = checks.get("results") or []
    if not results:
        return "_No checks ran._"
    icon = {"pass": "✅", "warn": "⚠️", "fail": "❌", "skip": "⏭️"}
    rows = ["| check | result | summary |", "|---|---|---|"]
    for result in results:
        summary = str(result.get("summary", "")).replace("|", "\\|").replace("\n", " ")
        status = str(result.get("status", ""))
        rows.append(f"| `{result.get('name')}` | {icon.get(status, '')} {status} | {summary} |")
    return "\n".join(rows)


def _profiles_matrix(checks: Mapping[str, Any]) -> list[str]:
    """Hubs by checks, when the checks ran under more than one spawn profile."""
    profiles = checks.get("profiles") or []
    if len(profiles) < 2:
        return []
    rows = [
        (
            ", ".join(profile.get("stands_for") or [str(profile.get("profile", ""))]),
            {str(r.get("name")): str(r.get("status")) for r in profile.get("results") or []},
        )
        for profile in profiles
    ]
    return [*matrix_rows(rows), ""]


def _screenshot_line(checks: Mapping[str, Any]) -> list[str]:

    link = screenshot_markdown(checks.get("results") or [], os.environ)
    return ["", link] if link else []


def render_summary(outcome: RunOutcome) -> str:
    """Markdown for `$GITHUB_STEP_SUMMARY`."""
    package_markdown = outcome.package_markdown
    tags = outcome.tag or "(none)"
    lines = [
        "## hubimage",
        "",
        "| | |",
        "|---|---|",
        f"| image | `{outcome.image}` |",
        f"| tag | `{tags}` |",
        f"| digest | `{outcome.digest or 'not pushed'}` |",
        f"| size | {_size(outcome.size_bytes)} |",
        f"| pushed | {'yes' if outcome.pushed else 'no'} |",
        f"| bump | {outcome.bump_result}"
        + (f" ([#{outcome.pr_number}]({outcome.pr_url}))" if outcome.pr_number else "")
        + " |",
        "",
        "### Checks",
        "",
        *_profiles_matrix(outcome.checks),
        _checks_table(outcome.checks),
        *_screenshot_line(outcome.checks),
    ]
    if package_markdown:
        lines += ["", "### Package changes", "", package_markdown]
    if outcome.notes:
        lines += ["", *[f"- {note}" for note in outcome.notes]]
    return "\n".join(lines)


def pull_request_body(
    outcome: RunOutcome, package_markdown: str | None, environ: Mapping[str, str]
) -> str:
    """The bump pull request's body: old → new is added by the rollout, which knows it."""
    run_url = workflow_run_url(environ)
    lines = [
        f"Image: `{outcome.image}:{outcome.tag}`",
        f"Digest: `{outcome.digest}`",
        f"Pinned reference: `{outcome.image_ref}`",
        "",
        "### Checks",
        "",
        _checks_table(outcome.checks),
    ]
    if package_markdown:
        lines += ["", "### Package changes", "", package_markdown]
    if run_url:
        lines += ["", f"Built by [this workflow run]({run_url})."]
    lines += ["", "_Opened by hubimage._"]
    return "\n".join(lines)


def report_checks(report: SpawnReport, reporter: Reporter) -> None:
    """The checks table on stderr and in the job summary, an annotation per failure."""
    reporter.info(report.render_table())
    reporter.add_summary(report.render_markdown(os.environ))
    for result in report.results:
        if result.status in ("fail", "warn") or (result.status == "skip" and result.hint):
            # A skip with a hint is a check the run could have had (landing-page without a
            # browser): a notice says how to turn it on.
            levels: dict[str, AnnotationLevel] = {"fail": "error", "warn": "warning"}
            level = levels.get(result.status, "notice")
            hint = f" — {result.hint}" if result.hint else ""
            reporter.annotate(level, f"{result.summary}{hint}", title=f"check {result.name}")
