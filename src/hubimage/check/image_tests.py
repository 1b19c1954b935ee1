"""image-tests: run the repository's own tests inside the image, as repo2docker-action does.

`image-tests/` of the build context is mounted read-only; its Python files run under the
image's `pytest` and its notebooks under `jupyter nbconvert --execute`, as the hub's uid:gid
with an empty home, like a user's first session.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hubimage.check.base import CheckContext, Outcome
from hubimage.check.containers import ContainerSpec, check_labels, last_lines, run_to_end
from hubimage.check.probe import NOT_FOUND_EXIT
from hubimage.check.spawn import tmpfs_options

TESTS_FOLDER = "image-tests"
MOUNT_POINT = "/srv/hubimage/image-tests"
NOTEBOOK_OUTPUT = "/tmp/hubimage-executed-notebooks"  # noqa: S108 (inside the container)

_PYTEST_SCRIPT = f"""
command -v pytest >/dev/null 2>&1 || exit {NOT_FOUND_EXIT}
exec pytest -p no:cacheprovider -q -rfE .
"""

_NOTEBOOK_SCRIPT = f"""
jupyter nbconvert --version >/dev/null 2>&1 || exit {NOT_FOUND_EXIT}
failed=0
for notebook in "$@"; do
  if jupyter nbconvert --to notebook --execute --output-dir {NOTEBOOK_OUTPUT} "$notebook"; then
    echo "hubimage-notebook-passed: $notebook"
  else
    echo "hubimage-notebook-failed: $notebook"
    failed=1
  fi
done
exit $failed
"""


def image_tests(context: CheckContext) -> Outcome:
    root = context.options.context
    if root is None:
        return Outcome("skip", "no build context given (--context), so no image-tests/")
    folder = root / TESTS_FOLDER
    if not folder.is_dir():
        return Outcome("skip", f"no {TESTS_FOLDER}/ folder in {context.options.context}")
    escape = _link_leaving(root, folder)
    if escape is not None:
        return Outcome(
            "fail",
            f"not run: {escape} is a symbolic link that leaves the build context; "
            "hubimage mounts only folders inside the repository into the image under test",
            f"commit the tests themselves under {TESTS_FOLDER}/ instead of a link to "
            "another folder, or make the link point inside the repository",
            {"link": escape},
        )
    python_files = sorted(path for path in folder.rglob("*.py") if path.is_file())
    notebooks = sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in path.parts
    )
    if not python_files and not notebooks:
        return Outcome("skip", f"{TESTS_FOLDER}/ has no Python files and no notebooks")
    deadline = time.monotonic() + context.options.tests_timeout
    outcomes: list[Outcome] = []
    if python_files:
        outcomes.append(_run_pytest(context, folder, deadline))
    if notebooks:
        outcomes.append(_run_notebooks(context, folder, notebooks, deadline))
    return _combine(outcomes)


def _link_leaving(root: Path, folder: Path) -> str | None:
    """The first symlink at or under `folder` whose target is outside `root`, relative to it.

    The folder is bind-mounted into a container the repository's code controls: a link there
    to a host folder (`image-tests -> ~/.ssh`) would hand that folder to the image.
    """
    base = root.resolve()

    def leaves(path: Path) -> bool:
        target = path.resolve()
        return target != base and base not in target.parents

    if leaves(folder):
        return TESTS_FOLDER
    for directory, subfolders, files in os.walk(folder):  # links are listed, not followed
        for name in sorted(subfolders + files):
            path = Path(directory) / name
            if path.is_symlink() and leaves(path):
                return path.relative_to(root).as_posix()
    return None


def _run(
    context: CheckContext, folder: Path, shell_args: list[str], deadline: float, purpose: str
) -> tuple[int, str]:
    spec = ContainerSpec(
        context.facts.ref,
        command=["/bin/sh", "-c", *shell_args],  # through the image's ENTRYPOINT, like a hub
        user=context.spawner_user.user,
        group_add=context.spawner_user.groups,
        environment={"PYTHONDONTWRITEBYTECODE": "1"},
        tmpfs=_home_tmpfs(context),
        volumes={str(folder.resolve()): {"bind": MOUNT_POINT, "mode": "ro"}},
        working_dir=MOUNT_POINT,
        labels=check_labels(purpose),
    )
    result = run_to_end(context.engine, spec, max(deadline - time.monotonic(), 1.0))
    return result.exit_code, result.output


def _home_tmpfs(context: CheckContext) -> dict[str, str]:
    """An empty home owned by the spawner's user where the hub mounts the home volume."""
    home = context.profile.home_mount_path
    return {home: tmpfs_options(context.profile)} if home else {}


def _run_pytest(context: CheckContext, folder: Path, deadline: float) -> Outcome:
    code, output = _run(context, folder, [_PYTEST_SCRIPT], deadline, "image-tests-pytest")
    tail = last_lines(output, 25)
    details: dict[str, object] = {"pytest_exit_code": code, "pytest_log_tail": tail}
    counts = tail[-1].strip("= ") if tail else ""
    if code == NOT_FOUND_EXIT:
        return Outcome(
            "fail",
            f"{TESTS_FOLDER}/ has Python tests, but the image has no `pytest`",
            "add pytest to the image's environment (requirements.txt or environment.yml) "
            f"or remove the Python files from {TESTS_FOLDER}/",
            details,
        )
    if code == 0:
        return Outcome("pass", f"pytest: {counts}", None, details)
    if code == 5:
        return Outcome(
            "warn",
            "pytest collected no tests",
            "name test files test_*.py and test functions test_*",
            details,
        )
    return Outcome(
        "fail",
        f"pytest in the image failed (exit code {code}): {counts or 'no output'}",
        f"run them by hand: `docker run --rm -v $PWD/{TESTS_FOLDER}:{MOUNT_POINT}:ro "
        f"-w {MOUNT_POINT} IMAGE pytest`",
        details,
    )


def _run_notebooks(
    context: CheckContext, folder: Path, notebooks: list[str], deadline: float
) -> Outcome:
    code, output = _run(
        context, folder, [_NOTEBOOK_SCRIPT, "sh", *notebooks], deadline, "image-tests-notebooks"
    )
    failed = [
        line.split(": ", 1)[1]
        for line in output.splitlines()
        if line.startswith("hubimage-notebook-failed: ")
    ]
    details: dict[str, object] = {"notebooks": notebooks, "notebooks_failed": failed}
    if code == NOT_FOUND_EXIT:
        return Outcome(
            "warn",
            f"{len(notebooks)} notebook(s) not run: the image has no `jupyter nbconvert`",
            "add nbconvert (and a kernel) to the image's environment to execute them",
            details,
        )
    if code == 0:
        return Outcome("pass", f"{len(notebooks)} notebook(s) executed", None, details)
    details["notebooks_log_tail"] = last_lines(output, 25)
    return Outcome(
        "fail",
        f"notebook(s) failed to execute: {', '.join(failed) or 'see the log'}",
        "run the notebook in the image (`jupyter nbconvert --to notebook --execute NB`) "
        "and fix the failing cell",
        details,
    )


def _combine(outcomes: list[Outcome]) -> Outcome:
    """The worst status wins; summaries and details are joined."""
    rank = {"fail": 3, "warn": 2, "pass": 1, "skip": 0}
    worst = max(outcomes, key=lambda outcome: rank[outcome.status])
    details: dict[str, object] = {}
    for outcome in outcomes:
        details.update(outcome.details)
    hints = [outcome.hint for outcome in outcomes if outcome.hint and outcome.status != "pass"]
    return Outcome(
        worst.status,
        "; ".join(outcome.summary for outcome in outcomes),
        "; ".join(hints) or None,
        details,
    )
