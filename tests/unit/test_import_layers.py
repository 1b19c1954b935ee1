"""The import-linter contracts in pyproject.toml hold, and they would catch a circle.

`.ci/run` runs `lint-imports` on the tree as it is; these tests also prove the contract is
strict enough to fail when a lower layer imports a higher one (the circle issue 11 removed:
the summary reading the pipeline's outcome, the phases borrowing a command's helper).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    lint = shutil.which("lint-imports")
    if lint is None:
        pytest.fail("lint-imports is not installed (pip install -e '.[test]')")
    return subprocess.run(
        [lint, "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree / "src"), "PATH": str(Path(sys.executable).parent)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "src", tree / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tree / "pyproject.toml")
    return tree


def test_the_layers_are_kept_as_they_are() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import"),
    [
        ("summary.py", "from hubimage.pipeline import run_pipeline"),
        ("phases/context.py", "from hubimage.commands import run_command"),
        ("imagebuild/tags.py", "from hubimage.phases import checking"),
        ("check/runner.py", "from hubimage.bump import BumpResult"),
    ],
)
def test_an_upward_or_sideways_import_breaks_a_contract(
    tmp_path: Path, module: str, upward_import: str
) -> None:
    tree = _copy_tree(tmp_path)
    target = tree / "src" / "hubimage" / module
    target.write_text(target.read_text() + f"\n\ndef _circle() -> None:\n    {upward_import}\n")
    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout or "broken" in result.stdout.split("Contracts:")[-1]


def _client_uses(source: str) -> list[int]:
    """Lines where an engine's SDK client is reached (`<name>.client.` or `.client()`)."""
    import ast

    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "client":
            owner = node.value
            name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
            if "engine" in name:
                lines.append(node.lineno)
    return lines


def test_only_the_engine_package_reaches_the_sdk_client() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "src" / "hubimage").rglob("*.py")
        if "engine" not in path.relative_to(ROOT / "src" / "hubimage").parts[:1]
        and (lines := _client_uses(path.read_text()))
    }
    assert found == {}


def test_the_client_check_sees_a_use() -> None:
    assert _client_uses("def f(engine):\n    return engine.client.api.push('x')\n") == [2]
    assert _client_uses("self.engine.client.info()\n") == [1]
    assert _client_uses("registry.client.close()\n") == []
