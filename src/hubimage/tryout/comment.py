"""The pull request's one comment: the image, each hub's checks, and how to start it there.

The first line is a hidden marker (`MARKER`), by which the run finds its own comment again
and updates it instead of adding another. Text from the checks (summaries may quote the
image's own output) is shown as text: no HTML, no markdown tables broken, no marker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hubimage.check.report import matrix_rows
from hubimage.tryout.render import render_try_out
from hubimage.tryout.ways import TryOut

MARKER = "<!-- hubimage:pr-comment -->"
MAX_BODY = 65_536  # GitHub refuses longer comment bodies
_SUMMARY_CHARS = 300
_ICON = {"pass": "✅", "warn": "⚠️", "fail": "❌", "skip": "⏭️"}

Row = tuple[str, Mapping[str, Any]]  # (the hub / profile label, the profile's report)


def render_comment(
    image_ref: str,
    digest: str | None,
    hubs: Sequence[tuple[str, TryOut | None]],
    checks: Mapping[str, Any],
    failed: bool,
    run_url: str | None,
) -> str:
    """The comment's markdown. `checks` is `SpawnReport.as_dict()`; `failed`: a check failed,
    so no tag was pushed and no way to start the image is shown."""
    lines = [MARKER, *_heading(image_ref, digest, failed)]
    rows = _rows(checks)
    named = {hub for hub, _ in hubs}
    others = [row for row in rows if _hub_of(row[0]) not in named]
    if others or not hubs:
        lines += ["", "### Checks", "", *_verdict(others or rows), *_details("Checks", others)]
    for hub, tryout in hubs:
        mine = [row for row in rows if _hub_of(row[0]) == hub]
        lines += ["", f"### {_plain(hub)}", "", *_verdict(mine)]
        lines += _details(f"Checks as {_plain(hub)} spawns it", mine)
        if not failed:
            lines += ["", *_way(tryout, image_ref)]
    lines += ["", "---", _footer(run_url)]
    return _bounded("\n".join(lines) + "\n")


def _heading(image_ref: str, digest: str | None, failed: bool) -> list[str]:
    if failed:
        return [
            f"## ❌ `{_code(image_ref)}` failed its checks: no tag was pushed",
            "",
            f"There is nothing new to try: `{_code(image_ref)}` still holds what an earlier "
            "run of this pull request pushed, if any. Fix the failures below and push again.",
        ]
    return [
        f"## Try `{_code(image_ref)}` on the hubs",
        "",
        f"Checked as each hub spawns it, then pushed: `{_code(image_ref)}` at digest "
        f"`{_code(digest or 'unknown')}`.",
    ]


def _rows(checks: Mapping[str, Any]) -> list[Row]:
    """One row per (hub / profile label, profile report): a report stands for every label
    it was checked for."""
    rows: list[Row] = []
    for profile in checks.get("profiles") or []:
        if not isinstance(profile, Mapping):
            continue
        labels = profile.get("stands_for") or [profile.get("profile") or "default"]
        rows += [(str(label), profile) for label in labels]
    return rows


def _hub_of(label: str) -> str | None:
    hub, sep, _ = label.partition(" / ")
    return hub if sep else None


def _verdict(rows: Sequence[Row]) -> list[str]:
    if not rows:
        return ["_No checks ran for this hub._"]
    failures = _results(rows, "fail")
    warnings = _results(rows, "warn")
    count = f"{len(rows)} profile{'s' if len(rows) != 1 else ''}"
    if failures:
        return [f"❌ Checks failed under its {count}:", *failures, *warnings]
    if warnings:
        return [f"✅ The checks passed under its {count}, with warnings:", *warnings]
    return [f"✅ Every check passed under its {count}."]


def _results(rows: Sequence[Row], status: str) -> list[str]:
    found = []
    for label, profile in rows:
        for result in profile.get("results") or []:
            if isinstance(result, Mapping) and result.get("status") == status:
                summary = _summary(str(result.get("summary") or ""))
                verb = "failed" if status == "fail" else "warned"
                found.append(
                    f"- `{_code(str(result.get('name')))}` {verb} under "
                    f"**{_plain(label)}**: {summary}"
                )
    return found


def _details(title: str, rows: Sequence[Row]) -> list[str]:
    if not rows:
        return []
    table = matrix_rows(
        [
            (
                label,
                {
                    str(r.get("name")): str(r.get("status"))
                    for r in profile.get("results") or []
                    if isinstance(r, Mapping)
                },
            )
            for label, profile in rows
        ]
    )
    return ["", f"<details><summary>{title}</summary>", "", *table, "", "</details>"]


def _way(tryout: TryOut | None, image_ref: str) -> list[str]:
    if tryout is None:
        return ["_The hub config could not be read: no way to start the image is shown._"]
    return [render_try_out(tryout, image_ref)]


def _footer(run_url: str | None) -> str:
    run = f"[this workflow run]({run_url})" if run_url else "a workflow run"
    return f"<sub>Written by hubimage in {run}; updated on every push to this pull request.</sub>"


def _summary(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _SUMMARY_CHARS:
        text = text[: _SUMMARY_CHARS - 1] + "…"
    return _plain(text)


def _plain(text: str) -> str:
    """Shown as text: HTML (a second marker among it) escaped, table cells kept whole."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _code(text: str) -> str:
    """Inside a code span: no backtick to end it early, one line."""
    return " ".join(text.replace("`", "'").split())


def _bounded(body: str) -> str:
    """Within GitHub's limit: the collapsed tables go first, then the text is cut."""
    if len(body) <= MAX_BODY:
        return body
    kept, skipping = [], False
    for line in body.split("\n"):
        if line.startswith("<details>"):
            skipping = True
            kept.append("_(the table of checks is too long for a comment: see the run)_")
        elif line == "</details>":
            skipping = False
        elif not skipping:
            kept.append(line)
    body = "\n".join(kept)
    return body if len(body) <= MAX_BODY else body[: MAX_BODY - 20] + "\n\n_(cut)_\n"
