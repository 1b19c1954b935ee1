"""One row of the benchmark table: a figure, the baseline measured in the same run, a target."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

TargetKind = Literal["ratio", "seconds", "over", "at_most", "info"]


@dataclass(frozen=True)
class Target:
    """`ratio <= limit`, `figure seconds <= limit`, `figure <= baseline + limit` (over),
    `figure <= limit` in the figure's own unit (at_most), or nothing to pass (information)."""

    kind: TargetKind
    limit: float = 0.0

    def describe(self) -> str:
        if self.kind == "ratio":
            return f"ratio <= {self.limit:g}"
        if self.kind == "seconds":
            return f"<= {self.limit:g} s"
        if self.kind == "over":
            return f"<= baseline + {self.limit:g} s"
        if self.kind == "at_most":
            return f"<= {self.limit:g}"
        return "-"


INFO = Target("info")


@dataclass
class Figure:
    scenario: str
    figure_s: float
    baseline_s: float | None
    baseline: str  # what the baseline is
    target: Target
    samples: list[float] = field(default_factory=list)
    baseline_samples: list[float] = field(default_factory=list)
    extra_targets: tuple[Target, ...] = ()  # all must hold, e.g. seconds and growth
    note: str = ""
    unit: str = "s"  # "MB" for memory and disk figures

    @property
    def ratio(self) -> float | None:
        if self.baseline_s is None or self.baseline_s <= 0:
            return None
        return self.figure_s / self.baseline_s

    def _holds(self, target: Target) -> bool | None:
        if target.kind in ("seconds", "at_most"):
            return self.figure_s <= target.limit
        if target.kind == "over":
            return (
                None if self.baseline_s is None else self.figure_s <= self.baseline_s + target.limit
            )
        if target.kind == "ratio":
            return None if self.ratio is None else self.ratio <= target.limit
        return None

    @property
    def passed(self) -> bool | None:
        verdicts = [self._holds(t) for t in (self.target, *self.extra_targets)]
        known = [v for v in verdicts if v is not None]
        return all(known) if known else None

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "MISS", None: "info"}[self.passed]

    def targets_text(self) -> str:
        return ", ".join(t.describe() for t in (self.target, *self.extra_targets))

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.targets_text()
        del data["extra_targets"]
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        data["verdict"] = self.verdict
        return data


def median(samples: Sequence[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def _seconds(value: float | None, unit: str = "s") -> str:
    if value is None:
        return "-"
    if unit != "s":
        return f"{value:.0f} {unit}"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def render_table(figures: Iterable[Figure]) -> str:
    """A Markdown table (readable in a terminal, pasteable into the README)."""
    rows = [
        "| scenario | figure | baseline | ratio | target | verdict |",
        "| --- | ---: | --- | ---: | --- | --- |",
    ]
    for figure in figures:
        ratio = "-" if figure.ratio is None else f"{figure.ratio:.2f}"
        baseline = "-"
        if figure.baseline:
            baseline = f"{_seconds(figure.baseline_s, figure.unit)} ({figure.baseline})"
        rows.append(
            f"| {figure.scenario} | {_seconds(figure.figure_s, figure.unit)} | {baseline} "
            f"| {ratio} "
            f"| {figure.targets_text()} | {figure.verdict} |"
        )
    return "\n".join(rows)
