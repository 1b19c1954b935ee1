"""Every test in tests/integration/ says whether it needs a Docker engine: `integration` (it
skips without one, and CI makes that skip a failure) or `no_engine` (real processes and
files, no engine)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTEST = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]


def _unmarked(folder: Path) -> list[str]:
    done = subprocess.run(
        [*PYTEST, "-m", "not integration and not no_engine", str(folder)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_each_integration_test_is_marked_engine_or_no_engine() -> None:
    assert _unmarked(ROOT / "tests" / "integration") == []


def test_an_unmarked_test_is_found(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_unmarked() -> None:\n    pass\n")
    assert [line.rsplit("::", 1)[-1] for line in _unmarked(tmp_path)] == ["test_unmarked"]
