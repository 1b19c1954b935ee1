"""Today's layout: a cluster.yaml lists each hub's values files; the image lives in one.

For each hub: read its listed values files (relative to the cluster.yaml; sops-encrypted
`enc-*` / `*.secret.*` files are never read, missing ones are skipped and reported). The
file to edit is the LAST one that holds the image (Helm lets later files override earlier
ones); if none does, the last file that only this hub lists (its own `<hub>.values.yaml`),
where the image block is created. A file that other hubs list too (`common.values.yaml`) is
shared: editing it bumps them as well, so that needs them in the same call or allow_shared.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hubimage.bump.document import Document, parse_document
from hubimage.bump.edit import edit_config_text, hub_names, parse_image
from hubimage.bump.layout import Hub, Layout, find_layout, select_hubs
from hubimage.bump.locate import HubScope, has_image
from hubimage.bump.paths import YamlPath, parse_path
from hubimage.bump.result import BumpResult, ConfigEdit, SkippedFile
from hubimage.errors import ConfigError

# Reads a file by its path (as joined from the entry file's path); None if it does not exist.
TextReader = Callable[[str], str | None]


@dataclass(frozen=True)
class ValuesTarget:
    """The values file that one or more hubs' image is edited in."""

    file: str
    hubs: tuple[str, ...]
    chart: str | None


def edit_config_tree(
    entry: str,
    read: TextReader,
    *,
    hubs: Sequence[str],
    image: str,
    path: str | None = None,
    allow_shared: bool = False,
    update_references: bool = False,
) -> BumpResult:
    """Bump `hubs` starting from the config file `entry`, reading files through `read`.

    `entry` is a hub list, a values file, or a cluster.yaml whose hubs list values files;
    the result has one ConfigEdit per file edited (new texts only; nothing is written).
    """
    parse_image(image)  # bad input first, before reading anything else
    edit = functools.partial(
        edit_config_text,
        image=image,
        path=path,
        allow_shared=allow_shared,
        update_references=update_references,
    )
    text = _read_required(read, entry)
    document = parse_document(text, entry)
    layout = find_layout(document)
    names = hub_names(hubs)
    selected = select_hubs(document, layout, names) if layout.kind != "values" else ()
    if not any(hub.values_files is not None for hub in selected):
        return BumpResult((edit(text, filename=entry, hubs=names),), (text,))
    edits: list[ConfigEdit] = []
    old_texts: list[str] = []
    inline = tuple(hub.name for hub in selected if hub.values_files is None)
    if inline:
        edits.append(edit(text, filename=entry, hubs=inline))
        old_texts.append(text)
    explicit = parse_path(path) if path else None
    targets, skipped, texts = plan_values_files(entry, layout, selected, read, explicit)
    for target in targets:
        _check_file_not_shared(entry, layout, target, allow_shared)
        old = texts[target.file]
        edits.append(edit(old, filename=target.file, hubs=target.hubs, chart=target.chart))
        old_texts.append(old)
    return BumpResult(tuple(edits), tuple(old_texts), tuple(skipped))


def plan_values_files(
    entry: str,
    layout: Layout,
    hubs: Sequence[Hub],
    read: TextReader,
    explicit: YamlPath | None,
) -> tuple[list[ValuesTarget], list[SkippedFile], dict[str, str]]:
    """For hubs with values files: which file each is edited in (grouped by file)."""
    base = posixpath.dirname(entry)
    documents: dict[str, Document | None] = {}
    skipped: dict[str, SkippedFile] = {}
    by_file: dict[str, list[Hub]] = {}
    for hub in hubs:
        if hub.values_files is None:
            continue
        readable: list[tuple[str, Document]] = []
        for name in hub.values_files:
            file = posixpath.normpath(posixpath.join(base, name))
            if is_encrypted(name):
                skipped[file] = SkippedFile(file, "encrypted (sops): never read or edited")
                continue
            if file not in documents:
                text = read(file)
                documents[file] = parse_document(text, file) if text is not None else None
            document = documents[file]
            if document is None:
                skipped[file] = SkippedFile(file, "listed but does not exist")
            else:
                readable.append((file, document))
        file = _choose_file(entry, layout, hub, readable, explicit)
        by_file.setdefault(file, []).append(hub)
    targets = [_target(file, group) for file, group in by_file.items()]
    texts = {file: doc.text for file, doc in documents.items() if doc is not None}
    return targets, list(skipped.values()), texts


def _choose_file(
    entry: str,
    layout: Layout,
    hub: Hub,
    readable: list[tuple[str, Document]],
    explicit: YamlPath | None,
) -> str:
    holders = [file for file, doc in readable if has_image(doc, _scope(doc, hub), explicit)]
    if holders:
        return holders[-1]
    listed = ", ".join(hub.values_files or ())
    if explicit is not None:
        raise ConfigError(
            f"{entry}: the path you gave exists in none of hub {hub.name}'s values files ({listed})"
        )
    own = [file for file, _ in readable if not _other_hubs_listing(layout, hub, file, entry)]
    if not own:
        read = ", ".join(file for file, _ in readable) or "none"
        raise ConfigError(
            f"{entry}: hub {hub.name} has no image in the values files that could be read "
            f"({read}), and no values file of its own to add one to (listed: {listed})",
            hint="create the hub's own values file, or pass --path",
        )
    return own[-1]


def _scope(document: Document, hub: Hub) -> HubScope:
    if document.root is None:
        raise ConfigError(f"{document.filename}: the file is empty")
    return HubScope(hub.name, (), document.root, (), document.root, hub.chart)


def _target(file: str, group: list[Hub]) -> ValuesTarget:
    charts = {hub.chart for hub in group}
    if len(charts) > 1:
        names = ", ".join(f"{hub.name} ({hub.chart})" for hub in group)
        raise ConfigError(f"{file}: hubs with different charts share this values file: {names}")
    return ValuesTarget(file, tuple(hub.name for hub in group), group[0].chart)


def _check_file_not_shared(
    entry: str, layout: Layout, target: ValuesTarget, allow_shared: bool
) -> None:
    others = [
        hub.name
        for hub in layout.hubs
        if hub.name not in target.hubs and target.file in _files_of(hub, entry)
    ]
    if others and not allow_shared:
        raise ConfigError(
            f"{target.file} holds the image of hub {', '.join(target.hubs)}, and hub(s) "
            f"{', '.join(others)} use this file too: changing it changes them as well",
            hint="bump those hubs in the same call, or allow shared changes (--allow-shared)",
        )


def _other_hubs_listing(layout: Layout, hub: Hub, file: str, entry: str) -> bool:
    return any(other.name != hub.name and file in _files_of(other, entry) for other in layout.hubs)


def _files_of(hub: Hub, relative_to: str) -> set[str]:
    base = posixpath.dirname(relative_to)
    return {posixpath.normpath(posixpath.join(base, name)) for name in hub.values_files or ()}


def is_encrypted(name: str) -> bool:
    base = posixpath.basename(name)
    return base.startswith("enc-") or ".secret." in base


def _read_required(read: TextReader, file: str) -> str:
    text = read(file)
    if text is None:
        raise ConfigError(f"config file {file} does not exist")
    return text
