"""Scenarios 1-3: cold build+check+push, the no-op run, the rebuild from registry cache.

Order within one repetition: hubimage (checks on), `docker buildx build --push` with the
same registry cache setting, hubimage (checks off), each after a new nonce file in the
context and with the local store emptied (every bench image and every build cache record
the bench made), so no step after FROM comes from cache (the FROM base stays). An untimed
warm-up run first pushes the base image's layers to the bench repository (both sides then
upload only their own layers) and warms imports and the page cache.

Scenario 3 alternates a hubimage rebuild and the same rebuild done directly with
`docker buildx build --push --cache-from/--cache-to type=registry`, each on an emptied
store after a one-line change to the last RUN step; the registry's access log gives the
blob bytes each downloaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from figures import INFO, Figure, Target, median
from hubimage.engine import DockerEngine
from pipeline_bench import (
    BenchWorkspace,
    HubimageRun,
    bench_workspace,
    empty_store,
    require_success,
)
from support.buildx_fixtures import build_cache_ids
from support.fixture_images import singleuser_image
from support.registry_fixtures import running_registry

OVERHEAD = Target("ratio", 1.05)
CHECKED_OVERHEAD = Target("ratio", 1.15)  # the layers go up while the checks run (issue 24)
NO_OP = Target("seconds", 0.35)
REBUILD_VS_BUILDX = Target("over", 0.3)  # buildx's own rebuild + a fixed cost


@dataclass
class Samples:
    checked: list[float] = field(default_factory=list)  # hubimage run, check=true
    unchecked: list[float] = field(default_factory=list)  # hubimage run, check=false
    raw: list[float] = field(default_factory=list)  # docker login + build + push
    check_phase: list[float] = field(default_factory=list)
    cold_build_phase: list[float] = field(default_factory=list)  # builder time, check=false
    no_op: list[float] = field(default_factory=list)
    rebuild: list[float] = field(default_factory=list)
    rebuild_build_phase: list[float] = field(default_factory=list)
    rebuild_pull: list[float] = field(default_factory=list)
    rebuild_raw: list[float] = field(default_factory=list)  # the same rebuild, buildx directly
    rebuild_bytes: list[int] = field(default_factory=list)  # blob bytes the registry served
    rebuild_raw_bytes: list[int] = field(default_factory=list)
    rebuild_cache_hits: list[int] = field(default_factory=list)
    cold_cache_hits: list[int] = field(default_factory=list)
    breakdowns: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    cache_before: set[str] = field(default_factory=set)  # build cache records not the bench's


def _cold(workspace: BenchWorkspace, engine: DockerEngine, samples: Samples) -> None:
    workspace.new_nonce()
    empty_store(engine, workspace.registry.host, samples.cache_before)


def _record_breakdown(samples: Samples, kind: str, run: HubimageRun) -> None:
    parts = samples.breakdowns.setdefault(kind, {})
    for part, seconds in run.breakdown().items():
        parts.setdefault(part, []).append(seconds)


def _cold_repetition(
    workspace: BenchWorkspace, engine: DockerEngine, samples: Samples, index: int, no_ops: int
) -> None:
    _cold(workspace, engine, samples)
    checked = workspace.run_hubimage(workspace.hubimage_inputs(check=True, bump=False))
    require_success(checked, "cold run with checks")
    samples.checked.append(checked.seconds)
    samples.check_phase.append(checked.group("Check"))
    samples.cold_cache_hits.append(checked.cache_hits())
    _record_breakdown(samples, "cold, check=true", checked)
    _no_op_runs(workspace, samples, no_ops)  # HEAD's tag was just pushed, checks passed

    _cold(workspace, engine, samples)
    samples.raw.append(workspace.raw_build_and_push(f"raw-{index}"))

    _cold(workspace, engine, samples)
    unchecked = workspace.run_hubimage(workspace.hubimage_inputs(check=False, bump=False))
    require_success(unchecked, "cold run without checks")
    samples.unchecked.append(unchecked.seconds)
    samples.cold_build_phase.append(unchecked.build_seconds or float("nan"))
    _record_breakdown(samples, "cold, check=false", unchecked)


def _no_op_runs(workspace: BenchWorkspace, samples: Samples, repeat: int) -> None:
    """The same commit again: its tag is in the registry with passed checks."""
    for _ in range(repeat):
        run = require_success(
            workspace.run_hubimage(workspace.hubimage_inputs(check=True, bump=False)), "no-op"
        )
        if run.outputs.get("pushed") != "false" or run.count("::group::Build"):
            raise RuntimeError(f"the no-op run built or pushed:\n{run.log[-2000:]}")
        samples.no_op.append(run.seconds)


def _rebuilds(
    workspace: BenchWorkspace, engine: DockerEngine, samples: Samples, repeat: int, tag: str
) -> None:
    """Empty store, one line appended to the last RUN step, the hub config names `tag`."""
    workspace.point_hub_at(tag)
    for index in range(repeat):
        empty_store(engine, workspace.registry.host, samples.cache_before)
        workspace.append_post_build_line()
        mark = workspace.registry_log_mark()
        run = workspace.run_hubimage(workspace.hubimage_inputs(check=False, bump=True))
        require_success(run, "rebuild from the registry cache")
        samples.rebuild_bytes.append(workspace.bytes_downloaded_since(mark))
        samples.rebuild.append(run.seconds)
        samples.rebuild_build_phase.append(run.build_seconds or float("nan"))
        samples.rebuild_pull.append(run.seconds_between("pulling ", "::group::Build") or 0.0)
        samples.rebuild_cache_hits.append(run.cache_hits())
        _record_breakdown(samples, "rebuild, check=false", run)

        empty_store(engine, workspace.registry.host, samples.cache_before)
        workspace.append_post_build_line()
        mark = workspace.registry_log_mark()
        samples.rebuild_raw.append(workspace.raw_build_and_push(f"raw-rebuild-{index}"))
        samples.rebuild_raw_bytes.append(workspace.bytes_downloaded_since(mark))


def measure(
    engine: DockerEngine, cold_repeat: int, cheap_repeat: int, requirements: str
) -> Samples:
    samples = Samples(cache_before=build_cache_ids())
    base = singleuser_image(engine)
    with (
        running_registry("htpasswd", log_requests=True) as registry,
        bench_workspace(registry, base, engine, requirements) as workspace,
    ):
        _cold(workspace, engine, samples)
        warm_up = workspace.run_hubimage(workspace.hubimage_inputs(check=False, bump=False))
        require_success(warm_up, "warm-up run")
        for index in range(cold_repeat):
            no_ops = cheap_repeat if index == 0 else 0
            _cold_repetition(workspace, engine, samples, index, no_ops)
        # The newest run (check=false) pushed HEAD's context: the hub now "runs" that tag.
        tag = workspace.last_outputs.get("tag", "")
        if not tag:
            raise RuntimeError("no pushed tag to point the hub config at")
        _rebuilds(workspace, engine, samples, cold_repeat, tag)
    return samples


def figures(samples: Samples) -> list[Figure]:
    checked, unchecked, raw = (median(s) for s in (samples.checked, samples.unchecked, samples.raw))
    hits = samples.rebuild_cache_hits
    return [
        Figure("1 cold build+check+push, hubimage", checked, raw, "buildx build --push",
               CHECKED_OVERHEAD, samples.checked, samples.raw,
               note=_overhead_note(checked, raw) + _paired(samples.checked, samples.raw)),
        Figure("1 same, check=false", unchecked, raw, "buildx build --push",
               OVERHEAD, samples.unchecked, samples.raw,
               note=_overhead_note(unchecked, raw) + _paired(samples.unchecked, samples.raw)),
        Figure("1 checks inside the hubimage run", median(samples.check_phase), checked,
               "hubimage run", INFO, samples.check_phase, samples.checked,
               note="ratio = share of the run spent in the Check group"),
        Figure("2 no-op run (tag exists)", median(samples.no_op), checked, "cold hubimage run",
               NO_OP, samples.no_op, samples.checked),
        Figure("3 rebuild from registry cache, check=false", median(samples.rebuild), unchecked,
               "cold run, check=false", INFO, samples.rebuild, samples.unchecked,
               note=f"cached steps per rebuild: {hits}; blob bytes downloaded: "
               f"{samples.rebuild_bytes} (buildx directly: {samples.rebuild_raw_bytes})"),
        Figure("3 same rebuild vs buildx directly", median(samples.rebuild),
               median(samples.rebuild_raw), "buildx --cache-from/--cache-to registry --push",
               REBUILD_VS_BUILDX, samples.rebuild, samples.rebuild_raw,
               note=_overhead_note(median(samples.rebuild), median(samples.rebuild_raw))
               + _paired(samples.rebuild, samples.rebuild_raw)),
        Figure("3 same, builder time only", median(samples.rebuild_build_phase),
               median(samples.cold_build_phase), "cold builder time", INFO,
               samples.rebuild_build_phase, samples.cold_build_phase),
    ]  # fmt: skip


def _overhead_note(hubimage: float, raw: float) -> str:
    """Mostly a fixed cost: the build+push time above which it would be within the target."""
    extra = hubimage - raw
    even = extra / (OVERHEAD.limit - 1)
    return f"+{extra:.2f} s over buildx; within 5% once the build and push take >= {even:.0f} s"


def _paired(figures: list[float], baselines: list[float]) -> str:
    """The ratio within each repetition (the two ran back to back, so a slow spell of the
    machine or of PyPI hits both): information beside the ratio of the medians."""
    ratios = [f / b for f, b in zip(figures, baselines, strict=False) if b > 0]
    if not ratios:
        return ""
    listed = ", ".join(f"{r:.2f}" for r in ratios)
    return f"; per repetition {listed} (median {median(ratios):.2f})"


def details(samples: Samples) -> dict[str, Any]:
    return {
        "breakdown_median_s": {
            kind: {part: round(median(values), 3) for part, values in parts.items()}
            for kind, parts in samples.breakdowns.items()
        },
        "cold_cache_hits": samples.cold_cache_hits,
        "rebuild_cache_hits": samples.rebuild_cache_hits,
        "rebuild_cache_pull_s": [round(s, 3) for s in samples.rebuild_pull],
        "rebuild_bytes_downloaded": samples.rebuild_bytes,
        "rebuild_raw_bytes_downloaded": samples.rebuild_raw_bytes,
    }
