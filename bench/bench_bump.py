"""Time a tag bump on generated cluster files of 10, 100 and 1000 hubs; print a table.

    python bench/bench_bump.py [--sizes 10 100 1000] [--repeat 3] [--no-cli]

Each size is timed for three bumps of a hub in the middle of the file: a tag change in an
existing `{name, tag}` block, the creation of a missing block, and two hubs at once. The
ratio column is time(N) / time(10), the growth table time(N) / time(previous N): a bump
parses the file once and composes the edited text once more (to prove the edit), so it
should grow linearly with the file, about 10x per 10x more hubs. main() also returns these
figures as a dict.

Then whole CLI calls, start-up included, each in a new process: `hubimage bump --dry-run`
on a real-sized file (the 830-line 2021 hubs.yaml of the fixtures, or a generated file of
the same size where they are absent) and on the 1,000-hub file, and `hubimage --help`,
against `python -c pass` measured in the same run, the calls taking turns (seconds, ratio,
and seconds beyond it; targets: real-sized <= 0.15 s, 1,000 hubs <= 0.5 s). Modules load
from cached bytecode as an installed package's do (`--compile-each-call`: not). Not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hubimage.bump import edit_config_text

# Run as a script, bench/ is on sys.path: the generator imports as a top-level module.
from hubs_generator import generate_cluster, hub_name


def _middle_hub(count: int, remainder: int) -> int:
    """A hub near the middle whose index % 3 == remainder (0: basehub with an image)."""
    index = count // 2
    return index - (index % 3) + remainder


def _scenarios(count: int) -> dict[str, Callable[[str], object]]:
    with_image = hub_name(_middle_hub(count, 0))
    without_image = hub_name(_middle_hub(count, 1))
    daskhub = hub_name(_middle_hub(count, 2))

    def bump(hubs: list[str]) -> Callable[[str], object]:
        def run(text: str) -> object:
            edit = edit_config_text(
                text, filename="bench.yaml", hubs=hubs, image="quay.io/example/image-0:bench1"
            )
            assert edit.changed
            return edit

        return run

    return {
        "tag change": bump([with_image]),
        "create block": bump([without_image]),
        "two hubs": bump([with_image, daskhub]),
    }


def _time(run: Callable[[str], object], text: str, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        run(text)
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> dict[str, object]:
    """Run the benchmark, print its tables and return the figures (see `_figures`)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the whole-CLI timings")
    parser.add_argument(
        "--compile-each-call",
        action="store_true",
        help="time CLI calls as PYTHONDONTWRITEBYTECODE=1 leaves them: every module compiled",
    )
    args = parser.parse_args(argv)
    sizes = sorted(set(args.sizes))
    seconds: dict[str, dict[int, float]] = {}
    lines: dict[int, int] = {}
    _scenarios(10)["tag change"](generate_cluster(10))  # warm up imports and caches
    for count in sizes:
        text = generate_cluster(count)
        lines[count] = text.count("\n")
        for name, run in _scenarios(count).items():
            seconds.setdefault(name, {})[count] = _time(run, text, args.repeat)
    figures = _figures(seconds, lines, sizes)
    _print_tables(figures, sizes)
    if not args.no_cli:
        figures["cli"] = cli_timings(max(args.repeat, 5), cached=not args.compile_each_call)
    return figures


REAL_SIZED = Path(__file__).parents[2] / "shared/fixtures/hub-configs/2021/hubs-2021-04.yaml"


def cli_timings(repeat: int, cached: bool = True) -> dict[str, Any]:
    """Median seconds of whole CLI calls (new processes), and their ratio to `python -c pass`.

    `cached`: modules load from bytecode, as an installed package's do (pip compiles on
    install): the calls run with a PYTHONPYCACHEPREFIX of their own, filled by one untimed
    call each, whatever PYTHONDONTWRITEBYTECODE says. Else every call compiles hubimage.
    """
    with tempfile.TemporaryDirectory() as folder:
        real = Path(folder) / "hubs.yaml"
        if REAL_SIZED.is_file():
            real.write_bytes(REAL_SIZED.read_bytes())
            real_hub, real_image = "staging", "quay.io/2i2c/image:bench"
        else:  # a user's clone: a generated file of the same size
            real.write_text(generate_cluster(28))
            real_hub, real_image = hub_name(12), "quay.io/example/image-5:bench"
        thousand = Path(folder) / "cluster.yaml"
        thousand.write_text(generate_cluster(1000))
        big_hub = hub_name(_middle_hub(1000, 0))
        bump = [sys.executable, "-m", "hubimage", "bump", "--dry-run", "--config"]
        calls = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "hubimage --help": [sys.executable, "-m", "hubimage", "--help"],
            f"bump, {real.read_text().count(chr(10))} lines": [
                *bump,
                str(real),
                "--hub",
                real_hub,
                "--image",
                real_image,
            ],
            "bump, 1000 hubs": [
                *bump,
                str(thousand),
                "--hub",
                big_hub,
                "--image",
                "quay.io/example/image-0:b1",
            ],
        }
        environment = dict(os.environ)
        if cached:
            environment.pop("PYTHONDONTWRITEBYTECODE", None)
            environment["PYTHONPYCACHEPREFIX"] = str(Path(folder) / "pycache")
        timings = _time_calls(calls, repeat, environment, warm_up=cached)
    baseline = timings["python -c pass"]
    ratios = {name: seconds / baseline for name, seconds in timings.items()}
    targets = {name: CLI_TARGETS[kind] for name in timings for kind in CLI_TARGETS if kind in name}
    _print_cli_table(timings, ratios, targets, repeat)
    print(
        "(modules loaded from cached bytecode, as installed)"
        if cached
        else "(every module compiled in every call: PYTHONDONTWRITEBYTECODE=1 and no cache)"
    )
    return {"seconds": timings, "ratio_to_python": ratios, "target_seconds": targets}


# Issue 13's targets for one whole `hubimage bump` call, start-up included (seconds).
CLI_TARGETS = {"lines": 0.15, "1000 hubs": 0.5}


def _print_cli_table(
    timings: dict[str, float], ratios: dict[str, float], targets: dict[str, float], repeat: int
) -> None:
    baseline = timings["python -c pass"]
    print(f"\nwhole CLI calls, each a new process (median of {repeat})")
    header = f"{'call':<24}{'seconds':>9}{'x python -c pass':>18}{'beyond it, s':>14}{'target':>9}"
    print(header)
    for name, seconds in timings.items():
        target = targets.get(name)
        verdict = (
            "" if target is None else f"{target:>6.2f} s {'met' if seconds <= target else 'MISSED'}"
        )
        print(
            f"{name:<24}{seconds:>9.3f}{ratios[name]:>17.1f}x{seconds - baseline:>14.3f}  {verdict}"
        )
    print("(x python -c pass: the same call's time over an empty interpreter's, this run)")


def _time_calls(
    calls: dict[str, list[str]], repeat: int, environment: dict[str, str], warm_up: bool
) -> dict[str, float]:
    """Median wall time of each command; calls interleaved round by round, so that a
    machine busier in one moment slows every call alike, the baseline too."""
    timings: dict[str, list[float]] = {name: [] for name in calls}
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    for command in calls.values() if warm_up else ():
        subprocess.run(command, check=True, env=environment, **quiet)
    for _ in range(repeat):
        for name, command in calls.items():
            started = time.perf_counter()
            subprocess.run(command, check=True, env=environment, **quiet)
            timings[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in timings.items()}


def _figures(
    seconds: dict[str, dict[int, float]], lines: dict[int, int], sizes: list[int]
) -> dict[str, object]:
    """{"seconds": {scenario: {hubs: s}}, "lines": {hubs: n}, "ratio_to_smallest":
    {scenario: {hubs: time(N)/time(smallest)}}, "ratio_to_previous": {scenario: {hubs:
    time(N)/time(previous size)}}} - for 10, 100, 1000 hubs the last holds 1000/100."""
    base = sizes[0]
    return {
        "seconds": seconds,
        "lines": lines,
        "ratio_to_smallest": {
            name: {count: by_size[count] / by_size[base] for count in sizes}
            for name, by_size in seconds.items()
        },
        "ratio_to_previous": {
            name: {
                count: by_size[count] / by_size[previous]
                for previous, count in itertools.pairwise(sizes)
            }
            for name, by_size in seconds.items()
        },
    }


def _print_tables(figures: dict[str, Any], sizes: list[int]) -> None:
    base = sizes[0]
    seconds, lines = figures["seconds"], figures["lines"]
    print(f"{'scenario':<14}{'hubs':>7}{'lines':>9}{'seconds':>11}{f'ratio to {base}':>15}")
    for name, by_size in seconds.items():
        for count in sizes:
            ratio = figures["ratio_to_smallest"][name][count]
            print(f"{name:<14}{count:>7}{lines[count]:>9}{by_size[count]:>11.3f}{ratio:>15.1f}")
    if len(sizes) > 1:
        steps = [f"{count}/{previous}" for previous, count in itertools.pairwise(sizes)]
        print()
        print(f"{'growth':<14}" + "".join(f"{step:>12}" for step in steps))
        for name, by_step in figures["ratio_to_previous"].items():
            print(f"{name:<14}" + "".join(f"{by_step[count]:>11.1f}x" for count in sizes[1:]))


if __name__ == "__main__":
    main()
