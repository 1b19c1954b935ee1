"""Scenario 6 of bench/run.py: a ~3 GB image (issue 24), through hubimage and buildx.

The image is the singleuser fixture image plus three layers of incompressible random data
(750 MB each by default), so the push moves ~3 GB whatever the compression. In one run:
a cold `hubimage run` with its checks beside `docker buildx build --push` with the same
registry cache (each on a store emptied of the bench's images and build cache), then a
rebuild after a one-line change to the last RUN step, on the store the cold run left (as on
a self-hosted runner; a fresh runner pulls the cache either way).

Besides the time, for each hubimage run: the peak resident memory of hubimage's process tree
(its own process and every child, the buildx client and the checks' browser among them; the
engine and the containers it runs are not its children), sampled every 50 ms from /proc;
and the disk the run adds (used bytes of the file system that holds the engine's store, the
registry's storage and the scratch folders, after the run minus before), beside what the
buildx run adds. The machine may be shared: a disk figure counts whatever else wrote then.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from figures import INFO, Figure, Target, median
from hubimage.engine import DockerEngine
from link import throttled_link
from pipeline_bench import BenchWorkspace, bench_workspace, empty_store, require_success
from support.buildx_fixtures import build_cache_ids
from support.fixture_images import singleuser_image
from support.gitrepo import commit_files
from support.registry_fixtures import RunningRegistry, running_registry

T = TypeVar("T")
BIG_OVERHEAD = Target("ratio", 1.10)
PEAK_MEMORY_MB = Target("at_most", 300)
ADDED_DISK = Target("ratio", 1.2)
LAYER_MB = int(os.environ.get("HUBIMAGE_BENCH_BIG_LAYER_MB", "750"))
LAYERS = 3


def big_dockerfile(base_image: str) -> str:
    """The fixture image plus LAYERS layers of random bytes, after a nonce (so a cold run
    rebuilds them) and before the `postBuild` step a rebuild changes."""
    layers = "".join(
        f"RUN head -c {LAYER_MB}000000 /dev/urandom > /opt/random-{index}\n"
        for index in range(LAYERS)
    )
    return f"""\
FROM {base_image}
USER root
COPY nonce.txt /etc/bench-nonce.txt
{layers}COPY postBuild /tmp/postBuild
RUN /tmp/postBuild
USER 1000
"""


@dataclass
class Samples:
    cold: list[float] = field(default_factory=list)
    cold_raw: list[float] = field(default_factory=list)
    rebuild: list[float] = field(default_factory=list)
    rebuild_raw: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)  # every hubimage run, its whole tree
    peak_python_mb: list[float] = field(default_factory=list)  # hubimage and its build tools
    peak_by_name_mb: list[dict[str, float]] = field(default_factory=list)
    disk_mb: list[float] = field(default_factory=list)  # cold hubimage runs
    disk_raw_mb: list[float] = field(default_factory=list)
    cache_before: set[str] = field(default_factory=set)
    link_mbit: float | None = None  # None: the registry on loopback


def _descendants_rss_kb(root: int) -> dict[str, int]:
    """Resident memory (kB) of the descendants of `root` (not `root` itself), from /proc,
    summed by command name."""
    children: dict[int, list[int]] = {}
    found: dict[int, tuple[str, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue  # ended meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid, parent = int(entry), int(fields.get("PPid", "0").strip())
        children.setdefault(parent, []).append(pid)
        rss = int(fields["VmRSS"].split()[0]) if "VmRSS" in fields else 0
        found[pid] = (fields.get("Name", "?").strip(), rss)
    by_name: dict[str, int] = {}
    # the bench's own registry is a child too; it stands for the remote registry
    todo = [pid for pid in children.get(root, []) if found[pid][0] != "docker-registry"]
    while todo:
        pid = todo.pop()
        name, rss = found.get(pid, ("?", 0))
        by_name[name] = by_name.get(name, 0) + rss
        todo += children.get(pid, [])
    return by_name


@dataclass
class PeakMemory:
    """Peaks (MB) of the summed RSS of this process's descendants: all, and by name."""

    tree_mb: float = 0.0
    by_name_mb: dict[str, float] = field(default_factory=dict)

    def add(self, sample: dict[str, int]) -> None:
        self.tree_mb = max(self.tree_mb, sum(sample.values()) / 1024)
        for name, kb in sample.items():
            self.by_name_mb[name] = max(self.by_name_mb.get(name, 0.0), kb / 1024)


@contextmanager
def peak_memory_of_children() -> Iterator[PeakMemory]:
    peak = PeakMemory()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            peak.add(_descendants_rss_kb(os.getpid()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def _used_mb(path: str) -> float:
    subprocess.run(["sync"], check=False)
    usage = shutil.disk_usage(path)
    return usage.used / 1e6


def _added_disk(run: Callable[[], T]) -> tuple[T, float]:
    """The run's result and the MB it added to the disk of the engine's store."""
    before = _used_mb("/var/lib/docker")
    result = run()
    return result, _used_mb("/var/lib/docker") - before


def _cold(workspace: BenchWorkspace, engine: DockerEngine, samples: Samples) -> None:
    workspace.new_nonce()
    empty_store(engine, workspace.registry.host, samples.cache_before)
    time.sleep(2)  # the engine's content GC runs in the background


def _hubimage(workspace: BenchWorkspace, samples: Samples, what: str) -> float:
    with peak_memory_of_children() as peak:
        run = workspace.run_hubimage(workspace.hubimage_inputs(check=True, bump=False))
    require_success(run, what)
    samples.peak_mb.append(peak.tree_mb)
    ours = ("python", "docker", "docker-buildx")  # hubimage, its buildx clients and helpers
    samples.peak_python_mb.append(sum(peak.by_name_mb.get(name, 0.0) for name in ours))
    samples.peak_by_name_mb.append({k: round(v) for k, v in peak.by_name_mb.items() if v >= 10})
    return run.seconds


@contextmanager
def _reached(registry: RunningRegistry, link_mbit: float | None) -> Iterator[RunningRegistry]:
    """The registry as both sides reach it: on loopback, or through a slower link."""
    if link_mbit is None:
        yield registry
        return
    with throttled_link(registry, link_mbit) as (through_link, _):
        yield through_link


def measure(engine: DockerEngine, repeat: int = 1, link_mbit: float | None = None) -> Samples:
    samples = Samples(cache_before=build_cache_ids(), link_mbit=link_mbit)
    base = singleuser_image(engine)
    with (
        running_registry("htpasswd", log_requests=True) as local,
        _reached(local, link_mbit) as registry,
        bench_workspace(registry, base, engine, "six==1.16.0\n") as workspace,
    ):
        # untimed: the base image's layers reach the repository (both sides then push their own)
        warm_up = workspace.run_hubimage(workspace.hubimage_inputs(check=False, bump=False))
        require_success(warm_up, "warm-up run")
        commit_files(workspace.repo, {"image/Dockerfile": big_dockerfile(base)}, "big image")
        for index in range(repeat):
            _cold(workspace, engine, samples)
            seconds, added = _added_disk(lambda: _hubimage(workspace, samples, "big cold run"))
            samples.cold.append(seconds)
            samples.disk_mb.append(added)
            _cold(workspace, engine, samples)
            tag = f"big-{index}"
            seconds, added = _added_disk(lambda: workspace.raw_build_and_push(tag))  # noqa: B023
            samples.cold_raw.append(seconds)
            samples.disk_raw_mb.append(added)
            # rebuilds on the store the buildx run left: the same cache for both
            workspace.append_post_build_line()
            samples.rebuild.append(_hubimage(workspace, samples, "big rebuild"))
            workspace.append_post_build_line()
            samples.rebuild_raw.append(workspace.raw_build_and_push(f"big-rebuild-{index}"))
        empty_store(engine, registry.host, samples.cache_before)
    return samples


def figures(samples: Samples) -> list[Figure]:
    size = f"{LAYERS} x {LAYER_MB} MB random + the fixture image"
    where = "" if samples.link_mbit is None else f", {samples.link_mbit:g} Mbit/s link"
    cold, cold_raw = median(samples.cold), median(samples.cold_raw)
    return [
        Figure(f"6 big image cold build+check+push{where}", cold, cold_raw,
               "buildx build --push", BIG_OVERHEAD, samples.cold, samples.cold_raw,
               note=f"{size}; +{cold - cold_raw:.1f} s"),
        Figure(f"6 big image rebuild (warm store){where}", median(samples.rebuild),
               median(samples.rebuild_raw), "buildx rebuild --push", INFO,
               samples.rebuild, samples.rebuild_raw),
        Figure("6 big image peak memory, hubimage + buildx clients", max(samples.peak_python_mb),
               None, "", PEAK_MEMORY_MB, samples.peak_python_mb, unit="MB",
               note="the sum of each command's own peak (python, docker, docker-buildx)"),
        Figure("6 big image peak memory, its whole process tree", max(samples.peak_mb), None,
               "", INFO, samples.peak_mb, unit="MB",
               note=f"with the checks' browser and proxy; peaks by command: "
               f"{samples.peak_by_name_mb}"),
        Figure("6 big image added disk", median(samples.disk_mb), median(samples.disk_raw_mb),
               "buildx build --push", ADDED_DISK, samples.disk_mb, samples.disk_raw_mb,
               unit="MB"),
    ]  # fmt: skip
