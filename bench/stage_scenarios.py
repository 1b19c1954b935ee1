"""Scenarios 4 and 5, taken from the per-stage benchmarks' `main()`.

bench_bump.main may return its figures (a dict) or only print its table; both are read:
the returned dict when it holds a `{hubs: seconds}` series, the printed table otherwise.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from contextlib import redirect_stdout
from typing import Any

from figures import Figure, Target

Series = dict[str, dict[int, float]]  # scenario -> hubs -> seconds
MAX_BUMP_SECONDS = 1.0
_TABLE_ROW = re.compile(r"^(\S.*?)\s+(\d+)\s+(\d+)\s+([0-9.]+)\s+([0-9.]+)\s*$")


def _as_size(key: object) -> int | None:
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.isdigit():
        return int(key)
    return None


def series_from_result(result: object, path: str = "") -> Series:
    """Every `{hubs: seconds}` mapping in bench_bump's returned figures, by where it is."""
    found: Series = {}
    if isinstance(result, Mapping):
        sizes = {_as_size(k): v for k, v in result.items()}
        numbers = all(isinstance(v, (int, float)) for v in sizes.values())
        if len(sizes) >= 2 and None not in sizes and numbers:
            if any(word in path for word in ("ratio", "lines", "count")):
                return {}  # keyed by size, but not seconds
            scale = 0.001 if path.endswith("_ms") else 1.0
            name = path.rsplit(".", 1)[-1] or "bump"
            return {name: {k: float(v) * scale for k, v in sizes.items() if k}}
        for key, value in result.items():
            found.update(series_from_result(value, f"{path}.{key}".strip(".")))
    elif isinstance(result, list):
        for row in result:
            if isinstance(row, Mapping) and "hubs" in row:
                seconds = next((row[k] for k in row if "second" in str(k)), None)
                if isinstance(seconds, (int, float)):
                    name = str(row.get("scenario", path or "bump"))
                    found.setdefault(name, {})[int(row["hubs"])] = float(seconds)
    return found


def series_from_table(printed: str) -> Series:
    """bench_bump's printed table: scenario, hubs, lines, seconds, ratio."""
    found: Series = {}
    for line in printed.splitlines():
        match = _TABLE_ROW.match(line)
        if match:
            found.setdefault(match.group(1).strip(), {})[int(match.group(2))] = float(
                match.group(4)
            )
    return found


def bump_figures(repeat: int) -> tuple[list[Figure], dict[str, Any]]:
    try:
        import bench_bump
    except ImportError as error:
        return [], {"error": f"cannot import bench_bump: {error}"}
    main = getattr(bench_bump, "main", None)
    if main is None:
        return [], {"error": "bench_bump has no main()"}
    printed = io.StringIO()
    with redirect_stdout(printed):
        result = main(["--repeat", str(repeat)])
    series = series_from_result(result) if isinstance(result, (Mapping, list)) else {}
    source = "main() return value"
    if not series:
        series = series_from_table(printed.getvalue())
        source = "main()'s printed table (main returned no figures)"
    details = {"source": source, "series": series, "printed": printed.getvalue()}
    if not series:
        details["error"] = "no {hubs: seconds} figures in bench_bump's result or output"
        return [], details
    return _growth_figures(series), details


def _growth_figures(series: Series) -> list[Figure]:
    """Per size above the smallest: the slowest scenario, against itself at the smallest."""
    sizes = sorted({size for by_size in series.values() for size in by_size})
    smallest = sizes[0]
    figures = []
    for size in sizes[1:]:
        name, by_size = max(
            ((n, s) for n, s in series.items() if size in s and smallest in s),
            key=lambda item: item[1][size],
        )
        linear = Target("ratio", size / smallest)
        extra = (Target("seconds", MAX_BUMP_SECONDS),) if size >= 1000 else ()
        figures.append(
            Figure(
                f"4 bump, {size} hubs (slowest: {name})",
                by_size[size],
                by_size[smallest],
                f"same at {smallest} hubs",
                linear,
                extra_targets=extra,
                note="ratio <= hubs ratio means no faster than linear growth",
            )
        )
    return figures


def check_figures(repeat: int) -> tuple[list[Figure], dict[str, Any]]:
    import bench_checks

    printed = io.StringIO()
    with redirect_stdout(printed):
        result = bench_checks.main(["--repeat", str(repeat)])
    medians: dict[str, float] = result["medians_s"]  # type: ignore[assignment]
    samples: dict[str, list[float]] = result["samples_s"]  # type: ignore[assignment]
    further: float = result["further_profile_s"]  # type: ignore[assignment]
    ref = result["baseline_ref"]
    note = f"medians of {repeat} after one warm-up each"
    figures = [
        Figure(
            "5 every check, one 2i2c-style profile (warm image)",
            medians["one_profile"],
            medians["baseline"],
            f"every check of {ref} (generic settings)",
            Target("ratio", bench_checks.TARGETS["one_profile"]),
            samples=samples["one_profile"],
            baseline_samples=samples["baseline"],
            note=note,
        ),
        Figure(
            "5 each further distinct profile (of three)",
            further,
            medians["one_profile"],
            "one profile",
            Target("ratio", bench_checks.TARGETS["further_profile"]),
            samples=samples["three_profiles"],
            baseline_samples=samples["one_profile"],
            note="(three profiles - one) / 2",
        ),
    ]
    return figures, dict(result)
