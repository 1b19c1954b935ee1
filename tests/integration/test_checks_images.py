"""`hubimage check` against real images: a good one, and bad ones that each break one thing.

Every bad image must fail (or warn about) exactly the check meant to catch it, with the other
checks passing or skipping as they should: a check that fails too eagerly is as wrong as one
that misses its problem.
"""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from hubimage.check import CHECK_NAMES, CheckOptions, run_checks
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE
from hubimage.engine import DockerEngine
from hubimage.errors import ImageNotFoundError, ImageReferenceError, UsageError
from hubimage.values import HubVersion
from support import bad_images
from support.check_reports import SERVER_CHECKS_SKIP, expect, expect_result

pytestmark = pytest.mark.integration


def test_good_image_passes_every_check_and_really_starts_the_server(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    report = run_checks(
        docker_engine, singleuser_image, CheckOptions(hub_version=HubVersion.parse("6.1.1"))
    )

    expect(report, {}, hub_version=True)
    assert not report.failed
    assert [result.name for result in report.results] == list(CHECK_NAMES)
    assert report.result("singleuser-command").details["version"] == "6.1.1"
    identity = report.result("non-root-user").details
    assert (identity["uid"], identity["gid"], identity["user"]) == (1000, 100, "jovyan")
    server = report.result("server-starts").details
    assert server["jupyter_server_version"] == "2.17.0"  # the running server's own /api answer
    assert server["authenticated_status"] == 200
    # The server asked our stand-in: its version at start-up, then who owns the token.
    assert "GET /hub/api" in server["hub_api_requests"]
    assert "GET /hub/api/user" in server["hub_api_requests"]
    # Speed is measured in bench/bench_checks.py, not asserted here; this is the report's field.
    assert float(server["startup_seconds"]) > 0


def test_root_user_fails_only_non_root_user(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.root_user(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    expect(report, {"non-root-user": "fail"})
    expect_result(report, "non-root-user", "root (uid 0)", "USER 1000")


def test_missing_jupyterhub_fails_singleuser_command_and_skips_what_needs_it(
    docker_engine: DockerEngine, debian_python_image: str
) -> None:
    image = bad_images.no_jupyterhub(docker_engine, debian_python_image)
    report = run_checks(docker_engine, image, CheckOptions(hub_version=HubVersion.parse("6.1.1")))
    expect(
        report,
        {
            "singleuser-command": "fail",
            "server-starts": "skip",
            "hub-version": "skip",
            **SERVER_CHECKS_SKIP,
        },
        hub_version=True,
    )
    expect_result(report, "singleuser-command", "jupyterhub-singleuser", "jupyterhub")


def test_uid_1001_fails_non_root_user_and_passes_when_the_hub_uses_1001(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.uid_1001(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    # Its home and working folder are /home/other: the hub's home volume on /home/jovyan
    # keeps none of what its users save there.
    changes = {"non-root-user": "fail", "repo-visible": "warn", "second-start": "fail"}
    expect(report, changes)
    expect_result(report, "second-start", "outside the home volume on /home/jovyan", "WORKDIR")
    expect_result(report, "non-root-user", "uid 1001", "--uid 1001")

    hub_1001 = [replace(ZERO_TO_JUPYTERHUB_PROFILE, uid=1001)]
    only = CheckOptions(only=("non-root-user",))
    as_1001 = run_checks(docker_engine, image, only, hub_1001)
    assert [(r.name, r.status) for r in as_1001.results] == [("non-root-user", "pass")]


def test_home_not_writable_fails_home_writable(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.home_not_writable(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    # server-starts passes: like the hub, it mounts an empty home volume on $HOME.
    expect(report, {"home-writable": "fail"})
    expect_result(report, "home-writable", "/home/jovyan is not writable", "chown")


def test_missing_entrypoint_fails_server_starts(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.missing_entrypoint(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    expect(report, {"server-starts": "fail", **SERVER_CHECKS_SKIP})
    expect_result(report, "server-starts", "ENTRYPOINT /srv/start", "/srv/start")


def test_server_crashing_at_start_fails_server_starts_with_its_log(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.crashing_server(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    expect(report, {"server-starts": "fail", **SERVER_CHECKS_SKIP})
    result = expect_result(report, "server-starts", "exited with code")
    log_tail = result.details["log_tail"]
    assert isinstance(log_tail, list)
    assert any("/nonexistent/notebooks" in line for line in log_tail)


def test_previous_major_jupyterhub_fails_hub_version(
    docker_engine: DockerEngine, singleuser_previous_major_image: str
) -> None:
    report = run_checks(
        docker_engine,
        singleuser_previous_major_image,
        CheckOptions(hub_version=HubVersion.parse("6.1.1")),
    )
    expect(report, {"hub-version": "fail"}, hub_version=True)
    result = expect_result(report, "hub-version", "redirect loop", "jupyterhub==6.1.*")
    assert "5.4.3" in result.summary


def test_older_minor_warns_and_newer_major_hub_image_fails(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    older_minor = run_checks(
        docker_engine,
        singleuser_image,
        CheckOptions(hub_version=HubVersion.parse("6.2.0"), only=("hub-version",)),
    )
    assert older_minor.results[0].status == "warn"
    assert not older_minor.failed
    image_newer_major = run_checks(
        docker_engine,
        singleuser_image,
        CheckOptions(hub_version=HubVersion.parse("5.4.3"), only=("hub-version",)),
    )
    assert image_newer_major.results[0].status == "fail"


def test_repository_in_home_warns_repo_visible(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    image = bad_images.repo_in_home(docker_engine, singleuser_image)
    report = run_checks(docker_engine, image, CheckOptions())
    expect(report, {"repo-visible": "warn"})
    result = expect_result(report, "repo-visible", "REPO_DIR /home/jovyan", "--target-repo-dir")
    assert "README.md" in result.summary


def test_size_above_the_threshold_warns(docker_engine: DockerEngine, singleuser_image: str) -> None:
    options = CheckOptions(size_warn_bytes=100 * 10**6, only=("image-size",))
    report = run_checks(docker_engine, singleuser_image, options)
    assert report.results[0].status == "warn"
    assert int(str(report.results[0].details["bytes"])) > 100 * 10**6


def test_bad_input_is_refused_before_anything_runs(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    with pytest.raises(ImageReferenceError):
        run_checks(docker_engine, "Not A Reference", CheckOptions())
    with pytest.raises(ImageNotFoundError):
        run_checks(docker_engine, "hubimage-fixture/hid-never-built:nope", CheckOptions())
    with pytest.raises(UsageError, match="no-such-check"):
        run_checks(docker_engine, singleuser_image, CheckOptions(only=("no-such-check",)))
    with pytest.raises(UsageError, match="--hub-version"):
        run_checks(
            docker_engine,
            singleuser_image,
            CheckOptions(hub_version=HubVersion.parse("six", "--hub-version")),
        )


def test_the_hubs_http_timeout_is_honoured_and_reported_with_the_log(
    docker_engine: DockerEngine, singleuser_image: str
) -> None:
    # Importing jupyter_server alone takes longer than half a second.
    options = CheckOptions(hub_version=HubVersion.parse("6.1.1"), only=("server-starts",))
    impatient = [replace(ZERO_TO_JUPYTERHUB_PROFILE, http_timeout=0.5)]
    started = time.monotonic()
    (result,) = run_checks(docker_engine, singleuser_image, options, impatient).results
    assert result.status == "fail"
    assert "did not answer GET /user/hubimage-check/api within the hub's http_timeout of 0.5 s" in (
        result.summary
    )
    assert "log_tail" in result.details
    assert time.monotonic() - started < 15
