"""The verdicts of spawn-time, server-log, image-size budgets and pushed-size, from their inputs."""

from __future__ import annotations

import pytest

from hubimage.check.pushed import judge_pushed_size
from hubimage.check.server import judge_spawn_time
from hubimage.check.server_log import error_lines
from hubimage.errors import UsageError
from hubimage.values import JUPYTERHUB_HTTP_TIMEOUT, parse_size

# Lines as jupyter_server 2.17 prints them, with a failing server extension in between.
SERVER_LOG = """\
[I 2026-12-01 23:48:30.001 ServerApp] jupyterhub | extension was successfully linked.
[W 2026-12-01 23:48:30.100 ServerApp] A `_jupyter_server_extension_points` function was not found
[E 2026-12-01 23:48:30.200 ServerApp] Exception while loading config file /etc/jupyter/x.py
    Traceback (most recent call last):
      File "/opt/venv/lib/python3.11/site-packages/traitlets/config/application.py", line 1, in f
        exec(compile(f.read(), conf_file, "exec"), namespace, namespace)
    NameError: name 'c2' is not defined
[I 2026-12-01 23:48:31.000 ServerApp] Serving notebooks from local directory: /home/jovyan
Traceback (most recent call last):
  File "/opt/venv/lib/python3.11/site-packages/broken_ext/__init__.py", line 3, in <module>
    import missing_module
ModuleNotFoundError: No module named 'missing_module'
[I 2026-12-01 23:48:31.500 ServerApp] Jupyter Server 2.17.0 is running at:
ERROR:root:something broke in a startup hook
"""


def test_error_lines_keep_error_lines_and_whole_tracebacks_in_order() -> None:
    lines = error_lines(SERVER_LOG)
    assert lines[0].startswith("[E 2026-12-01")
    assert "NameError: name 'c2' is not defined" in lines[4]
    assert lines[5] == "Traceback (most recent call last):"
    assert lines[8] == "ModuleNotFoundError: No module named 'missing_module'"
    assert lines[-1] == "ERROR:root:something broke in a startup hook"
    assert not any("[I " in line or "[W " in line for line in lines)


def test_a_clean_start_has_no_error_lines() -> None:
    clean = "\n".join(line for line in SERVER_LOG.splitlines() if line.startswith(("[I", "[W")))
    assert error_lines(clean) == []


@pytest.mark.parametrize(
    ("seconds", "state", "limit", "status"),
    [
        (10.0, "serving", 300.0, "pass"),
        (150.0, "serving", 300.0, "pass"),
        (150.1, "serving", 300.0, "warn"),
        (300.0, "serving", 300.0, "warn"),
        (300.5, "serving", 300.0, "fail"),
        (8.4, "serving", 5.0, "fail"),
        (61.0, "timeout", 60.0, "fail"),  # never answered, and outlasted the hub's patience
        (60.0, "timeout", 300.0, "skip"),  # server-starts says it did not answer
        (1.0, "exited", 300.0, "skip"),
        (0.0, "not-started", 300.0, "skip"),
    ],
)
def test_spawn_time_warns_above_half_the_timeout_and_fails_above_it(
    seconds: float, state: str, limit: float, status: str
) -> None:
    outcome = judge_spawn_time(seconds, state, limit)  # type: ignore[arg-type]
    assert outcome.status == status
    if status in ("warn", "fail"):
        assert outcome.hint is not None and "http_timeout" in outcome.hint
        assert f"{limit:g} s" in outcome.summary


def test_the_default_http_timeout_is_jupyterhubs() -> None:
    assert JUPYTERHUB_HTTP_TIMEOUT == 30


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("6GB", 6 * 10**9),
        ("800 MB", 800 * 10**6),
        ("1.5G", 1_500_000_000),
        ("2GiB", 2 * 1024**3),
        ("512mib", 512 * 1024**2),
        ("123456", 123456),
        ("", None),
    ],
)
def test_sizes_read_as_people_write_them(text: str, size: int | None) -> None:
    assert parse_size(text, "--max-image-size") == size


@pytest.mark.parametrize("text", ["six gigs", "-1GB", "0", "5PB", "1e9"])
def test_a_bad_size_names_the_flag(text: str) -> None:
    with pytest.raises(UsageError, match="--max-image-size"):
        parse_size(text, "--max-image-size")


def test_pushed_size_passes_within_and_fails_above_the_budget() -> None:
    assert judge_pushed_size(900 * 10**6, 10**9).status == "pass"
    assert judge_pushed_size(900 * 10**6, None).status == "pass"
    over = judge_pushed_size(1_200_000_000, 10**9)
    assert over.status == "fail"
    assert "1.20 GB compressed" in over.summary and "no hub was pointed at it" in over.summary
    assert over.hint is not None and "max-compressed-size" in over.hint
    assert judge_pushed_size(None, None).status == "warn"
    assert judge_pushed_size(None, 10**9).status == "fail"
