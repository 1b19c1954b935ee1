"""Run every benchmark scenario and print one table of figures with same-run baselines.

    python bench/run.py [--quick] [--repeat N] [--json [FILE]] [--only pipeline big bump checks]
                        [--link-mbit MBIT] [--early-upload true|false]

Not a test: nothing here asserts a timing. Each figure is a median over repetitions, next
to a baseline measured in the same run on the same machine, so the ratio is what to read;
the verdict compares it with the target of issues 3, 4, 6, 8 and 24. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))  # the fixture images and registry, shared with tests
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from figures import Figure, render_table  # noqa: E402
from hubimage.engine import DockerEngine  # noqa: E402

DEFAULT_JSON = ROOT / ".bench-results" / "latest.json"
SCENARIOS = ("pipeline", "big", "bump", "checks")


def _progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument(
        "--repeat",
        type=int,
        metavar="N",
        help="cold runs and rebuilds of scenarios 1 and 3 (default 3, --quick 1)",
    )
    parser.add_argument(
        "--json",
        nargs="?",
        const=str(DEFAULT_JSON),
        metavar="FILE",
        help=f"write the figures as JSON (default file: {DEFAULT_JSON.relative_to(ROOT)})",
    )
    parser.add_argument("--only", nargs="+", choices=SCENARIOS, default=list(SCENARIOS))
    parser.add_argument(
        "--early-upload",
        choices=("true", "false"),
        help="the hubimage runs' early-upload input (default: the action's default)",
    )
    parser.add_argument(
        "--link-mbit",
        type=float,
        default=None,
        help="scenario 6 reaches the registry through a link of this many Mbit/s each way "
        "(as a runner reaches quay.io) instead of loopback",
    )
    parser.add_argument(
        "--image",
        choices=("typical", "small"),
        default="typical",
        help="the bench image: a typical hub image (JupyterLab, pandas) or a small one",
    )
    return parser.parse_args(argv)


def _pipeline(
    engine: DockerEngine, quick: bool, image: str, repeat: int | None
) -> tuple[list[Figure], dict[str, Any]]:
    import pipeline_bench
    import pipeline_scenarios

    samples = pipeline_scenarios.measure(
        engine,
        cold_repeat=repeat or (1 if quick else 3),
        cheap_repeat=2 if quick else 5,
        requirements=pipeline_bench.REQUIREMENTS[image],
    )
    return pipeline_scenarios.figures(samples), pipeline_scenarios.details(samples)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    args = _parse(argv)
    if args.early_upload is not None:
        import pipeline_bench

        pipeline_bench.EXTRA_INPUTS["early-upload"] = args.early_upload
    started = time.monotonic()
    engine = DockerEngine()
    figures: list[Figure] = []
    details: dict[str, Any] = {}
    if "pipeline" in args.only:
        _progress("scenarios 1-3: hubimage run vs docker build+push (cold, no-op, rebuild)")
        found, details["pipeline"] = _pipeline(engine, args.quick, args.image, args.repeat)
        figures += found
    if "big" in args.only:
        import big_image

        _progress(
            f"scenario 6: a ~3 GB image ({big_image.LAYERS} x {big_image.LAYER_MB} MB random)"
        )
        samples = big_image.measure(engine, repeat=1, link_mbit=args.link_mbit)
        figures += big_image.figures(samples)
        details["big"] = vars(samples) | {"cache_before": len(samples.cache_before)}
    if "bump" in args.only:
        import stage_scenarios

        _progress("scenario 4: bump on 10, 100 and 1000 hubs (bench_bump.main)")
        found, details["bump"] = stage_scenarios.bump_figures(repeat=3 if args.quick else 5)
        figures += found
        if "error" in details["bump"]:
            _progress(f"scenario 4 gave no figures: {details['bump']['error']}")
    if "checks" in args.only:
        import stage_scenarios

        _progress("scenario 5: check suite vs docker run true (bench_checks.main)")
        found, details["checks"] = stage_scenarios.check_figures(repeat=2 if args.quick else 3)
        figures += found
    elapsed = time.monotonic() - started
    print(render_table(figures))
    for figure in figures:
        if figure.note:
            print(f"- {figure.scenario}: {figure.note}")
    print(f"\n{len(figures)} figures in {elapsed:.0f} s{' (--quick)' if args.quick else ''}")
    result = {
        "finished": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seconds": round(elapsed, 1),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "figures": [figure.as_dict() for figure in figures],
        "details": details,
    }
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2, default=str) + "\n")
        _progress(f"wrote {path}")
    return result


if __name__ == "__main__":
    main()
