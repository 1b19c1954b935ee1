"""Options and versions are checked before any container runs; errors name the flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.check import CHECK_NAMES, CheckOptions
from hubimage.check.compat import parse_version, require_hub_version
from hubimage.check.probe import ImageFacts
from hubimage.check.runner import validate_options
from hubimage.errors import EXIT_BAD_INPUT, UsageError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("6.1.1", (6, 1, 1)),
        ("5.4", (5, 4, 0)),
        ("v4.0.2", (4, 0, 2)),
        ("5.3.0.dev0", (5, 3, 0)),
        ("six", None),
        ("", None),
    ],
)
def test_parse_version(text: str, expected: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == expected


def test_bad_hub_version_is_a_usage_error_naming_the_flag() -> None:
    with pytest.raises(UsageError, match="--hub-version 'latest'") as raised:
        require_hub_version("latest")
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
        (CheckOptions(uid=-1), "--uid"),
        (CheckOptions(server_timeout=0), "--server-timeout"),
        (CheckOptions(size_warn_bytes=0), "--size-warning-gb"),
        (CheckOptions(hub_version="x.y"), "--hub-version"),
        (CheckOptions(context=Path("/nonexistent/hid-context")), "--context"),
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
