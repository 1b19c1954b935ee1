"""The build context: where it is, and which folder holds its configuration.

Like repo2docker: when the context has a `binder/` or `.binder/` folder, the configuration
files (environment.yml, requirements.txt, Dockerfile, ...) are read from there and files of
the same name at the top are ignored; both folders at once is an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hubimage.errors import BuildInputError

BINDER_DIRS = ("binder", ".binder")
_NOT_CONTENT = {".git"}  # a context holding only these is empty


@dataclass(frozen=True)
class BuildContext:
    """A checked build context. `root` is sent to the engine; `config_dir` holds the config."""

    root: Path
    config_dir: Path

    @property
    def config_dir_name(self) -> str:
        """`binder`, `.binder` or `.` (the top of the context), for messages and labels."""
        return "." if self.config_dir == self.root else self.config_dir.name

    def config_file(self, name: str) -> Path | None:
        """The configuration file `name` where this context keeps its configuration."""
        path = self.config_dir / name
        return path if path.is_file() else None

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def inspect_context(context: Path, subdir: str = "") -> BuildContext:
    """Check `context` (and `subdir` inside it) and find its configuration folder."""
    root = _resolve_root(context, subdir)
    if not any(entry.name not in _NOT_CONTENT for entry in root.iterdir()):
        raise BuildInputError(
            f"build context {root} is empty",
            hint="point the build at the folder that holds the image's Dockerfile or "
            "environment files",
        )
    present = [name for name in BINDER_DIRS if (root / name).is_dir()]
    if len(present) > 1:
        raise BuildInputError(
            f"build context {root} has both binder/ and .binder/",
            hint="keep the configuration in one of them (repo2docker refuses both too)",
        )
    config_dir = root / present[0] if present else root
    return BuildContext(root=root, config_dir=config_dir)


def _resolve_root(context: Path, subdir: str) -> Path:
    if not context.is_dir():
        raise BuildInputError(f"build context {context} is not a directory")
    if not subdir:
        return context.resolve()
    relative = PurePosixPath(subdir)
    if relative.is_absolute() or ".." in relative.parts:
        raise BuildInputError(
            f"subdir {subdir!r} must be a relative path inside the build context {context}"
        )
    root = (context / relative).resolve()
    if not root.is_dir():
        raise BuildInputError(f"subdir {subdir!r} is not a directory in {context}")
    return root
