"""Options and versions are checked before any container runs; errors name the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.check import CHECK_NAMES, CheckOptions
from hubimage.check.options import validate_options
from hubimage.check.probe import ImageFacts
from hubimage.errors import EXIT_BAD_INPUT, UsageError
from hubimage.inputs import parse_inputs, read_action_inputs
from hubimage.phases.stage_requests import check_options, default_profile
from hubimage.values import HubVersion


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.1.1", (6, 1, 1)),
        ("5.4", (5, 4, None)),
        ("5", (5, None, None)),
        ("v4.0.2", (4, 0, 2)),
        ("5.3.0.dev0", (5, 3, 0)),
        ("six", None),
        ("5.x", None),
        ("", None),
    ],
)
def test_parse_version(text: str, expected: tuple[int, int | None, int | None] | None) -> None:
    version = HubVersion.read(text)
    found = (version.major, version.minor, version.patch) if version else None
    assert found == expected


def test_bad_hub_version_is_a_usage_error_naming_the_flag() -> None:
    with pytest.raises(UsageError, match="--hub-version: 'latest'") as raised:
        HubVersion.parse("latest", "--hub-version")
    assert raised.value.exit_code == EXIT_BAD_INPUT


def test_all_checks_run_by_default_in_their_order() -> None:
    assert validate_options(CheckOptions()) == CHECK_NAMES
    assert CHECK_NAMES[0] == "singleuser-command"


def test_only_keeps_the_fixed_order() -> None:
    chosen = validate_options(CheckOptions(only=("image-size", "non-root-user")))
    assert chosen == ("non-root-user", "image-size")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (CheckOptions(only=("nope",)), "unknown check"),
        (CheckOptions(size_warn_bytes=0), "--size-warning-gb"),
        (CheckOptions(context=Path("/nonexistent/hid-context")), "--context"),
        (CheckOptions(skip=("lab-load",)), "unknown check.*lab-load"),
        (CheckOptions(kernel_timeout=-1), "--kernel-timeout"),
        (CheckOptions(landing_timeout=0), "--landing-timeout"),
        (CheckOptions(max_image_bytes=0), "--max-image-size"),
    ],
)
def test_bad_options(options: CheckOptions, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        validate_options(options)


def test_image_facts_from_inspect() -> None:
    info = {
        "Size": 123,
        "Config": {
            "User": "1000",
            "Env": ["PATH=/opt/venv/bin:/usr/bin", "REPO_DIR=/srv/repo", "EMPTY"],
            "Entrypoint": ["/srv/start"],
            "Cmd": None,
            "WorkingDir": "/home/jovyan",
            "Labels": {"repo2docker.repo_dir": "/srv/repo"},
        },
    }
    facts = ImageFacts.from_inspect("img:1", info)
    assert facts.env == {"PATH": "/opt/venv/bin:/usr/bin", "REPO_DIR": "/srv/repo", "EMPTY": ""}
    assert facts.entrypoint == ("/srv/start",)
    assert facts.cmd == ()
    assert facts.size == 123
    assert facts.labels["repo2docker.repo_dir"] == "/srv/repo"
    assert ImageFacts.from_inspect("img:1", {"Config": None}).user == ""


def test_skip_leaves_checks_out_and_wins_over_only() -> None:
    chosen = validate_options(CheckOptions(skip=("landing-page", "kernel-runs")))
    assert chosen == tuple(n for n in CHECK_NAMES if n not in ("landing-page", "kernel-runs"))
    both = CheckOptions(only=("landing-page", "image-size"), skip=("landing-page",))
    assert validate_options(both) == ("image-size",)


def test_the_old_name_of_a_check_still_names_it() -> None:
    renamed = CheckOptions(only=("lab-loads", "image-size"), skip=("image-size",))
    assert validate_options(renamed) == ("landing-page",)


def test_the_server_checks_come_right_after_server_starts() -> None:
    at = CHECK_NAMES.index("server-starts")
    assert CHECK_NAMES[at : at + 7] == (
        "server-starts",
        "spawn-time",
        "server-log",
        "server-extensions",
        "kernel-runs",
        "landing-page",
        "second-start",
    )


def test_run_inputs_for_the_checks() -> None:
    defaults = parse_inputs(read_action_inputs({}))
    options = check_options(defaults, None, environ={})
    assert options.max_image_bytes is None
    assert options.skip == () and not options.all_kernels and options.artifacts_dir is None
    profile = default_profile(defaults)
    assert (profile.uid, profile.fs_gid, profile.http_timeout) == (1000, 100, 30.0)
    assert profile.default_url is None and profile.home_mount_path == "/home/jovyan"
    raw = {
        "skip-checks": "lab-loads, image-size",
        "http-timeout": "120",
        "max-image-size": "6GB",
        "max-compressed-size": "2.5GB",
        "all-kernels": "true",
        "default-url": "tree",
        "user-id": "1001",
    }
    inputs = parse_inputs(raw)
    assert inputs.max_compressed_size == 2_500_000_000
    options = check_options(inputs, "quay.io/org/img:old", environ={"RUNNER_TEMP": "/rt"})
    assert options.skip == ("landing-page", "image-size")
    assert options.max_image_bytes == 6 * 10**9
    assert options.all_kernels
    assert options.previous_image == "quay.io/org/img:old"
    assert options.artifacts_dir == Path("/rt/hubimage-artifacts")  # what action.yml uploads
    profile = default_profile(inputs)
    assert (profile.uid, profile.http_timeout, profile.default_url) == (1001, 120.0, "/tree")
    assert profile.source_of("http_timeout") == "input http-timeout"
    assert profile.source_of("defaultUrl") == "input default-url"


def test_the_old_inputs_still_work_and_say_so() -> None:
    inputs = parse_inputs({"lab-url": "lab", "server-timeout": "90", "build-engine": "legacy"})
    assert inputs.default_url == "/lab" and inputs.build_backend == "legacy"
    said = " ".join(inputs.deprecated)
    assert "'lab-url' is now called 'default-url'" in said
    assert "'server-timeout' is no longer used" in said
    assert "'build-engine' is now called 'build-backend'" in said
    with pytest.raises(UsageError, match=r"'default-url'.*'lab-url'.*disagree"):
        parse_inputs({"lab-url": "lab", "default-url": "/tree"})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"skip-checks": "lab-load"}, "input 'skip-checks': unknown check"),
        ({"max-image-size": "big"}, "input 'max-image-size'"),
        ({"max-compressed-size": "-2GB"}, "input 'max-compressed-size'"),
        ({"http-timeout": "0"}, "input 'http-timeout'"),
        ({"default-url": "https://elsewhere.example/lab"}, "input 'default-url'"),
        ({"user-id": "-1"}, "input 'user-id'"),
        ({"lab-url": "https://elsewhere.example/lab"}, "input 'lab-url'"),
        ({"lab-url": "../../hub/admin"}, "input 'lab-url'"),
        ({"all-kernels": "maybe"}, "input 'all-kernels'"),
    ],
)
def test_bad_run_inputs_name_the_input(raw: dict[str, str], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_inputs(raw)
