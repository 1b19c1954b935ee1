"""Scenario 5: how long `hubimage check` takes on a warm good image, next to a bare `docker run`.

Not a test: run `python bench/bench_checks.py [--repeat N]`. In the same run, on the same
image (the good fixture image: JupyterHub, JupyterLab, ipykernel), `repeat` times each after
one warm-up:

- the suite without lab-loads (`--skip lab-loads`): target <= 8 s;
- lab-loads alone (`--only lab-loads`, so its time includes the server's start): <= 15 s;
- the full suite, every check (information);
- `docker run --rm IMAGE true`, the baseline.

The medians and their ratios to the baseline are printed as table rows; `main()` returns
them for the bench runner.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hubimage.check import CheckOptions, run_checks
from hubimage.check.landing import find_browser
from hubimage.engine import DockerEngine
from hubimage.values import HubVersion
from support import fixture_images

HUB_VERSION = HubVersion.parse(fixture_images.JUPYTERHUB_VERSION)
TARGETS = {"all_but_lab": 8.0, "lab_loads": 15.0}


def _samples(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm-up: page cache, image layers, Python imports, the browser's files
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    engine = DockerEngine()
    image = fixture_images.singleuser_image(engine)
    if find_browser(None) is None:
        raise SystemExit("lab-loads needs Chromium or Chrome (apt-get install chromium)")

    def suite(**selection: tuple[str, ...]) -> Callable[[], None]:
        options = CheckOptions(hub_version=HUB_VERSION, **selection)

        def run() -> None:
            report = run_checks(engine, image, options)
            if report.failed or any(
                r.status == "skip" and r.name != "image-tests" for r in report.results
            ):
                raise SystemExit(f"the good image did not pass:\n{report.render_table()}")

        return run

    def bare_run() -> None:
        result = engine.run(image, ["true"])
        if result.exit_code != 0:
            raise SystemExit(f"`docker run --rm {image} true` exited {result.exit_code}")

    samples = {
        "all_but_lab": _samples(suite(skip=("lab-loads",)), args.repeat),
        "lab_loads": _samples(suite(only=("lab-loads",)), args.repeat),
        "full_suite": _samples(suite(), args.repeat),
        "docker_run_true": _samples(bare_run, args.repeat),
    }
    medians = {name: statistics.median(times) for name, times in samples.items()}
    bare = medians["docker_run_true"]
    print("| benchmark | median | docker run true (median) | ratio | target | n |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in ("all_but_lab", "lab_loads", "full_suite"):
        target = f"<= {TARGETS[name]:g} s" if name in TARGETS else "-"
        print(
            f"| {name} | {medians[name]:.2f} s | {bare:.2f} s | {medians[name] / bare:.1f}x "
            f"| {target} | {args.repeat} |"
        )
    return {
        "image": image,
        "repeat": args.repeat,
        "medians_s": {name: round(value, 3) for name, value in medians.items()},
        "samples_s": {name: [round(t, 3) for t in times] for name, times in samples.items()},
        "targets_s": TARGETS,
    }


if __name__ == "__main__":
    main()
