"""`edit_config_text`: bump a hub's image in one config file's text (pure text -> text).

Locate with ruamel's node graph, plan, splice only the changed scalars, then re-parse the
new text and check that the data is the old data with exactly the planned values changed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from ruamel.yaml.nodes import MappingNode

from hubimage.bump.collector import collector_paused_in
from hubimage.bump.document import (
    Document,
    own_child,
    parse_document,
    same_data,
)
from hubimage.bump.fastcheck import planned_paths, proved_document
from hubimage.bump.hubploy import hubploy_image_path
from hubimage.bump.layout import Hub, Layout, find_layout, select_hubs
from hubimage.bump.locate import HubScope
from hubimage.bump.plan import BumpPlan, BumpRequest, plan_bump
from hubimage.bump.result import ConfigEdit, ImageChange, OtherReference
from hubimage.bump.textedit import apply_splices
from hubimage.errors import ConfigError, ImageReferenceError, UnsafeEditError
from hubimage.reference import ImageReference
from hubimage.yamlpaths import YamlPath, format_path, parse_path

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


@collector_paused_in
def edit_config_text(
    text: str,
    *,
    filename: str,
    hubs: Sequence[str],
    image: str,
    path: str | None = None,
    allow_shared: bool = False,
    update_references: bool = False,
    chart: str | None = None,
    wrappers: Mapping[str, str] | None = None,
    create: bool = False,
    digest: str | None = None,
    parsed: Document | None = None,
) -> ConfigEdit:
    """Set the image of `hubs` in `text` to `image` ("name:tag"); the input is never changed.

    `text` is a hub list (`hubs:`, `clusters[].hubs[]`) or one hub's values file; for a
    values file `hubs` only labels the changes and `chart` (basehub, daskhub, ...) says where
    a missing image block goes. `path` (dotted, `[N]` for list items, relative to the hub's
    chart values) overrides detection; `create` creates it when absent. `wrappers` maps a
    daskhub-style chart to the key its Chart.yaml gives basehub. `digest` (`sha256:...`)
    is written with the tag (`tag@sha256:...`). `parsed`: `text` already parsed (not parsed
    again). Raises ConfigError / ImageReferenceError (bad input,
    nothing changed) and UnsafeEditError (the edit would change more than planned).
    """
    request = BumpRequest(
        image=parse_image(image),
        explicit_path=parse_path(path) if path else None,
        allow_shared=allow_shared,
        update_references=update_references,
        create=create,
        digest=parse_digest(digest) if digest else None,
    )
    usable = parsed is not None and parsed.text is text and parsed.filename == filename
    document = parsed if parsed is not None and usable else parse_document(text, filename)
    layout = find_layout(document)
    if layout.kind == "values" and request.explicit_path is None:
        hubploy_path = hubploy_image_path(document, request.image)
        if hubploy_path is not None:
            request = replace(request, explicit_path=hubploy_path)
    scopes = hub_scopes(document, layout, hub_names(hubs), chart, wrappers or {})
    plan = plan_bump(document, layout, scopes, request)
    new_text = apply_splices(text, [edit.splice for edit in plan.edits])
    new_document = _verify(document, new_text, plan)
    return _result(document, new_document, plan)


def hub_names(hubs: Sequence[str]) -> tuple[str, ...]:
    """The hub names, a lone string taken as one name (not as its characters)."""
    return (hubs,) if isinstance(hubs, str) else tuple(hubs)


def parse_image(image: str) -> ImageReference:
    reference = ImageReference.parse(image)
    if reference.tag is None or reference.digest is not None:
        raise ImageReferenceError(
            f"image {image!r} must be name:tag",
            hint="give name:tag, e.g. --image quay.io/org/image:2026.11.28, and a digest "
            "to pin with it as --pin-digest sha256:...",
        )
    return reference


def parse_digest(digest: str) -> str:
    if not _DIGEST.fullmatch(digest):
        raise ImageReferenceError(
            f"digest {digest!r} is not sha256:<64 hex digits>",
            hint="pass the digest the push reported (hubimage push --json: digest)",
        )
    return digest


def image_with_digest(image: str, digest: str | None) -> str:
    return f"{image}@{digest}" if digest else image


def hub_scopes(
    document: Document,
    layout: Layout,
    hubs: tuple[str, ...],
    chart: str | None,
    wrappers: Mapping[str, str],
) -> list[HubScope]:
    if layout.kind == "values":
        if not isinstance(document.root, MappingNode):
            raise ConfigError(f"{document.filename} is not a hub config: it holds no mapping")
        if own_child(document, document.root, "$schema") is not None:
            raise ConfigError(f"{document.filename} is a JSON schema, not a hub config")
        label = ", ".join(hubs)
        wrapper = wrappers.get(chart or "")
        return [HubScope(label, (), document.root, (), document.root, chart, wrapper=wrapper)]
    if not hubs:
        names = ", ".join(hub.name for hub in layout.hubs)
        raise ConfigError(
            f"{document.filename}: name the hub(s) to bump", hint=f"--hub one of: {names}"
        )
    return [_scope_of(document, hub, wrappers) for hub in select_hubs(document, layout, hubs)]


def _scope_of(document: Document, hub: Hub, wrappers: Mapping[str, str]) -> HubScope:
    if hub.values_files is not None and own_child(document, hub.node, "config") is None:
        raise ConfigError(
            f"{document.filename}: hub {hub.name} keeps its chart values in "
            f"{', '.join(hub.values_files)}",
            hint=f"pass the file that lists them, --config {document.filename}, to "
            "hubimage bump (not to this library function)",
        )
    config = own_child(document, hub.node, "config")
    return HubScope(
        label=hub.name,
        entry_path=hub.path,
        entry=hub.node,
        values_keys=("config",),
        node=config[1] if config else None,
        chart=hub.chart,
        chart_key=hub.chart_key,
        wrapper=wrappers.get(hub.chart or ""),
    )


def _verify(document: Document, new_text: str, plan: BumpPlan) -> Document:
    """The edited Document, checked: its data is the old data with the planned values set.

    Proved from the node graphs where `fastcheck` can (nothing constructed); otherwise, and
    whenever that proof fails, by re-reading the new text in full, whose errors users see.
    """
    values = [(value.path, value.new) for edit in plan.edits for value in edit.values]
    paths = planned_paths(document, values)
    if document.composed_in_c:
        try:
            expected = _planned_data(document, paths)
        except UnsafeEditError:
            expected = None
        if expected is not None:
            proved = proved_document(document, new_text, paths, expected)
            if proved is not None:
                return proved
    return _verify_by_parsing(document, new_text, paths)


def _planned_data(document: Document, paths: list[tuple[YamlPath, str]]) -> Any:
    expected = document.data
    for path, new in paths:
        expected = _set_path(expected, path, new, document.filename)
    return expected


def _verify_by_parsing(
    document: Document, new_text: str, paths: list[tuple[YamlPath, str]]
) -> Document:
    """Re-read the new text: its data must be the old data with the planned values set."""
    try:
        new_document = parse_document(new_text, document.filename)
    except ConfigError as error:
        raise UnsafeEditError(
            f"{document.filename}: the edited text would not parse ({error.message}); "
            "nothing was written"
        ) from None
    if (new_document.index, new_document.count) != (document.index, document.count) or not (
        _outside_unchanged(document, new_document)
    ):
        raise UnsafeEditError(
            f"{document.filename}: the edit would reach beyond the YAML document that holds "
            "the hubs; nothing was written",
            hint="please report this with the file; edit it by hand meanwhile",
        )
    # An anchored scalar (`&s ~`) is a copy per alias in the data: each path is set.
    if not same_data(_planned_data(document, paths), new_document.data):
        raise UnsafeEditError(
            f"{document.filename}: re-reading the edited text shows changes beyond the "
            "planned ones; nothing was written",
            hint="please report this with the file; edit it by hand meanwhile",
        )
    return new_document


def _outside_unchanged(old: Document, new: Document) -> bool:
    """In a multi-document file, the other documents' text is byte for byte the same."""
    if old.count == 1:
        return True
    (old_start, old_end), (new_start, new_end) = old.span, new.span
    return old.text[:old_start] == new.text[:new_start] and old.text[old_end:] == new.text[new_end:]


def _set_path(data: Any, path: YamlPath, value: str, filename: str, top: bool = True) -> Any:
    """`data` with `value` at `path`: the containers along the path are copied, the rest is
    shared (a deep copy of a large file's data cost more than the rest of the check)."""
    if not path:
        return value
    key, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(key, int):
        copied = list(data)
        copied[key] = _set_path(data[key], rest, value, filename, top=False)
        return copied
    if data is None and not top:
        data = {}  # absent, or an empty `key:` being filled
    if not isinstance(data, dict):
        raise UnsafeEditError(f"{filename}: cannot check {format_path(path)}")
    real_key = key if key in data else next((k for k in data if str(k) == key), key)
    copied_map = dict(data)
    copied_map[real_key] = _set_path(data.get(real_key), rest, value, filename, top=False)
    return copied_map


def _result(old: Document, new: Document, plan: BumpPlan) -> ConfigEdit:
    edits = sorted(plan.edits, key=lambda edit: edit.splice.start)
    new_starts, shift = [], 0
    for edit in edits:
        new_starts.append(edit.splice.start + shift)
        shift += len(edit.splice.text) - (edit.splice.end - edit.splice.start)

    def moved(offset: int) -> int:
        before = [e.splice for e in edits if e.splice.end <= offset and e.splice.start < offset]
        return offset + sum(len(s.text) - (s.end - s.start) for s in before)

    changes = [
        ImageChange(
            value.hub,
            format_path(value.path),
            new.line_of(new_start + value.text_offset),
            value.old,
            value.new,
        )
        for edit, new_start in zip(edits, new_starts, strict=True)
        for value in edit.values
        if value.hub is not None
    ]
    references = tuple(
        OtherReference(
            format_path(ref.path), new.line_of(moved(ref.offset)), ref.value, ref.updated
        )
        for ref in plan.references
    )
    return ConfigEdit(
        file=old.filename,
        new_text=new.text,
        changed=new.text != old.text,
        changes=tuple(changes),
        other_references=references,
        new_data=new.data,
    )
