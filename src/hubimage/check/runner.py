"""Run the checks of an image in parallel and collect their results in a fixed order."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import docker.errors
import requests

from hubimage.check.base import CheckContext, CheckFunction, Outcome
from hubimage.check.compat import hub_version, image_size, repo_visible
from hubimage.check.containers import last_lines
from hubimage.check.image_tests import image_tests
from hubimage.check.kernel import kernel_runs
from hubimage.check.lab import lab_loads
from hubimage.check.model import CheckOptions, CheckReport, CheckResult
from hubimage.check.options import validate_options
from hubimage.check.probe import ImageFacts, ImageProbe, ProbeFailed
from hubimage.check.server import server_starts, spawn_time
from hubimage.check.server_log import server_log
from hubimage.check.session import ServerSession
from hubimage.check.user import home_writable, non_root_user, singleuser_command
from hubimage.engine import DockerEngine
from hubimage.errors import HubimageError
from hubimage.reference import ImageReference
from hubimage.values import CHECK_NAMES

CHECKS: dict[str, CheckFunction] = {
    "singleuser-command": singleuser_command,
    "non-root-user": non_root_user,
    "home-writable": home_writable,
    "server-starts": server_starts,
    "spawn-time": spawn_time,
    "server-log": server_log,
    "kernel-runs": kernel_runs,
    "lab-loads": lab_loads,
    "hub-version": hub_version,
    "repo-visible": repo_visible,
    "image-size": image_size,
    "image-tests": image_tests,
}
if tuple(CHECKS) != CHECK_NAMES:  # the inputs validate names against values' list
    raise ImportError(f"check registry {tuple(CHECKS)} differs from {CHECK_NAMES}")


def run_checks(engine: DockerEngine, image: str, options: CheckOptions) -> CheckReport:
    """Check that `image` (in the local image store) will run on a JupyterHub.

    Raises ImageReferenceError for a malformed reference, ImageNotFoundError when the image
    is not local, UsageError for bad options; a check that cannot run is a `fail` result.
    """
    ImageReference.parse(image)
    names = validate_options(options)
    facts = ImageFacts.from_inspect(image, engine.require_image(image))
    session = ServerSession()
    context = CheckContext(engine, facts, ImageProbe(engine, facts), options, session)
    # The engine calls are I/O bound: one thread per check, results kept in CHECKS' order.
    try:
        with ThreadPoolExecutor(max_workers=len(names), thread_name_prefix="check") as pool:
            futures = [pool.submit(_run_one, name, CHECKS[name], context) for name in names]
            results = tuple(future.result() for future in futures)
    finally:
        session.close()  # the server every server check shared
    return CheckReport(image=image, results=results)


def _run_one(name: str, check: CheckFunction, context: CheckContext) -> CheckResult:
    started = time.monotonic()
    try:
        outcome = check(context)
    except ProbeFailed as error:
        outcome = Outcome(
            "fail",
            f"cannot look inside the image: {error}",
            "hub images need a POSIX shell at /bin/sh and coreutils (`id`, `ls`)",
            {"log_tail": last_lines(error.result.output)},
        )
    except HubimageError as error:
        outcome = Outcome("fail", f"could not run the check: {error.message}", error.hint)
    except (docker.errors.DockerException, requests.RequestException) as error:
        # The engine went away or refused a call in the middle of a check.
        outcome = Outcome(
            "fail",
            f"could not run the check: the container engine failed: {error}",
            "check that the Docker engine is running and reachable (DOCKER_HOST)",
        )
    return CheckResult(
        name=name,
        status=outcome.status,
        summary=outcome.summary,
        hint=outcome.hint,
        details=outcome.details,
        seconds=time.monotonic() - started,
    )
