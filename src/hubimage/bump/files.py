"""File mode: read strictly as UTF-8, edit, write atomically and only when something changed."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hubimage.bump.result import BumpResult
from hubimage.bump.tree import edit_config_tree
from hubimage.errors import ConfigError
from hubimage.values import BumpScope


def bump_config_file(
    config_file: Path,
    /,
    *,
    hubs: Sequence[str],
    image: str,
    path: str | None = None,
    allow_shared: bool = False,
    update_references: bool = False,
    dry_run: bool = False,
    scope: BumpScope = "source",
    chart: str | None = None,
    create: bool = False,
    digest: str | None = None,
) -> BumpResult:
    """Bump `hubs` in `config_file` (a hub list, a values file or a 2026 cluster.yaml).

    For a cluster.yaml the edit goes to the values file that holds (or should hold) each
    hub's image, found relative to the cluster.yaml: `result.edits[i].file` says which.
    Every file is edited and verified before any is written; a file is rewritten (temp file
    in its directory, same mode, os.replace) only if it changed and not `dry_run`.
    """
    # the same options reach every file, whichever way the config is laid out
    options: dict[str, Any] = {
        "image": image,
        "path": path,
        "allow_shared": allow_shared,
        "update_references": update_references,
        "scope": scope,
        "chart": chart,
        "create": create,
        "digest": digest,
    }
    if config_file.is_dir():
        return _bump_hubploy_deployments(config_file, hubs, dry_run, **options)
    entry = str(config_file)
    root = repository_root(config_file)
    result = edit_config_tree(
        entry, confined_reader(root), root=same_form(root, entry), hubs=hubs, **options
    )
    if not dry_run:
        for edit in result.edits:
            if edit.changed:
                write_atomically(Path(edit.file), edit.new_text, root)
    return result


def _bump_hubploy_deployments(
    folder: Path, hubs: Sequence[str], dry_run: bool, **options: Any
) -> BumpResult:
    """`deployments/` of a hubploy repository: each hub's `<hub>/hubploy.yaml`."""
    names = (hubs,) if isinstance(hubs, str) else tuple(hubs)
    files = [folder / name / "hubploy.yaml" for name in names]
    absent = [str(file) for file in files if not file.is_file()]
    if absent or not files:
        raise ConfigError(
            f"{folder} is a directory, not a config file"
            + (f", and it has no {', '.join(absent)}" if absent else ""),
            hint="pass --config with the hub config file (for hubploy: "
            "deployments/HUB/hubploy.yaml)",
        )
    results = [
        bump_config_file(file, hubs=[name], dry_run=True, **options)
        for name, file in zip(names, files, strict=True)
    ]
    combined = BumpResult(
        tuple(edit for result in results for edit in result.edits),
        tuple(text for result in results for text in result.old_texts),
    )
    if not dry_run:  # every hub planned and verified before any file is written
        for edit in combined.edits:
            if edit.changed:
                write_atomically(Path(edit.file), edit.new_text, repository_root(folder))
    return combined


def repository_root(config_file: Path) -> Path:
    """The git work tree holding the config (the folder with `.git`), else its own folder."""
    start = Path(os.path.abspath(config_file)).parent
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def same_form(root: Path, entry: str) -> str:
    """`root` written as `entry` is (relative to the working folder, or absolute)."""
    return str(root) if os.path.isabs(entry) else os.path.relpath(root)


def confined_reader(root: Path) -> Callable[[str], str | None]:
    """read_config_text, refusing files that are (or link to) something outside `root`."""
    real_root = root.resolve()

    def read(file: str) -> str | None:
        target = Path(file).resolve()
        if Path(file).exists() and not target.is_relative_to(real_root):
            raise ConfigError(
                f"{file} leads outside the config repository ({root}): it is a symbolic "
                f"link to {target}",
                hint="keep hub config files inside the repository, not linked from elsewhere",
            )
        return read_config_text(file)

    return read


MAX_CONFIG_BYTES = 10 * 1024 * 1024


def read_config_text(file: str) -> str | None:
    """The file's text (line endings kept), None if it does not exist; ConfigError if not UTF-8."""
    try:
        size = Path(file).stat().st_size
        if size > MAX_CONFIG_BYTES:
            # Real hub configs are kilobytes; a huge file is a mistake, and parsing it is slow.
            raise ConfigError(
                f"{file} is {size} bytes, larger than the {MAX_CONFIG_BYTES} bytes a hub config "
                "may be",
                hint="check that --config names the right file",
            )
        data = Path(file).read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ConfigError(f"{file} is a directory, not a config file") from None
    except OSError as error:
        raise ConfigError(f"cannot read {file}: {error.strerror}") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ConfigError(
            f"{file}:{line}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
            f"{error.start})",
            hint="save the file as UTF-8",
        ) from None


def write_atomically(file: Path, text: str, root: Path | None = None) -> None:
    """Replace `file` by `text` in one step, keeping its permission bits.

    With `root`, refuse to write through a symbolic link that leads outside it.
    """
    target = file.resolve()
    if root is not None and not target.is_relative_to(root.resolve()):
        raise ConfigError(
            f"{file} is a symbolic link to {target}, outside the config repository ({root}); "
            "nothing was written",
            hint="replace the link by the file itself",
        )
    mode = stat.S_IMODE(target.stat().st_mode)
    descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
