"""What changed between two package inventories, for a rebuild's pull request body."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hubimage.inventory.model import ECOSYSTEMS, Ecosystem, PackageInventory


@dataclass(frozen=True)
class EcosystemDiff:
    """Added and removed packages (name -> version) and changed ones (name -> (old, new))."""

    added: Mapping[str, str] = field(default_factory=dict)
    removed: Mapping[str, str] = field(default_factory=dict)
    changed: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def rows(self) -> list[tuple[str, str | None, str | None]]:
        """(package, old version, new version), sorted by package; None where there is none."""
        rows: list[tuple[str, str | None, str | None]] = [
            *((name, None, version) for name, version in self.added.items()),
            *((name, version, None) for name, version in self.removed.items()),
            *((name, old, new) for name, (old, new) in self.changed.items()),
        ]
        return sorted(rows, key=lambda row: row[0])


def _diff_packages(old: Mapping[str, str], new: Mapping[str, str]) -> EcosystemDiff:
    return EcosystemDiff(
        added={name: new[name] for name in sorted(new.keys() - old.keys())},
        removed={name: old[name] for name in sorted(old.keys() - new.keys())},
        changed={
            name: (old[name], new[name])
            for name in sorted(old.keys() & new.keys())
            if old[name] != new[name]
        },
    )


@dataclass(frozen=True)
class InventoryDiff:
    """The change from `old` to `new`, per ecosystem, and the size change in bytes."""

    ecosystems: Mapping[Ecosystem, EcosystemDiff]
    old_size: int
    new_size: int

    @property
    def empty(self) -> bool:
        """No package was added, removed or changed (a size change alone does not count:
        rebuilding the same packages gives slightly different layers)."""
        return all(diff.empty for diff in self.ecosystems.values())

    @property
    def size_change(self) -> int:
        return self.new_size - self.old_size

    def counts(self) -> dict[str, int]:
        return {
            kind: sum(len(getattr(diff, kind)) for diff in self.ecosystems.values())
            for kind in ("added", "removed", "changed")
        }

    def render_markdown(self, max_rows: int = 400) -> str:
        """A GitHub-flavoured table of the changes and a line with the size change.

        At most `max_rows` rows (a pull request body holds 65536 characters); the rest is
        counted in a line below the table.
        """
        lines = [self._summary_line(), ""]
        rows = [
            (ecosystem, *row)
            for ecosystem in ECOSYSTEMS
            for row in self.ecosystems[ecosystem].rows()
        ]
        if rows:
            lines += ["| ecosystem | package | old | new |", "| --- | --- | --- | --- |"]
            lines += [
                f"| {eco} | {_cell(name)} | {_cell(old)} | {_cell(new)} |"
                for eco, name, old, new in rows[:max_rows]
            ]
            if len(rows) > max_rows:
                lines.append(f"\n…and {len(rows) - max_rows} more changes not shown.")
            lines.append("")
        lines.append(f"Image size: {_size_line(self.old_size, self.new_size)}")
        return "\n".join(lines) + "\n"

    def _summary_line(self) -> str:
        if self.empty:
            return "No package changed."
        counts = self.counts()
        parts = [f"{counts[kind]} {kind}" for kind in ("changed", "added", "removed")]
        return "Packages: " + ", ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: per ecosystem added/removed {name: version}, changed {name: {old, new}}."""
        return {
            "empty": self.empty,
            "size": {"old": self.old_size, "new": self.new_size, "change": self.size_change},
            "ecosystems": {
                ecosystem: {
                    "added": dict(diff.added),
                    "removed": dict(diff.removed),
                    "changed": {n: {"old": o, "new": v} for n, (o, v) in diff.changed.items()},
                }
                for ecosystem, diff in self.ecosystems.items()
            },
        }


def diff_inventories(old: PackageInventory, new: PackageInventory) -> InventoryDiff:
    return InventoryDiff(
        ecosystems={eco: _diff_packages(old.of(eco), new.of(eco)) for eco in ECOSYSTEMS},
        old_size=old.size_bytes,
        new_size=new.size_bytes,
    )


def _cell(text: str | None) -> str:
    if text is None:
        return "—"
    return f"`{text}`".replace("|", "\\|")


def format_size(size: int) -> str:
    """Sizes as `docker images` shows them (decimal units)."""
    value, unit = float(abs(size)), "B"
    for larger in ("kB", "MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, larger
    text = f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
    return f"-{text}" if size < 0 else text


def _size_line(old: int, new: int) -> str:
    change = new - old
    sign = "+" if change > 0 else ""  # format_size carries the minus sign
    percent = f", {change / old:+.1%}" if old else ""
    return f"{format_size(old)} → {format_size(new)} ({sign}{format_size(change)}{percent})"
