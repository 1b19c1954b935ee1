"""The checks of an image under every distinct spawn profile: the hubs-by-checks report.

`SpawnReport` holds one `CheckReport` per distinct profile (the image's own checks are run
once and shared by each). Its `results` sum the profiles up check by check (the worst result
of each, named after its profile when there are several), which is what the checks record
on the image and the action's `checks` output have always carried; `profiles` has each
profile's own table.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from hubimage.check.model import CheckReport, CheckResult, Status, screenshot_markdown

_SEVERITY: dict[Status, int] = {"fail": 3, "warn": 2, "pass": 1, "skip": 0}
_ICON: dict[str, str] = {"pass": "✅", "warn": "⚠️", "fail": "❌", "skip": "⏭️"}


@dataclass(frozen=True)
class SpawnReport:
    image: str
    reports: tuple[CheckReport, ...]  # one per distinct profile, in the hubs' order
    notes: tuple[str, ...] = ()  # how the profiles were found, what was not evaluated

    @property
    def failed(self) -> bool:
        return any(report.failed for report in self.reports)

    @property
    def results(self) -> tuple[CheckResult, ...]:
        """Each check once: its worst result over the profiles."""
        names = [result.name for result in self.reports[0].results] if self.reports else []
        return tuple(self._worst(name) for name in names)

    def result(self, name: str) -> CheckResult:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def _worst(self, name: str) -> CheckResult:
        found = [(report, report.result(name)) for report in self.reports]
        report, worst = max(found, key=lambda pair: _SEVERITY[pair[1].status])
        if len(self.reports) == 1:
            return worst
        return replace(worst, summary=f"{report.label}: {worst.summary}")

    def as_dict(self) -> dict[str, object]:
        return {
            "image": self.image,
            "failed": self.failed,
            "results": [result.as_dict() for result in self.results],
            "profiles": [report.as_dict() for report in self.reports],
            "notes": list(self.notes),
        }

    def render_table(self) -> str:
        """Plain text for a terminal or a CI log: each profile's table, then the notes."""
        parts = [report.render_table() for report in self.reports]
        if self.notes:
            parts.append("notes:\n" + "\n".join(f"  - {note}" for note in self.notes))
        verdict = "FAILED" if self.failed else "OK"
        parts.append(f"{verdict}: {len(self.reports)} distinct spawn profile(s) checked")
        return "\n\n".join(parts)

    def render_markdown(self, environ: Mapping[str, str] | None = None) -> str:
        """The job summary: a hubs-by-checks table, then each profile's table, collapsed."""
        if len(self.reports) == 1 and not self.notes:
            return self.reports[0].render_markdown(environ)
        lines = [f"### Checks of `{self.image}` as each hub spawns it", "", *self.matrix()]
        if self.notes:
            lines += ["", *[f"- {_cell(note)}" for note in self.notes]]
        links = [screenshot_markdown(_dicts(report), environ or {}) for report in self.reports]
        lines += [line for link in links if link for line in ("", link)]
        for report in self.reports:
            lines += [
                "",
                f"<details><summary>{_cell(report.label)}</summary>",
                "",
                report.render_markdown(environ),
                "</details>",
            ]
        return "\n".join(lines) + "\n"

    def matrix(self) -> list[str]:
        """Markdown rows: one per profile, one column per check, an icon in each cell."""
        return matrix_rows(
            [
                (report.label, {result.name: result.status for result in report.results})
                for report in self.reports
            ]
        )

    def failures(self) -> list[tuple[str, CheckResult]]:
        """(profile label, result) for every failed check, for annotations."""
        return [
            (report.label, result)
            for report in self.reports
            for result in report.results
            if result.status == "fail"
        ]


def matrix_rows(rows: Sequence[tuple[str, Mapping[str, str]]]) -> list[str]:
    """A markdown table of (profile label, {check: status}) rows, the checks as columns."""
    if not rows:
        return ["_No checks ran._"]
    names = list(rows[0][1])
    table = [
        "| hub / profile | " + " | ".join(f"`{name}`" for name in names) + " |",
        "| --- |" + " :-: |" * len(names),
    ]
    for label, found in rows:
        icons = [_ICON.get(found.get(name, "skip"), "") for name in names]
        table.append(f"| {_cell(label)} | " + " | ".join(icons) + " |")
    return table


def _dicts(report: CheckReport) -> list[dict[str, object]]:
    return [result.as_dict() for result in report.results]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
