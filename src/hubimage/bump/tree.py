"""A bump across files: a cluster.yaml, the values files it lists, or one file alone.

Any entry point: `entry` may be a hub list, a cluster.yaml, or a values file; a values file
that the `cluster.yaml` beside it lists is bumped as through that cluster.yaml.

For a hub whose config is spread over values files, the edit goes where it takes effect:
each candidate file (the last one holding the image first, then the hub's own files) is
edited in memory, and the first whose edit gives the hub's users the new image, in the
values merged as Helm merges `-f` files, is chosen. `scope="hub"` writes to the hub's own
last values file only (a staging-first rollout). Then the post-condition: every named hub
gets the new image, and no other hub's users get anything different unless shared changes
were allowed; else ConfigError and nothing is written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from hubimage.bump.collector import collector_paused_in
from hubimage.bump.document import Document
from hubimage.bump.edit import hub_names, parse_image
from hubimage.bump.effective import Offers, chart_prefix, describe, merge_values, offered_images
from hubimage.bump.hubfiles import (
    FileCache,
    HubFiles,
    TextReader,
    chart_wrapper_key,
    cluster_beside,
    confined,
    hub_files,
    is_encrypted,
    listers,
)
from hubimage.bump.layout import WRAPPER_KEYS, WRAPPING_CHARTS, Hub, Layout, find_layout
from hubimage.bump.layout import select_hubs as _select_hubs
from hubimage.bump.locate import PROFILE_LIST_KEYS, HubScope, has_image, resolve
from hubimage.bump.options import EditOptions
from hubimage.bump.postcondition import (
    changed_others,
    failed_hubs,
    gets_image,
    not_taking_effect,
    others_changed_error,
)
from hubimage.bump.result import BumpResult, ConfigEdit, SkippedFile
from hubimage.errors import ConfigError
from hubimage.reference import ImageReference
from hubimage.values import BumpScope
from hubimage.yamlpaths import parse_path

__all__ = ["TextReader", "edit_config_tree", "is_encrypted"]


@collector_paused_in
def edit_config_tree(
    entry: str,
    read: TextReader,
    *,
    hubs: Sequence[str],
    image: str,
    path: str | None = None,
    allow_shared: bool = False,
    update_references: bool = False,
    scope: BumpScope = "source",
    chart: str | None = None,
    create: bool = False,
    digest: str | None = None,
    root: str = "",
) -> BumpResult:
    """Bump `hubs` starting from the config file `entry`, reading files through `read`.

    `root` is the repository root every file must stay in ("" for repository-relative
    paths). The result has one ConfigEdit per file edited (new texts only; nothing written).
    """
    parse_image(image)  # bad input first, before reading anything else
    options = EditOptions(
        image, path, allow_shared and scope != "hub", update_references, chart, create, digest
    )
    cache = FileCache(read)
    document = cache.document(entry)
    if document is None:
        raise ConfigError(f"config file {entry} does not exist")
    names = hub_names(hubs)
    if find_layout(document).kind == "values":
        cluster = cluster_beside(entry, cache, root)
        if cluster is None:
            return _bump_values_file(document, names, options)
        entry = cluster
        document = cache.document(cluster)
        assert document is not None
    return _Tree(entry, document, cache, root, options, scope).bump(names)


def _bump_values_file(
    document: Document, names: tuple[str, ...], options: EditOptions
) -> BumpResult:
    edit = options.edit(document.text, document.filename, names, parsed=document)
    explicit = parse_path(options.path) if options.path else None
    prefix = chart_prefix(document.data, options.chart)
    before = offered_images(document.data, prefix, explicit)
    after = offered_images(edit.new_data, chart_prefix(edit.new_data, options.chart), explicit)

    if not gets_image(before, after, ImageReference.parse(options.new_image)):
        label = ", ".join(names) or "(this file)"
        raise not_taking_effect(document.filename, label, after, options.new_image)
    return BumpResult((edit,), (document.text,))


class _Tree:
    """One bump from a hub list or cluster.yaml: choose files, edit, check the post-condition."""

    def __init__(
        self,
        entry: str,
        document: Document,
        cache: FileCache,
        root: str,
        options: EditOptions,
        scope: BumpScope,
    ) -> None:
        self.entry, self.document, self.cache, self.root = entry, document, cache, root
        self.options, self.scope = options, scope
        self.layout: Layout = find_layout(document)
        self.files: dict[str, HubFiles] = {}
        self.wrappers: dict[str, str] = {}

    def bump(self, names: tuple[str, ...]) -> BumpResult:
        if not names:
            known = ", ".join(hub.name for hub in self.layout.hubs)
            raise ConfigError(
                f"{self.entry}: name the hub(s) to bump", hint=f"--hub one of: {known}"
            )
        selected = _select_hubs(self.document, self.layout, names)
        self._find_wrappers(selected)
        edits: dict[str, ConfigEdit] = {}
        inline = tuple(hub.name for hub in selected if hub.values_files is None)
        if inline:
            edits[self.entry] = self._edit(self.entry, inline)
        by_file: dict[str, list[str]] = {}
        for hub in selected:
            if hub.values_files is not None:
                by_file.setdefault(self._choose_file(hub), []).append(hub.name)
        for file, group in by_file.items():
            edits[file] = self._edit(file, group)
        self._check(edits, [hub.name for hub in selected])
        texts = self.cache.documents
        old = tuple(texts[file].text for file in edits)  # type: ignore[union-attr]
        skipped = {
            file: SkippedFile(file, reason)
            for hub in selected
            if hub.values_files is not None
            for file, reason in self._files(hub).skipped
        }
        return BumpResult(tuple(edits.values()), old, tuple(skipped.values()))

    def _edit(self, file: str, hubs: Sequence[str]) -> ConfigEdit:
        document = self.cache.document(file)
        assert document is not None
        charts = {self._hub(name).chart for name in hubs}
        extra: dict[str, Any] = {"wrappers": self.wrappers}
        if file != self.entry:
            if len(charts) > 1:
                listed = ", ".join(f"{name} ({self._hub(name).chart})" for name in hubs)
                raise ConfigError(f"{file}: hubs with different charts share this file: {listed}")
            extra["chart"] = charts.pop() or self.options.chart
        return self.options.edit(document.text, file, hubs, parsed=document, **extra)

    def _hub(self, name: str) -> Hub:
        return next(hub for hub in self.layout.hubs if hub.name == name)

    def _find_wrappers(self, selected: Sequence[Hub]) -> None:
        """Chart.yaml's key for basehub's values, for wrapping charts met without one."""
        for hub in selected:
            chart = hub.chart
            if chart not in WRAPPING_CHARTS or chart in self.wrappers:
                continue
            key = chart_wrapper_key(self.entry, chart, self.cache, self.root)
            if key is not None:
                self.wrappers[chart] = key

    # --- where each hub's edit goes ------------------------------------------------------

    def _choose_file(self, hub: Hub) -> str:
        files = self._files(hub)
        if not files.readable:
            raise ConfigError(
                f"{self.entry}: none of hub {hub.name}'s values files can be read "
                f"({', '.join(hub.values_files or ())})",
                hint="create the hub's own values file (it is listed in the cluster file)",
            )
        candidates = self._candidates(hub, files)
        failure: ConfigError | None = None
        for file in candidates:
            try:
                edit = self._edit(file, (hub.name,))
            except ConfigError as error:
                failure = failure or error
                continue
            after = self._offers(hub, {file: edit})
            if gets_image(self._offers(hub, {}), after, self._image):
                return file
            failure = failure or self._no_effect(hub, file, after)
        assert failure is not None
        raise failure

    def _candidates(self, hub: Hub, files: HubFiles) -> list[str]:
        own = [
            f
            for f in files.readable
            if listers(self.layout, self.entry, f, self.root) == [hub.name]
        ]
        if self.scope == "hub":
            last = files.readable[-1]
            if last not in own:
                others = [
                    h for h in listers(self.layout, self.entry, last, self.root) if h != hub.name
                ]
                raise ConfigError(
                    f"{self.entry}: hub {hub.name}'s last values file, {last}, is listed by "
                    f"hub(s) {', '.join(others)} too: a hub-only change needs a file of its own",
                    hint=f"list a values file for hub {hub.name} alone last in "
                    "helm_chart_values_files, then bump again",
                )
            return [last]
        explicit = parse_path(self.options.path) if self.options.path else None
        holders = [
            file
            for file in files.readable
            if has_image(self._doc(file), self._scope(file, hub), explicit)
        ]
        if not holders and explicit is not None and not self.options.create:
            raise ConfigError(
                f"{self.entry}: the path you gave exists in none of hub {hub.name}'s values "
                f"files ({', '.join(hub.values_files or ())})",
                hint="check the path, or add --create to create it in the hub's own file",
            )
        chosen = list(reversed(holders)) + [f for f in reversed(own) if f not in holders][:1]
        if not chosen:
            raise ConfigError(
                f"{self.entry}: hub {hub.name} has no image in its values files "
                f"({', '.join(files.readable)}), and no values file of its own to add one to",
                hint="create the hub's own values file and list it last for the hub, "
                "or pass --path",
            )
        return chosen

    def _no_effect(self, hub: Hub, file: str, after: Offers) -> ConfigError:
        image = self.options.new_image
        if not any(offer.where.startswith("profileList") for offer in after):
            return not_taking_effect(self.entry, hub.name, after, image)
        source = self._profile_list_source(hub)
        sharing = [name for name in self._listers(source) if name != hub.name] if source else []
        lines = self._profile_list_lines(source) if source else 0
        return ConfigError(
            f"{self.entry}: hub {hub.name}'s users choose their image from profile choices "
            f"(jupyterhub.singleuser.profileList, {lines} lines in {source}), which a change "
            f"in {file} does not reach: Helm replaces a list whole, so an override for this "
            f"hub alone would have to copy the whole profileList into {file}. hubimage does "
            f"not copy it; nothing was written (the hub would get {describe(after)})",
            hint=(
                f"bump every hub using it at once (add {_hub_flags(sharing)}, without "
                "--scope hub), or copy the profileList into "
                f"{file} by hand once, then bump with --scope hub"
            )
            if sharing
            else "pass --path with the choice to change (see above)",
        )

    def _profile_list_source(self, hub: Hub) -> str | None:
        """The last of the hub's files that sets its profileList (the one Helm keeps)."""
        source = None
        for file in self._files(hub).readable:
            data = self._doc(file).data
            prefix = chart_prefix(data, hub.chart, self.wrappers.get(hub.chart or ""))
            if _lookup(data, (*prefix, "jupyterhub", "singleuser", "profileList")) is not None:
                source = file
        return source

    def _profile_list_lines(self, file: str) -> int:
        document = self._doc(file)
        assert document.root is not None
        for prefix in ((), *((key,) for key in WRAPPER_KEYS)):
            chain = resolve(document, document.root, (*prefix, *PROFILE_LIST_KEYS))
            if chain:
                node = chain[-1]
                return int(document.line_of(node.end_mark.index) - node.start_mark.line)
        return 0

    # --- what each hub's users get -------------------------------------------------------

    @property
    def _image(self) -> Any:

        return ImageReference.parse(self.options.new_image)

    def _doc(self, file: str) -> Document:
        document = self.cache.document(file)
        assert document is not None
        return document

    def _files(self, hub: Hub) -> HubFiles:
        """The hub's values files, read when first needed (each read may be an API call)."""
        if hub.name not in self.files:
            self.files[hub.name] = hub_files(self.entry, hub, self.cache, self.root)
        return self.files[hub.name]

    def _lists_any(self, hub: Hub, files: Mapping[str, object]) -> bool:
        """Whether the cluster file lists any of `files` for the hub (nothing read)."""
        return any(
            confined(self.entry, name, self.root, f"hub {hub.name}'s values file") in files
            for name in hub.values_files or ()
        )

    def _listers(self, file: str) -> list[str]:
        return listers(self.layout, self.entry, file, self.root)

    def _scope(self, file: str, hub: Hub) -> HubScope:
        root = self._doc(file).root
        if root is None:
            raise ConfigError(f"{file}: the file is empty")
        return HubScope(
            hub.name, (), root, (), root, hub.chart, wrapper=self.wrappers.get(hub.chart or "")
        )

    def _values(self, hub: Hub, edits: Mapping[str, ConfigEdit]) -> Any:
        if hub.values_files is None:
            data = edits[self.entry].new_data if self.entry in edits else self.document.data
            return _lookup(data, (*hub.path, "config"))
        layers = [
            edits[file].new_data if file in edits else self._doc(file).data
            for file in self._files(hub).readable
        ]
        return merge_values(layers)

    def _offers(self, hub: Hub, edits: Mapping[str, ConfigEdit]) -> Offers:
        values = self._values(hub, edits)
        wrapper = self.wrappers.get(hub.chart or "")
        prefix = chart_prefix(values, hub.chart or self.options.chart, wrapper)
        explicit = parse_path(self.options.path) if self.options.path else None
        return offered_images(values, prefix, explicit)

    def _check(self, edits: Mapping[str, ConfigEdit], named: list[str]) -> None:
        touched = [
            hub
            for hub in self.layout.hubs
            if hub.name in named
            or (hub.values_files is None and self.entry in edits)
            or (hub.values_files is not None and self._lists_any(hub, edits))
        ]
        before = {hub.name: self._offers(hub, {}) for hub in touched}
        after = {hub.name: self._offers(hub, edits) for hub in touched}
        failed = failed_hubs(before, after, named, self.options.new_image)
        if failed:
            raise not_taking_effect(self.entry, failed[0], after[failed[0]], self.options.new_image)
        others = changed_others(before, after, named)
        if others and not self.options.allow_shared:
            where = ", ".join(file for file in edits if edits[file].changed)
            raise others_changed_error(where, named, others)


def _hub_flags(hubs: Sequence[str]) -> str:
    if len(hubs) <= 10:
        return " ".join(f"--hub {hub}" for hub in hubs)
    return f"--hub for each of the {len(hubs)} hubs: {', '.join(hubs)}"


def _lookup(data: Any, path: Sequence[Any]) -> Any:
    for key in path:
        data = _step(data, key)
    return data


def _step(data: Any, key: Any) -> Any:
    if isinstance(data, list) and isinstance(key, int) and 0 <= key < len(data):
        return data[key]
    if isinstance(data, dict):
        if key in data:
            return data[key]
        return next((value for k, value in data.items() if str(k) == str(key)), None)
    return None
