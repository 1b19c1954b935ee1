"""The bump as data first (chartpress style): which values change, from what, to what, where.

A plan is built from the parsed document only; applying it is splicing its text edits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode

from hubimage.bump.document import Document, children, own_child
from hubimage.bump.layout import Layout, scalar_text
from hubimage.bump.locate import (
    HubScope,
    ImageSite,
    MapImage,
    MissingImage,
    StringImage,
    locate_image,
    resolve,
)
from hubimage.bump.textedit import (
    Splice,
    fill_empty_value,
    indent_step,
    insert_into_mapping,
    replace_scalar,
    replace_value,
)
from hubimage.errors import ConfigError, ImageReferenceError
from hubimage.reference import ImageReference
from hubimage.yamlpaths import YamlPath, format_path


@dataclass(frozen=True)
class PlannedValue:
    hub: str | None  # the hub(s) it belongs to, comma-separated; None: another reference
    path: YamlPath  # from the document root
    old: str | None  # None: the key is created
    new: str
    text_offset: int = 0  # where its line starts in the splice's text


@dataclass(frozen=True)
class PlannedEdit:
    splice: Splice
    values: tuple[PlannedValue, ...]


@dataclass(frozen=True)
class FoundReference:
    """Another use of the same image name in the document."""

    path: YamlPath
    offset: int  # of the value in the old text
    value: str
    updated: bool


@dataclass(frozen=True)
class BumpPlan:
    edits: tuple[PlannedEdit, ...]
    references: tuple[FoundReference, ...]


@dataclass(frozen=True)
class BumpRequest:
    image: ImageReference
    explicit_path: YamlPath | None = None
    allow_shared: bool = False
    update_references: bool = False
    create: bool = False
    digest: str | None = None  # sha256:...: written with the tag, `tag@sha256:...`

    @property
    def tag_text(self) -> str:
        tag = str(self.image.tag)
        return f"{tag}@{self.digest}" if self.digest else tag


def plan_bump(
    document: Document, layout: Layout, scopes: list[HubScope], request: BumpRequest
) -> BumpPlan:
    sites: dict[tuple[int, tuple[str, ...]], tuple[ImageSite, list[str]]] = {}
    for scope in scopes:
        site = locate_image(
            document, scope, request.image, request.explicit_path, create=request.create
        )
        if layout.kind != "values":
            _check_not_shared(document, layout, scope, site, scopes, request.allow_shared)
        key = (id(_site_node(site)), site.missing if isinstance(site, MissingImage) else ())
        sites.setdefault(key, (site, []))[1].append(scope.label)
    edits: list[PlannedEdit] = []
    for site, labels in sites.values():
        edits += _edits_for_site(document, site, ", ".join(labels), request)
    targets = {id(_site_node(site)) for site, _ in sites.values()}
    references, reference_edits = _references(document, targets, request)
    return BumpPlan(tuple(edits + reference_edits), tuple(references))


def _site_node(site: ImageSite) -> Node:
    return site.parent if isinstance(site, MissingImage) else site.node


def _site_path(site: ImageSite) -> YamlPath:
    return site.parent_path if isinstance(site, MissingImage) else site.path


def _edits_for_site(
    document: Document, site: ImageSite, hub: str, request: BumpRequest
) -> list[PlannedEdit]:
    image = request.image
    if isinstance(site, StringImage):
        old = str(site.node.value)
        new = f"{_kept_name(old, image)}:{request.tag_text}"
        if old == new and site.node.tag == "tag:yaml.org,2002:str":
            return []
        splice = replace_scalar(document, site.node, new)
        return [PlannedEdit(splice, (PlannedValue(hub, site.path, old, new),))]
    if isinstance(site, MissingImage):
        leaves = (("name", image.name), ("tag", request.tag_text))
        return [_insert(document, site, leaves, hub)]
    return _map_edits(document, site, hub, request)


def _map_edits(
    document: Document, site: MapImage, hub: str, request: BumpRequest
) -> list[PlannedEdit]:
    image = request.image
    name_entry = own_child(document, site.node, "name")
    tag_entry = own_child(document, site.node, "tag")
    old_name = scalar_text(name_entry[1]) if name_entry else None
    wanted = {"name": _kept_name(old_name, image), "tag": request.tag_text}
    name_node = name_entry[1] if name_entry else None
    name_style = name_node.style if isinstance(name_node, ScalarNode) else None
    quote = name_style if name_style in ("'", '"') else '"'
    edits, leaves = [], []
    for key, entry in (("name", name_entry), ("tag", tag_entry)):
        if entry is None:
            leaves.append((key, wanted[key]))
            continue
        key_node, node = entry
        if key_node is None or not isinstance(node, ScalarNode):
            raise ConfigError(
                f"{document.filename}: {format_path((*site.path, key))} is not a string",
                location=document.location(node),
            )
        if scalar_text(node) == wanted[key]:
            continue  # already this string (a tag read as a number is rewritten, quoted)
        old = str(node.value) if node.tag != "tag:yaml.org,2002:null" else None
        splice = replace_value(document, key_node, node, wanted[key], quote)
        value = PlannedValue(hub, (*site.path, key), old, wanted[key])
        edits.append(PlannedEdit(splice, (value,)))
    if leaves:
        edits.append(_insert(document, MissingImage(site.path, site.node, ()), tuple(leaves), hub))
    return edits


def _insert(
    document: Document, site: MissingImage, leaves: tuple[tuple[str, str], ...], hub: str
) -> PlannedEdit:
    assert document.root is not None
    chain = [document.root, *(resolve(document, document.root, site.parent_path) or [])]
    if site.key_node is not None:
        step = indent_step(document, chain[:-1])
        splice, starts = fill_empty_value(
            document, site.key_node, site.parent, step, site.missing, leaves
        )
    else:
        assert isinstance(site.parent, MappingNode)
        step = indent_step(document, chain)
        splice, starts = insert_into_mapping(document, site.parent, step, site.missing, leaves)
    values = tuple(
        PlannedValue(hub, (*site.parent_path, *site.missing, key), None, value, start)
        for (key, value), start in zip(leaves, starts, strict=True)
    )
    return PlannedEdit(splice, values)


def _kept_name(old: str | None, image: ImageReference) -> str:
    """The old spelling of the name when it names the same image (`2i2c/x` = `quay.io/2i2c/x`)."""
    try:
        if old is not None and ImageReference.parse(old).qualified_name == image.qualified_name:
            return ImageReference.parse(old).name
    except ImageReferenceError:
        pass
    return image.name


def _check_not_shared(
    document: Document,
    layout: Layout,
    scope: HubScope,
    site: ImageSite,
    scopes: list[HubScope],
    allow_shared: bool,
) -> None:
    """ConfigError if the value is in an anchored node that other hubs reach through aliases."""
    path = _site_path(site)
    assert document.root is not None
    chain = resolve(document, document.root, path) or []
    requested = {name for s in scopes for name in s.label.split(", ")}
    others: list[str] = []
    anchor: Node | None = None
    for depth, node in enumerate(chain, start=1):
        for other_path in document.occurrences.get(id(node), []):
            if other_path == path[:depth]:
                continue
            owner = layout.owner_of(other_path)
            if owner not in requested:
                others.append(f"hub {owner}" if owner else format_path(other_path))
                anchor = anchor or node
    if anchor is not None and not allow_shared:
        where = ", ".join(dict.fromkeys(others))
        location = document.location(anchor)
        raise ConfigError(
            f"{document.filename}: the image of hub {scope.label} at {format_path(path)} is in "
            f"YAML anchor &{anchor.anchor} (line {location.line}), which {where} also "
            "use(s): changing it changes them too",
            hint="bump those hubs in the same call (one --hub for each), or allow shared "
            "changes (--allow-shared), or give this hub its own image block",
            location=location,
        )


def _references(
    document: Document, targets: set[int], request: BumpRequest
) -> tuple[list[FoundReference], list[PlannedEdit]]:
    found, edits = [], []
    for path, node, tag_node, value in _image_uses(document, request.image):
        if id(node) in targets:
            continue
        ref = ImageReference.parse(value)
        new = f"{ref.name}:{request.tag_text}"
        update = request.update_references and (ref.tag, ref.digest) != (
            request.image.tag,
            request.digest,
        )
        if update and tag_node is not None:
            new_tag = request.tag_text
            splice = replace_scalar(document, tag_node, new_tag)
            planned = PlannedValue(None, (*path, "tag"), str(tag_node.value), new_tag)
            edits.append(PlannedEdit(splice, (planned,)))
        elif update:
            assert isinstance(node, ScalarNode)
            planned = PlannedValue(None, path, value, new)
            edits.append(PlannedEdit(replace_scalar(document, node, new), (planned,)))
        found.append(FoundReference(path, node.start_mark.index, value, update))
    return found, edits


def _image_uses(
    document: Document, image: ImageReference
) -> Iterator[tuple[YamlPath, Node, ScalarNode | None, str]]:
    """(path, node, tag node of a {name, tag} map, "name:tag") for each tagged use of the name."""
    if document.root is None:
        return
    seen: set[int] = set()
    stack: list[tuple[YamlPath, Node]] = [((), document.root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue  # an alias of something already looked at
        seen.add(id(node))
        if isinstance(node, MappingNode):
            pair = _name_and_tag(document, node)
            if pair is not None and _names(f"{pair[0]}:{pair[1]}", image, tagged=True):
                tag_node = own_child(document, node, "tag")
                assert tag_node is not None and isinstance(tag_node[1], ScalarNode)
                yield path, node, tag_node[1], f"{pair[0]}:{pair[1]}"
                continue
        if isinstance(node, ScalarNode) and ":" in str(node.value):  # cheap test first
            text = scalar_text(node)
            if text is not None and _names(text, image, tagged=True):
                yield path, node, None, text
        stack.extend(reversed([((*path, key), child) for key, _, child in children(node)]))


def _name_and_tag(document: Document, node: MappingNode) -> tuple[str, str] | None:
    if id(node) not in document.merge_pairs and not _has_name_and_tag(node):
        return None  # most mappings: one look at their keys instead of two own_child calls
    name = own_child(document, node, "name")
    tag = own_child(document, node, "tag")
    if name is None or tag is None or not isinstance(tag[1], ScalarNode):
        return None
    name_text = scalar_text(name[1])
    return (name_text, str(tag[1].value)) if name_text is not None else None


def _has_name_and_tag(node: MappingNode) -> bool:
    keys = {key.value for key, _ in node.value if isinstance(key, ScalarNode)}
    return "name" in keys and "tag" in keys


def _names(text: str, image: ImageReference, tagged: bool = False) -> bool:
    try:
        ref = ImageReference.parse(text)
    except ImageReferenceError:
        return False
    return ref.qualified_name == image.qualified_name and (ref.tag is not None or not tagged)
