"""Scenario 5: `hubimage check` as hubs spawn the image, beside the checks of before.

Not a test: run `python bench/bench_checks.py [--repeat N] [--baseline-ref REV]`. In the same
run, on the same warm image (the good fixture image: JupyterHub, JupyterLab, ipykernel),
`repeat` times each after one warm-up:

- the baseline: the generic checks as hubimage ran them before it checked under each hub's
  spawn settings (every check of `--baseline-ref`, run from a worktree of that commit);
- every check under one 2i2c-style profile (a wrapper start command mounted from the config,
  extraEnv, a 1G limit, /lab, http_timeout 120): target <= 1.3x the baseline;
- every check under three distinct profiles: each profile after the first, target <= 0.6x
  the first (the image's own checks run once; the server's checks once per profile).

The medians and their ratios are printed as table rows; `main()` returns them for the bench
runner.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hubimage.check import CheckOptions, run_checks
from hubimage.check.landing import find_browser
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, MountedFile, SpawnProfile
from hubimage.engine import DockerEngine
from hubimage.values import HubVersion
from support import fixture_images

ROOT = Path(__file__).resolve().parents[1]
HUB_VERSION = fixture_images.JUPYTERHUB_VERSION
# The last commit whose checks ran under generic settings only (2026-12-02).
BASELINE_REF = "c7437e6"
TARGETS = {"one_profile": 1.3, "further_profile": 0.6}

WRAPPER = "/mnt/hubimage-bench/run"
TWO_I_TWO_C = replace(
    ZERO_TO_JUPYTERHUB_PROFILE,
    hub="2i2c-style",
    cmd=(WRAPPER, "jupyterhub-singleuser"),
    files=(
        MountedFile(
            WRAPPER,
            b"#!/usr/bin/env python3\nimport os, sys\nos.execvp(sys.argv[1], sys.argv[1:])\n",
            0o755,
        ),
    ),
    environment=(("SHELL", "/bin/bash"), ("SCRATCH", "gs://scratch/$(JUPYTERHUB_USER)")),
    memory_limit=1024**3,
    default_url="/lab",
    http_timeout=120,
    working_dir="/home/jovyan",
)
HUBPLOY = replace(
    ZERO_TO_JUPYTERHUB_PROFILE,
    hub="hubploy-style",
    environment=(("JUPYTERHUB_SINGLEUSER_APP", "jupyter_server.serverapp.ServerApp"),),
    memory_limit=2 * 1024**3,
)
LARGE_CHOICE = replace(TWO_I_TWO_C, name="Large", memory_limit=4 * 1024**3, cpu_limit=2.0)

# The baseline, as the old code ran it: its own run_checks, its own options.
BASELINE_SCRIPT = """\
import json, sys, time
from hubimage.check import CheckOptions, run_checks
from hubimage.engine import DockerEngine
engine, image, repeat = DockerEngine(), sys.argv[1], int(sys.argv[2])
times = []
for _ in range(repeat + 1):  # the first is the warm-up
    started = time.perf_counter()
    report = run_checks(engine, image, CheckOptions(hub_version=sys.argv[3]))
    times.append(time.perf_counter() - started)
    if report.failed:
        sys.exit(report.render_table())
print(json.dumps(times[1:]))
"""


def _samples(action: Callable[[], object], repeat: int) -> list[float]:
    action()  # warm-up: page cache, image layers, Python imports, the browser's files
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def baseline_samples(image: str, repeat: int, ref: str) -> list[float]:
    """The old checks' times, from a worktree of `ref` (its package, this engine, this image)."""
    with tempfile.TemporaryDirectory(prefix="hubimage-bench-baseline-") as scratch:
        tree = Path(scratch) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), ref],
            check=True,
        )
        try:
            env = {**os.environ, "PYTHONPATH": str(tree / "src")}
            done = subprocess.run(
                [sys.executable, "-c", BASELINE_SCRIPT, image, str(repeat), HUB_VERSION],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"the baseline checks failed:\n{done.stderr}{done.stdout}")
            return [float(t) for t in json.loads(done.stdout.strip().splitlines()[-1])]
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )


def main(argv: Sequence[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline-ref", default=BASELINE_REF)
    args = parser.parse_args(argv)
    engine = DockerEngine()
    image = fixture_images.singleuser_image(engine)
    if find_browser(None) is None:
        raise SystemExit("landing-page needs Chromium or Chrome (apt-get install chromium)")
    options = CheckOptions(hub_version=HubVersion.parse(HUB_VERSION))

    def suite(profiles: list[SpawnProfile]) -> Callable[[], None]:
        def run() -> None:
            report = run_checks(engine, image, options, profiles)
            if report.failed or any(
                r.status == "skip" and r.name != "image-tests" for r in report.results
            ):
                raise SystemExit(f"the good image did not pass:\n{report.render_table()}")

        return run

    samples = {
        "baseline": baseline_samples(image, args.repeat, args.baseline_ref),
        "one_profile": _samples(suite([TWO_I_TWO_C]), args.repeat),
        "three_profiles": _samples(suite([TWO_I_TWO_C, HUBPLOY, LARGE_CHOICE]), args.repeat),
    }
    medians = {name: statistics.median(times) for name, times in samples.items()}
    further = (medians["three_profiles"] - medians["one_profile"]) / 2
    ratios = {
        "one_profile": medians["one_profile"] / medians["baseline"],
        "further_profile": further / medians["one_profile"],
    }
    print("| benchmark | median | baseline | ratio | target | n |")
    print("| --- | --- | --- | --- | --- | --- |")
    print(
        f"| one 2i2c-style profile | {medians['one_profile']:.2f} s | "
        f"{medians['baseline']:.2f} s ({args.baseline_ref}) | {ratios['one_profile']:.2f}x "
        f"| <= {TARGETS['one_profile']:g}x | {args.repeat} |"
    )
    print(
        f"| each further distinct profile | {further:.2f} s | {medians['one_profile']:.2f} s "
        f"(one profile) | {ratios['further_profile']:.2f}x | <= {TARGETS['further_profile']:g}x "
        f"| {args.repeat} |"
    )
    return {
        "image": image,
        "repeat": args.repeat,
        "baseline_ref": args.baseline_ref,
        "medians_s": {name: round(value, 3) for name, value in medians.items()},
        "further_profile_s": round(further, 3),
        "ratios": {name: round(value, 3) for name, value in ratios.items()},
        "samples_s": {name: [round(t, 3) for t in times] for name, times in samples.items()},
        "targets": TARGETS,
    }


if __name__ == "__main__":
    main()
