"""Run `hubimage run` exactly as the composite action's last step does on a runner.

The step's environment holds one INPUT_* variable per input (the action's default when the
workflow gives none), the runner's GITHUB_* variables, and the files the runner reads after
the step: GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. Nothing of the test process's own GitHub
variables leaks in.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML

from hubimage.engine import DockerEngine
from support.image_search import image_hits
from support.registry_fixtures import RunningRegistry, served_digest
from support.runner_files import parse_output_file

REPO_ROOT = Path(__file__).parents[2]
EVENTS = Path(__file__).parents[1] / "data" / "events"


@dataclass(frozen=True)
class ActionRun:
    returncode: int
    outputs: dict[str, str]
    summary: str
    stdout: str
    stderr: str

    @property
    def everything(self) -> str:
        """Every channel a secret could leak through, as the runner shows it.

        `::add-mask::VALUE` lines are how a step tells the runner what to hide; the runner
        consumes them and never prints them, so they are the one place a secret must appear.
        """
        log = "\n".join(
            line
            for line in (self.stdout + "\n" + self.stderr).splitlines()
            if not line.startswith("::add-mask::")
        )
        return "\n".join((log, self.summary, *self.outputs.values()))


def secrets_found(run: ActionRun, engine: DockerEngine, secrets: Iterable[str]) -> list[str]:
    """Where any of `secrets` shows: the runner's channels (log, summary, outputs) and, when
    the run pushed, the pushed image's history, config, labels and files. Empty: nowhere."""
    values = [value for value in secrets if value]
    found = [f"runner output ({value[:2]}...)" for value in values if value in run.everything]
    if run.outputs.get("pushed") == "true":
        pushed = f"{run.outputs['image']}:{run.outputs['tag']}"
        found += [f"{pushed}: {where}" for where in image_hits(engine, pushed, values)]
    return found


def assert_nothing_published(
    run: ActionRun,
    registry: RunningRegistry,
    repository: str,
    tag: str | None = None,
    bump_result: str | None = "skipped",
) -> None:
    """The run pushed nothing and bumped nothing: its outputs say so, and the registry,
    asked directly, has no such tag (the run's own tag unless `tag` names another)."""
    assert run.outputs["pushed"] == "false", run.stderr[-3000:]
    if bump_result is not None:
        assert run.outputs["bump-result"] == bump_result
    assert served_digest(registry, repository, tag or run.outputs["tag"]) is None


def action_defaults(github_token: str) -> dict[str, str]:
    """INPUT_* as the runner sets them from action.yml when the workflow gives no value."""
    action = YAML(typ="safe").load((REPO_ROOT / "action.yml").read_text())
    values = {}
    for name, spec in action["inputs"].items():
        default = str(spec.get("default", ""))
        values[name] = github_token if default == "${{ github.token }}" else default
    return values


def action_environment(
    workdir: Path,
    event: str,
    inputs: Mapping[str, str],
    tmp_path: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    github_token: str = "",
) -> tuple[dict[str, str], Path, Path]:
    """The step's environment, and the GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files."""
    values = action_defaults(github_token)
    unknown = set(inputs) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    values.update(inputs)
    output = tmp_path / f"output-{event}-{os.getpid()}-{len(list(tmp_path.iterdir()))}"
    summary = output.with_name(output.name + "-summary")
    output.touch()
    summary.touch()
    ours = ("GITHUB_", "INPUT_", "HUBIMAGE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "GITHUB_EVENT_NAME": event,
            "GITHUB_EVENT_PATH": str(EVENTS / f"{event}.json"),
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_REPOSITORY": "my-org/hub-image",
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_RUN_ID": "4242",
            "GITHUB_WORKSPACE": str(workdir),
            "RUNNER_TEMP": str(tmp_path),
        }
    )
    for name, value in values.items():
        env["INPUT_" + name.upper().replace("-", "_")] = value
    env.update(extra_env or {})
    return env, output, summary


HUBIMAGE_RUN = [sys.executable, "-m", "hubimage", "run"]


def run_action(
    workdir: Path,
    event: str,
    inputs: Mapping[str, str],
    tmp_path: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    github_token: str = "",
    timeout: float = 600,
) -> ActionRun:
    env, output, summary = action_environment(
        workdir, event, inputs, tmp_path, extra_env=extra_env, github_token=github_token
    )
    completed = subprocess.run(
        HUBIMAGE_RUN,
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return ActionRun(
        completed.returncode,
        parse_output_file(output),
        summary.read_text(),
        completed.stdout,
        completed.stderr,
    )
