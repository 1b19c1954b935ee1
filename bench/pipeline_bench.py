"""Scenarios 1-3 of bench/run.py: `hubimage run` end to end, next to the docker CLI.

Everything is real: the Docker engine, a distribution registry with htpasswd auth on
loopback, a git repository holding the image context (`image/`) and a hub config
(`hubs.yaml`, bumped in file mode). `hubimage run` is started as the composite action
starts it (INPUT_* variables, a push event); its log lines are timestamped as they arrive,
so the time of each `::group::` (Build, Check, Push, ...) is known too.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from hubimage.engine import DockerEngine
from support.action_runner import EVENTS, action_defaults
from support.buildx_fixtures import build_cache_ids, cached_steps, prune_build_cache
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry
from support.runner_files import parse_output_file

REPOSITORY = "hig-bench/image"
HUB = "bench"
HUB_VERSION = "6.1.1"
BUILT_IN_RE = re.compile(r"^built \S+ with \S+(?: on \S+)? in ([0-9.]+)s$")
LEGACY_CACHE_HIT = "Using cache"
_BLOB_GET_RE = re.compile(
    r'http\.request\.method=GET\b.*?http\.request\.uri="?/v2/[^" ]+/blobs/sha256:[0-9a-f]+"?'
    r".*?http\.response\.status=200 http\.response\.written=(\d+)"
)


# Inputs every hubimage run of the bench gets on top of its own (run.py's --early-upload).
EXTRA_INPUTS: dict[str, str] = {}


def bench_dockerfile(base_image: str) -> str:
    """A small hub image on the singleuser fixture: a nonce file, one pip package, a COPY,
    and a `postBuild`-like RUN step last (the step a one-line change touches)."""
    return f"""\
FROM {base_image}
USER root
COPY nonce.txt /etc/bench-nonce.txt
COPY requirements.txt /tmp/requirements.txt
RUN pip install -r /tmp/requirements.txt
COPY notebook.py /home/jovyan/notebook.py
COPY postBuild /tmp/postBuild
RUN /tmp/postBuild
USER 1000
"""


POST_BUILD = "#!/bin/sh\nset -e\necho 'hub image ready' > /etc/bench-ready.txt\n"

HUBS_YAML = """\
hubs:
  - name: {hub}
    domain: bench.hub.example.org
    config:
      jupyterhub:
        singleuser:
          image:
            name: {name}
            tag: "{tag}"
"""


@dataclass
class HubimageRun:
    seconds: float
    returncode: int
    outputs: dict[str, str]
    log: str
    group_seconds: dict[str, float] = field(default_factory=dict)
    events: list[tuple[float, str]] = field(default_factory=list)  # (seconds in, line)

    def group(self, prefix: str) -> float:
        """Seconds spent in the log groups whose title starts with `prefix`."""
        return sum(s for title, s in self.group_seconds.items() if title.startswith(prefix))

    def seconds_between(self, start: str, end: str) -> float | None:
        """From the first line starting with `start` to the next line starting with `end`."""
        began: float | None = None
        for at, line in self.events:
            if began is None and line.startswith(start):
                began = at
            elif began is not None and line.startswith(end):
                return at - began
        return None

    def count(self, text: str) -> int:
        return sum(text in line for _, line in self.events)

    def cache_hits(self) -> int:
        """Build steps served from cache, in the Build group only (not the cache export):
        the legacy builder's "Using cache", buildx's CACHED or cached layers fetched."""
        inside = False
        build: list[str] = []
        for _, line in self.events:
            if line.startswith("::group::"):
                inside = line.startswith("::group::Build")
            elif inside:
                build.append(line)
        legacy = sum(LEGACY_CACHE_HIT in line for line in build)
        return legacy + len(cached_steps("\n".join(build)))

    def breakdown(self) -> dict[str, float]:
        """Where the run's time went: start-up, each group, the builder, and the rest."""
        first_group = next((at for at, line in self.events if line.startswith("::group::")), 0.0)
        parts = {"start-up (python, inputs)": first_group}
        for title, seconds in self.group_seconds.items():
            parts[title.split(" ")[0]] = seconds  # "Build 127.0.0.1:.../image:tag" -> "Build"
        if self.build_seconds is not None and "Build" in parts:
            parts["Build: builder"] = self.build_seconds
            parts["Build: after the builder (image size)"] = parts["Build"] - self.build_seconds
        in_groups = sum(self.group_seconds.values())
        parts["outside groups (labels, cache pull)"] = self.seconds - first_group - in_groups
        return parts

    @property
    def build_seconds(self) -> float | None:
        """The builder's own time: from "building ..." to the engine's "Successfully tagged"
        (timed here, to the millisecond), else as the Build group reports it (0.1 s)."""
        timed = self.seconds_between("building ", "Successfully tagged ")
        if timed is not None:
            return timed
        for line in self.log.splitlines():
            match = BUILT_IN_RE.match(line.strip())
            if match:
                return float(match.group(1))
        return None


# What the bench image installs on top of the singleuser fixture image. `small` shows the
# fixed cost hubimage adds; `typical` is a hub image's usual size (JupyterLab and pandas,
# about 280 MB more), where the build and the push dominate, as they do for users.
REQUIREMENTS = {
    "small": "six==1.16.0\n",
    "typical": "jupyterlab==4.4.*\npandas==2.3.*\n",
}


class BenchWorkspace:
    """The hub admin's repository, the registry login, and the runs made against them."""

    def __init__(
        self, root: Path, registry: RunningRegistry, base_image: str, requirements: str
    ) -> None:
        self.root = root
        self.registry = registry
        self.base_image = base_image
        self.repo = init_repo(root / "hub-image")
        self.image_name = f"{registry.host}/{REPOSITORY}"
        self.post_build = POST_BUILD
        post_build = self.repo / "image" / "postBuild"
        post_build.parent.mkdir()
        post_build.write_text(POST_BUILD)
        post_build.chmod(0o755)  # before the commit, so git records it executable
        commit_files(
            self.repo,
            {
                "image/Dockerfile": bench_dockerfile(base_image),
                "image/requirements.txt": requirements,
                "image/notebook.py": "print('hello from the bench image')\n",
                "image/postBuild": self.post_build,
                "image/nonce.txt": secrets.token_hex(16),
            },
            "bench image",
        )
        self.docker_config = root / "docker-config"
        self.docker_config.mkdir()
        self._runs = 0
        self.last_outputs: dict[str, str] = {}

    # --- context changes ------------------------------------------------------------------

    def new_nonce(self) -> None:
        """A context change early in the Dockerfile: nothing after FROM can come from cache."""
        commit_files(self.repo, {"image/nonce.txt": secrets.token_hex(16)}, "new nonce")

    def append_post_build_line(self) -> None:
        """The one-line change of a rebuild: the last RUN step changes, nothing before it."""
        self.post_build += f"echo 'change {secrets.token_hex(4)}' >> /etc/bench-ready.txt\n"
        commit_files(self.repo, {"image/postBuild": self.post_build}, "one more line")

    def point_hub_at(self, tag: str) -> None:
        """The hub config (file mode) names image:tag, as after an earlier run's bump."""
        text = HUBS_YAML.format(hub=HUB, name=self.image_name, tag=tag)
        (self.repo / "hubs.yaml").write_text(text)

    # --- hubimage -------------------------------------------------------------------------

    def hubimage_inputs(self, *, check: bool, bump: bool) -> dict[str, str]:
        inputs = {
            "context": "image",
            "image": self.image_name,
            "registry-username": self.registry.username,
            "registry-password": self.registry.password,
            "hub-version": HUB_VERSION,
            "check": "true" if check else "false",
            "bump-mode": "none",
        }
        if bump:
            inputs.update({"hub-config": "hubs.yaml", "hubs": HUB, "bump-mode": "file"})
        return inputs | EXTRA_INPUTS

    def run_hubimage(self, inputs: Mapping[str, str]) -> HubimageRun:
        """`hubimage run` on a push event, as the action's last step runs it."""
        values = action_defaults("")
        values.update(inputs)
        self._runs += 1
        output = self.root / f"output-{self._runs}"
        summary = self.root / f"summary-{self._runs}"
        output.touch()
        summary.touch()
        ours = ("GITHUB_", "INPUT_", "HUBIMAGE_")
        env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
        env.update(
            {
                "GITHUB_ACTIONS": "true",
                "CI": "true",
                "GITHUB_EVENT_NAME": "push",
                "GITHUB_EVENT_PATH": str(EVENTS / "push.json"),
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(summary),
                "GITHUB_REPOSITORY": "my-org/hub-image",
                "GITHUB_WORKSPACE": str(self.repo),
                "RUNNER_TEMP": str(self.root),
            }
        )
        for name, value in values.items():
            env["INPUT_" + name.upper().replace("-", "_")] = value
        run = _timed_run([sys.executable, "-m", "hubimage", "run"], self.repo, env, output)
        self.last_outputs = run.outputs
        return run

    # --- the docker CLI -------------------------------------------------------------------

    def raw_build_and_push(self, tag: str) -> float:
        """What docker/build-push-action does with the same cache setting as hubimage's
        default: `docker login` + one `docker buildx build --push` reading and writing the
        registry cache at `<image>:buildcache` (mode=max), timed."""
        env = {**os.environ, "DOCKER_CONFIG": str(self.docker_config)}
        reference = f"{self.image_name}:{tag}"
        cache = f"type=registry,ref={self.image_name}:buildcache"
        started = time.perf_counter()
        _docker(
            ["login", self.registry.host, "-u", self.registry.username, "--password-stdin"],
            env,
            stdin=self.registry.password,
        )
        # The product builds on host networking too (pip reaches PyPI through it).
        context = str(self.repo / "image")
        build = ["buildx", "build", "--quiet", "--network", "host", "--provenance", "false"]
        build += ["--push", "-t", reference, "--cache-from", cache]
        build += ["--cache-to", f"{cache},mode=max,image-manifest=true,oci-mediatypes=true"]
        _docker([*build, context], env)
        return time.perf_counter() - started

    def registry_log_mark(self) -> int:
        return len(self.registry.log_path.read_bytes())

    def bytes_downloaded_since(self, mark: int) -> int:
        """Blob bytes the registry served since `mark` (its access log says each one)."""
        text = self.registry.log_path.read_bytes()[mark:].decode("utf-8", "replace")
        return sum(int(match.group(1)) for match in _BLOB_GET_RE.finditer(text))


def _docker(args: list[str], env: Mapping[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(
        ["docker", *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"docker {args[0]} failed ({done.returncode}):\n{done.stderr[-2000:]}")


def _timed_run(argv: list[str], cwd: Path, env: Mapping[str, str], output: Path) -> HubimageRun:
    """Run, timestamping each log line as it arrives, to time the `::group::` sections."""
    started = time.perf_counter()
    groups: dict[str, float] = {}
    events: list[tuple[float, str]] = []
    current: tuple[str, float] | None = None
    with subprocess.Popen(
        argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            now = time.perf_counter()
            events.append((now - started, line.rstrip("\n")))
            if line.startswith("::group::"):
                current = (line[len("::group::") :].strip(), now)
            elif line.startswith("::endgroup::") and current is not None:
                groups[current[0]] = groups.get(current[0], 0.0) + now - current[1]
                current = None
        returncode = process.wait()
    seconds = time.perf_counter() - started
    log = "\n".join(line for _, line in events)
    return HubimageRun(seconds, returncode, parse_output_file(output), log, groups, events)


def require_success(run: HubimageRun, what: str) -> HubimageRun:
    if run.returncode != 0:
        tail = "\n".join(run.log.splitlines()[-40:])
        raise RuntimeError(f"{what}: hubimage run exited {run.returncode}:\n{tail}")
    return run


# --- the local image store ----------------------------------------------------------------


def empty_store(engine: DockerEngine, registry_host: str, cache_before: set[str]) -> None:
    """The local store as on a fresh runner, but for the base image: no bench image, and
    none of the build cache records made since `cache_before` (never a global prune: the
    engine may be shared)."""
    remove_bench_images(engine, registry_host)
    prune_build_cache(build_cache_ids() - cache_before, strict=False)


def remove_bench_images(engine: DockerEngine, registry_host: str) -> int:
    """Remove every image tagged under the bench repository (the base image stays)."""
    wanted = f"{registry_host}/{REPOSITORY}:"
    removed = 0
    for image in engine.client.api.images():
        tags = [t for t in image.get("RepoTags") or [] if t.startswith(wanted)]
        digests = [d for d in image.get("RepoDigests") or [] if d.startswith(wanted[:-1] + "@")]
        if tags or digests:
            engine.remove_image(str(image["Id"]))
            removed += 1
    return removed


@contextmanager
def bench_workspace(
    registry: RunningRegistry, base_image: str, engine: DockerEngine, requirements: str
) -> Iterator[BenchWorkspace]:
    with tempfile.TemporaryDirectory(prefix="hig-bench-") as folder:
        workspace = BenchWorkspace(Path(folder), registry, base_image, requirements)
        try:
            yield workspace
        finally:
            remove_bench_images(engine, registry.host)
