"""What a check run is given and what it gives back: options, one result per check, a report.

Results carry a one-line `summary`, a `hint` (what to change) whenever the status is not
pass, and JSON-friendly `details` for machines (`--json`, the action's outputs).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Literal

from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, SpawnProfile
from hubimage.values import KERNEL_TIMEOUT, LANDING_TIMEOUT, HubVersion

Status = Literal["pass", "warn", "fail", "skip"]

# Uncompressed size (what `docker images` shows, in decimal GB) above which image-size warns.
# Common data-science stacks are 2-6 GB; above 8 GB a first pull on a fresh hub node takes
# minutes and can run into the spawner's start timeout (KubeSpawner: 300 s by default).
DEFAULT_SIZE_WARN_BYTES = 8 * 10**9

_STATUS_LABEL: Mapping[Status, str] = {
    "pass": "PASS",
    "warn": "WARN",
    "fail": "FAIL",
    "skip": "SKIP",
}
_STATUS_MARK: Mapping[Status, str] = {
    "pass": "✅ pass",
    "warn": "⚠️ warn",
    "fail": "❌ fail",
    "skip": "⏭️ skip",
}


@dataclass(frozen=True)
class CheckResult:
    name: str
    status: Status
    summary: str
    hint: str | None = None
    details: Mapping[str, object] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "status": self.status,
            "summary": self.summary,
            "hint": self.hint,
            "details": dict(self.details),
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class CheckOptions:
    """How the checks run; how the server starts comes from each hub's `SpawnProfile`."""

    hub_version: HubVersion | None = None  # the hub's JupyterHub; None skips hub-version
    size_warn_bytes: int = DEFAULT_SIZE_WARN_BYTES
    context: Path | None = None  # the image's repository; its image-tests/ are run
    only: tuple[str, ...] = ()  # names of the checks to run; empty runs them all
    tests_timeout: float = 600.0  # seconds image-tests may take in all
    skip: tuple[str, ...] = ()  # names of checks not to run
    max_image_bytes: int | None = None  # uncompressed size above which image-size fails
    previous_image: str | None = None  # the image the hub runs now, for the size change
    kernel_timeout: float = KERNEL_TIMEOUT  # seconds a kernel may take to start and run `1 + 1`
    all_kernels: bool = False  # kernel-runs tries every kernelspec, not only the default
    landing_timeout: float = LANDING_TIMEOUT  # seconds landing-page waits for the page
    artifacts_dir: Path | None = None  # where landing-page keeps screenshots (None: a temp dir)
    browser: str | None = None  # a Chromium/Chrome executable; None finds one


@dataclass(frozen=True)
class CheckReport:
    """The checks of an image under one spawn profile (and every profile identical to it)."""

    image: str
    results: tuple[CheckResult, ...]
    profile: SpawnProfile = ZERO_TO_JUPYTERHUB_PROFILE
    stands_for: tuple[str, ...] = ()  # the labels of every hub / profile it was checked for

    @property
    def label(self) -> str:
        return ", ".join(self.stands_for) or self.profile.label

    @property
    def failed(self) -> bool:
        return any(result.status == "fail" for result in self.results)

    def result(self, name: str) -> CheckResult:
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def as_dict(self) -> dict[str, object]:
        return {
            "image": self.image,
            "failed": self.failed,
            "profile": self.profile.label,
            "stands_for": list(self.stands_for or (self.profile.label,)),
            "applied": [
                {"setting": a.setting, "value": a.value, "source": a.source}
                for a in self.profile.applied
            ],
            "not_evaluated": list(self.profile.not_evaluated),
            "results": [result.as_dict() for result in self.results],
        }

    def render_table(self) -> str:
        """Plain text for a terminal or a CI log: one line per check, hints indented below."""
        width = max((len(result.name) for result in self.results), default=0)
        lines = [f"checks of {self.image} as {self.label} spawns it:"]
        for result in self.results:
            label = _STATUS_LABEL[result.status]
            lines.append(
                f"  {label}  {result.name:<{width}}  {result.summary}  ({result.seconds:.1f}s)"
            )
            if result.hint and result.status != "pass":
                lines.append(f"  {'':4}  {'':<{width}}  fix: {result.hint}")
            if result.status == "fail":
                lines += [f"  {'':4}  {'':<{width}}  | {line}" for line in log_tail(result, 10)]
        lines.append(f"  {self._tally()}")
        lines += self._spawn_lines()
        return "\n".join(lines)

    def _spawn_lines(self) -> list[str]:
        """What the server was started with, and where each setting came from."""
        applied = self.profile.applied
        if not applied:
            return []
        lines = ["  spawned with:"]
        lines += [f"    {a.setting} = {a.value}  ({a.source})" for a in applied]
        lines += [f"    not reproduced: {note}" for note in self.profile.not_evaluated]
        return lines

    def render_markdown(self, environ: Mapping[str, str] | None = None) -> str:
        """A GitHub job-summary table (and the screenshot's link, from the run's `environ`)."""
        lines = [
            f"### Checks of `{self.image}` as {_markdown_cell(self.label)} spawns it",
            "",
            "| Check | Result | Details | Time |",
            "| --- | --- | --- | --- |",
        ]
        for result in self.results:
            text = _markdown_cell(result.summary)
            if result.hint and result.status != "pass":
                text += f"<br>**Fix:** {_markdown_cell(result.hint)}"
            lines.append(
                f"| `{result.name}` | {_STATUS_MARK[result.status]} | {text} "
                f"| {result.seconds:.1f} s |"
            )
        lines += ["", self._tally()]
        if self.profile.applied:
            rows = [
                f"| `{_markdown_cell(a.setting)}` | `{_markdown_cell(a.value)}` "
                f"| {_markdown_cell(a.source)} |"
                for a in self.profile.applied
            ]
            lines += [
                "",
                "<details><summary>Spawned with</summary>",
                "",
                "| Setting | Value | From |",
                "| --- | --- | --- |",
                *rows,
                *[f"\nNot reproduced: {_markdown_cell(n)}" for n in self.profile.not_evaluated],
                "",
                "</details>",
            ]
        link = screenshot_markdown([r.as_dict() for r in self.results], environ or {})
        if link:
            lines += ["", link]
        for result in self.results:
            tail = log_tail(result, 30) if result.status == "fail" else []
            if tail:
                fence = "~~~~"  # log lines may contain backtick fences of their own
                lines += [
                    "",
                    f"<details><summary>{result.name}: last log lines</summary>",
                    "",
                    fence,
                    *(line.replace(fence, "~ ~ ~ ~") for line in tail),
                    fence,
                    "",
                    "</details>",
                ]
        return "\n".join(lines) + "\n"

    def _tally(self) -> str:
        counts = {status: 0 for status in _STATUS_LABEL}
        for result in self.results:
            counts[result.status] += 1
        verdict = "FAILED" if self.failed else "OK"
        parts = ", ".join(f"{count} {status}" for status, count in counts.items() if count)
        return f"{verdict}: {parts}" if parts else f"{verdict}: no checks ran"


def screenshot_markdown(results: Sequence[Mapping[str, object]], environ: Mapping[str, str]) -> str:
    """A line pointing at landing-page's screenshot ("" when there is none).

    In a workflow run the action uploads it as an artifact; the link goes to the run's
    artifacts, where GitHub lists it (the action adds a direct link after the upload).
    """
    for result in results:
        details = result.get("details")
        if result.get("name") != "landing-page" or not isinstance(details, Mapping):
            continue
        screenshot = details.get("screenshot")
        if not screenshot:
            return ""
        name = PurePath(str(screenshot)).name
        intro = "📸 Screenshot of the page users land on:"
        server, repository = environ.get("GITHUB_SERVER_URL"), environ.get("GITHUB_REPOSITORY")
        run_id = environ.get("GITHUB_RUN_ID")
        if server and repository and run_id:
            url = f"{server}/{repository}/actions/runs/{run_id}#artifacts"
            return f"{intro} `{name}` in [this run's artifacts]({url})"
        return f"{intro} `{screenshot}`"
    return ""


def log_tail(result: CheckResult, count: int) -> list[str]:
    """The last `count` lines of output a check kept (`log_tail`, `pytest_log_tail`, ...)."""
    lines: list[str] = []
    for key, value in result.details.items():
        if key.endswith("log_tail") and isinstance(value, (list, tuple)):
            lines += [str(line) for line in value]
    return lines[-count:]


def _markdown_cell(text: str) -> str:
    """Table cells are one line and must not contain a bare `|`."""
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def format_size(size: int) -> str:
    """Decimal units, as `docker images` and registries show them."""
    if size >= 10**9:
        return f"{size / 10**9:.2f} GB"
    return f"{size / 10**6:.1f} MB"
