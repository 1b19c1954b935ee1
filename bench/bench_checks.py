"""How long `hubimage check` takes on a warm good image, next to a bare `docker run`.

Not a test: run `python bench/bench_checks.py [--repeat N]`. Both are measured in the same
run, on the same image, `repeat` times each after one warm-up; the medians and their ratio are
printed as one table row, and `main()` returns them for the bench runner.
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
from hubimage.engine import DockerEngine
from support import fixture_images

HUB_VERSION = fixture_images.JUPYTERHUB_VERSION


def _median_seconds(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up: page cache, image layers, Python imports
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> dict[str, float | int | str]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    engine = DockerEngine()
    image = fixture_images.singleuser_image(engine)
    options = CheckOptions(hub_version=HUB_VERSION)

    def check_suite() -> None:
        report = run_checks(engine, image, options)
        if report.failed:
            raise SystemExit(f"the good image failed its checks:\n{report.render_table()}")

    def bare_run() -> None:
        result = engine.run(image, ["true"])
        if result.exit_code != 0:
            raise SystemExit(f"`docker run --rm {image} true` exited {result.exit_code}")

    suite = _median_seconds(check_suite, args.repeat)
    bare = _median_seconds(bare_run, args.repeat)
    figures: dict[str, float | int | str] = {
        "image": image,
        "repeat": args.repeat,
        "check_suite_median_s": round(suite, 3),
        "docker_run_true_median_s": round(bare, 3),
        "ratio": round(suite / bare, 1),
    }
    print("| benchmark | check suite (median) | docker run true (median) | ratio | n |")
    print("| --- | --- | --- | --- | --- |")
    print(f"| bench_checks | {suite:.2f} s | {bare:.2f} s | {suite / bare:.1f}x | {args.repeat} |")
    return figures


if __name__ == "__main__":
    main()
