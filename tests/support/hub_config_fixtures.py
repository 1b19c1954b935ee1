"""The real hub configs under ../shared/fixtures/hub-configs, read in place (never copied in).

`hub_configs` skips, saying why, where ../shared is absent (a user's clone); CI has it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from hubimage.bump import edit_config_text

HUB_CONFIGS = Path(__file__).parents[2].parent / "shared" / "fixtures" / "hub-configs"


@pytest.fixture
def hub_configs() -> Path:
    if not HUB_CONFIGS.is_dir():
        pytest.skip(f"the real hub-config fixtures are not here ({HUB_CONFIGS} is absent)")
    return HUB_CONFIGS


def hub_config_names() -> list[str]:
    """Every fixture file, relative to the fixture folder (empty where it is absent)."""
    if not HUB_CONFIGS.is_dir():
        return []
    return sorted(str(file.relative_to(HUB_CONFIGS)) for file in HUB_CONFIGS.rglob("*.yaml"))


def bump_fixture(root: Path, name: str, **options: object) -> tuple[str, str]:
    """(unified diff, new text) of bumping fixture `name`; the file itself is never written."""
    text = (root / name).read_text(encoding="utf-8")
    edit = edit_config_text(text, filename=name, **options)  # type: ignore[arg-type]
    assert edit.changed
    return edit.unified_diff(text), edit.new_text


def read_under(root: Path) -> Callable[[str], str | None]:
    """A reader for edit_config_tree: files relative to `root`, None when absent."""

    def read(name: str) -> str | None:
        file = root / name
        return file.read_text(encoding="utf-8") if file.exists() else None

    return read
