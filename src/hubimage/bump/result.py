"""What a bump did, as the CLI and the GitHub delivery see it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ImageChange:
    """One value set: `path` from the document root, `line` 1-based in the new text."""

    hub: str  # the hub(s) it is for, comma-separated when they share the value
    path: str
    line: int
    old: str | None  # None: created
    new: str


@dataclass(frozen=True)
class OtherReference:
    """Another use of the same image name in the file (profile choice, pre-puller, ...)."""

    path: str
    line: int  # 1-based, in the new text
    value: str  # "name:tag" as found (before any update)
    updated: bool


@dataclass(frozen=True)
class ConfigEdit:
    """The edit of one config file's text. `new_text` equals the input when not `changed`."""

    file: str
    new_text: str
    changed: bool
    changes: tuple[ImageChange, ...]
    other_references: tuple[OtherReference, ...]
    # The edited document's data as parsed back (what the post-condition merges).
    new_data: Any = field(default=None, repr=False, compare=False)

    def unified_diff(self, old_text: str) -> str:
        """`old_text` (the text this edit was made from) to `new_text`, as a unified diff."""
        lines = difflib.unified_diff(
            old_text.splitlines(keepends=True),
            self.new_text.splitlines(keepends=True),
            fromfile=f"a/{self.file.lstrip('/')}",
            tofile=f"b/{self.file.lstrip('/')}",
        )
        # As diff and git write a last line without a line break (so `git apply` takes it).
        return "".join(
            line if line.endswith(("\n", "\r")) else f"{line}\n\\ No newline at end of file\n"
            for line in lines
        )


@dataclass(frozen=True)
class SkippedFile:
    """A values file listed for a hub that was not read: encrypted, or not there."""

    file: str
    reason: str


@dataclass(frozen=True)
class BumpResult:
    """A bump across files: one edit per file the bump looked into (changed or not)."""

    edits: tuple[ConfigEdit, ...]
    old_texts: tuple[str, ...]  # the text each edit was made from, in the same order
    skipped_files: tuple[SkippedFile, ...] = ()

    @property
    def changed(self) -> bool:
        return any(edit.changed for edit in self.edits)

    def unified_diff(self) -> str:
        pairs = zip(self.edits, self.old_texts, strict=True)
        return "".join(edit.unified_diff(old) for edit, old in pairs if edit.changed)
