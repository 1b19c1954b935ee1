"""Run the checks of an image under each distinct spawn profile, and collect the results.

The image's own checks (its JupyterHub, its size, its tests) run once. The checks of how a
hub runs it run once per distinct profile, each profile with its own server: the first
profile's beside the image's checks, the others after it, one profile at a time, so that no
two servers compete for the CPU while spawn-time times them. Within a profile the checks run
in parallel threads (they wait on the engine and the server), `second-start` last, once the
others are done with the first server.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import docker.errors
import requests

from hubimage.check.base import CheckContext, CheckFunction, Outcome
from hubimage.check.compat import hub_version, image_size, repo_visible
from hubimage.check.containers import last_lines
from hubimage.check.extensions import server_extensions
from hubimage.check.image_tests import image_tests
from hubimage.check.kernel import kernel_runs
from hubimage.check.landing import landing_page
from hubimage.check.model import CheckOptions, CheckReport, CheckResult
from hubimage.check.options import validate_options
from hubimage.check.probe import ImageFacts, ImageProbe, ProbeFailed
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, SpawnProfile, distinct_profiles
from hubimage.check.report import SpawnReport
from hubimage.check.second_day import second_start
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
    "server-extensions": server_extensions,
    "kernel-runs": kernel_runs,
    "landing-page": landing_page,
    "second-start": second_start,
    "hub-version": hub_version,
    "repo-visible": repo_visible,
    "image-size": image_size,
    "image-tests": image_tests,
}
if tuple(CHECKS) != CHECK_NAMES:  # the inputs validate names against values' list
    raise ImportError(f"check registry {tuple(CHECKS)} differs from {CHECK_NAMES}")

# Checks of the image itself, whichever hub runs it: run once, under the first profile.
IMAGE_CHECKS = frozenset({"singleuser-command", "hub-version", "image-size", "image-tests"})
LAST = "second-start"  # stops the server the other checks of its profile use


def run_checks(
    engine: DockerEngine,
    image: str,
    options: CheckOptions,
    profiles: Sequence[SpawnProfile] = (ZERO_TO_JUPYTERHUB_PROFILE,),
    notes: Sequence[str] = (),
    scratch: Path | None = None,
) -> SpawnReport:
    """Check that `image` (in the local image store) runs as each of `profiles` spawns it.

    Raises ImageReferenceError for a malformed reference, ImageNotFoundError when the image
    is not local, UsageError for bad options; a check that cannot run is a `fail` result.
    `scratch` is where the profiles' files are written for the containers (a temp folder).
    """
    ImageReference.parse(image)
    names = validate_options(options)
    facts = ImageFacts.from_inspect(image, engine.require_image(image))
    probe = ImageProbe(engine, facts)
    distinct = distinct_profiles(list(profiles) or [ZERO_TO_JUPYTERHUB_PROFILE])
    own = [name for name in names if name in IMAGE_CHECKS]
    theirs = [name for name in names if name not in IMAGE_CHECKS]
    reports: list[CheckReport] = []
    shared: dict[str, CheckResult] = {}
    for index, (profile, labels) in enumerate(distinct):
        session = ServerSession(profile, scratch)
        context = CheckContext(engine, facts, probe, options, session, profile, index)
        try:
            results = _run_profile(context, theirs, own if index == 0 else [])
        finally:
            session.close()  # the server every server check of the profile shared
        shared.update({name: results[name] for name in own if name in results})
        merged = {**results, **shared}
        ordered = tuple(merged[name] for name in names)
        reports.append(CheckReport(image, ordered, profile, tuple(labels)))
    return SpawnReport(image, tuple(reports), tuple(dict.fromkeys(notes)))


def _run_profile(context: CheckContext, names: list[str], own: list[str]) -> dict[str, CheckResult]:
    """One profile's checks (and the image's own, for the first), in parallel threads."""
    first = [name for name in [*own, *names] if name != LAST]
    with ThreadPoolExecutor(max_workers=max(len(first), 1), thread_name_prefix="check") as pool:
        futures: dict[str, Future[CheckResult]] = {
            name: pool.submit(_run_one, name, CHECKS[name], context) for name in first
        }
        results = {name: future.result() for name, future in futures.items()}
    if LAST in names:
        results[LAST] = _run_one(LAST, CHECKS[LAST], context)
    return results


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
