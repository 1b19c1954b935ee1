"""Find the node that holds a hub's user image (or the place it should be created).

The chart decides the path: basehub takes `jupyterhub.singleuser.image`, daskhub and
ephemeral-hub take it under `basehub` (`base-hub` in 2021). With no chart named, the image
block that exists wins. A hub whose users pick images from profile choices has no
`singleuser.image`: the choice holding an image of the same name is the target.
"""

from __future__ import annotations

from dataclasses import dataclass

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from hubimage.bump.document import Document, children, own_child
from hubimage.bump.layout import BASE_CHARTS, WRAPPER_KEYS, WRAPPING_CHARTS, scalar_text
from hubimage.errors import ConfigError, ImageReferenceError
from hubimage.reference import ImageReference
from hubimage.yamlpaths import YamlPath, format_path

IMAGE_KEYS = ("jupyterhub", "singleuser", "image")
PROFILE_LIST_KEYS = ("jupyterhub", "singleuser", "profileList")


@dataclass(frozen=True)
class MapImage:
    """An image as a `{name, tag}` mapping."""

    path: YamlPath
    node: MappingNode


@dataclass(frozen=True)
class StringImage:
    """An image as one `"name:tag"` string."""

    path: YamlPath
    node: ScalarNode


@dataclass(frozen=True)
class MissingImage:
    """No image yet: `missing` keys are to be created under the node at `parent_path`.

    That node is a block mapping, or (with `key_node`) the empty value of that key
    (`config: {}`, `image:`), which the new block replaces.
    """

    parent_path: YamlPath
    parent: Node
    missing: tuple[str, ...]
    key_node: Node | None = None


ImageSite = MapImage | StringImage | MissingImage


@dataclass(frozen=True)
class HubScope:
    """Where one hub's chart values are in a document, and the hub's chart.

    `entry` is the hub's entry (the document root for a values file); its chart values are
    under `values_keys` (`("config",)` in hub lists, `()` in values files) and may not exist
    yet, in which case `node` is None.
    """

    label: str  # hub name(s), for messages
    entry_path: YamlPath
    entry: Node
    values_keys: tuple[str, ...]
    node: Node | None
    chart: str | None
    chart_key: str | None = None
    wrapper: str | None = None  # the key the chart's Chart.yaml gives basehub, when known

    @property
    def path(self) -> YamlPath:
        return (*self.entry_path, *self.values_keys)

    @property
    def who(self) -> str:
        """The hub, for messages."""
        return f"hub {self.label}" if self.label else "the hub"


def has_image(document: Document, scope: HubScope, explicit: YamlPath | None) -> bool:
    """Whether the hub's values hold its image (or `explicit`), so an edit goes here."""
    if scope.node is None:
        return False
    if explicit is not None:
        return bool(resolve(document, scope.node, explicit))
    return any(
        resolve(document, scope.node, (*prefix, *IMAGE_KEYS))
        or profile_images(document, scope, prefix)
        for prefix in _chart_prefixes(scope)
    )


def resolve(document: Document, start: Node, path: YamlPath) -> list[Node] | None:
    """The nodes along `path` from `start` (start excluded), None if some key is absent."""
    chain: list[Node] = []
    node = start
    for key in path:
        entry = own_child(document, node, key)
        if entry is None:
            return None
        node = entry[1]
        chain.append(node)
    return chain


def locate_image(
    document: Document,
    scope: HubScope,
    image: ImageReference,
    explicit: YamlPath | None,
    create: bool = False,
) -> ImageSite:
    if explicit is not None:
        return _explicit_site(document, scope, explicit, create)
    prefixes = _chart_prefixes(scope)
    found = [site for prefix in prefixes if (site := _existing_site(document, scope, prefix))]
    if len(found) > 1:
        paths = ", ".join(format_path(_path_of(site)) for site in found)
        raise ConfigError(
            f"{document.filename}: {scope.who} has several image blocks ({paths})",
            hint="pass the hub's chart, --chart basehub or --chart daskhub, or --path with "
            "one of those paths",
        )
    if found:
        return found[0]
    choices = [c for prefix in prefixes for c in profile_images(document, scope, prefix)]
    matching = [c for c in choices if _same_name(scalar_text(c.node), image)]
    if len(matching) == 1:
        return matching[0]
    if choices:
        shown = matching or choices
        relative = [format_path(c.path[len(scope.path) :]) for c in shown]
        listed = "\n    ".join(
            f"{path}: {c.node.value}" for path, c in zip(relative, shown, strict=True)
        )
        which = "several of them are" if matching else "none of them is"
        raise ConfigError(
            f"{document.filename}: {scope.who} takes its image from profile choices and "
            f"{which} {image.name}:\n    {listed}",
            hint=f"pass --path with the choice to change, e.g. --path {relative[0]}",
        )
    return _missing_site(document, scope)


def current_site(
    document: Document, scope: HubScope, explicit: YamlPath | None
) -> MapImage | StringImage | None:
    """The image block the hub has now: explicit path, chart path, or its only profile image."""
    if scope.node is None:
        return None
    if explicit is not None:
        chosen = _explicit_site(document, scope, explicit)
        return None if isinstance(chosen, MissingImage) else chosen
    prefixes = _chart_prefixes(scope)
    found = [site for prefix in prefixes if (site := _existing_site(document, scope, prefix))]
    if len(found) == 1 and not isinstance(found[0], MissingImage):
        return found[0]
    choices = [c for prefix in prefixes for c in profile_images(document, scope, prefix)]
    return choices[0] if len(choices) == 1 and not found else None


def profile_images(document: Document, scope: HubScope, prefix: YamlPath) -> list[StringImage]:
    """Image strings in profileList entries and their profile_options choices."""
    if scope.node is None:
        return []
    chain = resolve(document, scope.node, (*prefix, *PROFILE_LIST_KEYS))
    if not chain or not isinstance(chain[-1], SequenceNode):
        return []
    base = (*scope.path, *prefix, *PROFILE_LIST_KEYS)
    found: dict[int, StringImage] = {}  # by node: aliased choices are one value
    for index, profile in enumerate(chain[-1].value):
        for sub_path, node in _profile_image_nodes(document, profile):
            if isinstance(node, ScalarNode) and _parses(scalar_text(node)):
                found.setdefault(id(node), StringImage((*base, index, *sub_path), node))
    return list(found.values())


def _profile_image_nodes(document: Document, profile: Node) -> list[tuple[YamlPath, Node]]:
    nodes: list[tuple[YamlPath, Node]] = []
    direct = resolve(document, profile, ("kubespawner_override", "image"))
    if direct:
        nodes.append((("kubespawner_override", "image"), direct[-1]))
    options = resolve(document, profile, ("profile_options",))
    for option_key, _, option in children(options[-1]) if options else ():
        choices = resolve(document, option, ("choices",))
        for choice_key, _, choice in children(choices[-1]) if choices else ():
            override = ("kubespawner_override", "image")
            image = resolve(document, choice, override)
            if image:
                path = ("profile_options", option_key, "choices", choice_key, *override)
                nodes.append((path, image[-1]))
    return nodes


def _chart_prefixes(scope: HubScope) -> list[YamlPath]:
    """Where this chart's basehub values start, relative to the hub's values."""
    existing = [key for key in WRAPPER_KEYS if _has_key(scope.node, key)]
    if scope.chart in BASE_CHARTS:
        return [()]
    if scope.wrapper is not None and scope.chart not in BASE_CHARTS:
        return [(scope.wrapper,)]  # the only key the chart reads
    if scope.chart in WRAPPING_CHARTS:
        if existing:
            return [(existing[0],)]
        return [("base-hub",) if scope.chart_key == "template" else ("basehub",)]
    return [(), *((key,) for key in existing)]


def _existing_site(document: Document, scope: HubScope, prefix: YamlPath) -> ImageSite | None:
    if scope.node is None:
        return None
    chain = resolve(document, scope.node, (*prefix, *IMAGE_KEYS))
    if chain is None or is_empty(chain[-1]):
        return None
    return _site_at(document, (*scope.path, *prefix, *IMAGE_KEYS), chain[-1])


def _site_at(document: Document, path: YamlPath, node: Node) -> ImageSite:
    # An `image:` mapping may lack name or tag (they get added); any other needs one.
    if (
        isinstance(node, MappingNode)
        and node.value
        and (path[-1] == "image" or any(k.value in ("name", "tag") for k, _ in node.value))
    ):
        return MapImage(path, node)
    if scalar_text(node) is not None and _parses(scalar_text(node)):
        assert isinstance(node, ScalarNode)
        return StringImage(path, node)
    raise ConfigError(
        f"{document.filename}: {format_path(path)} is not an image "
        "(neither a {name, tag} mapping nor a name:tag string)",
        location=document.location(node),
    )


def _explicit_site(
    document: Document, scope: HubScope, explicit: YamlPath, create: bool = False
) -> ImageSite:
    start = scope.node
    chain = resolve(document, start, explicit) if start is not None else None
    if not chain and create:
        if any(isinstance(key, int) for key in explicit):
            raise ConfigError(
                f"{document.filename}: --create makes mapping keys, not list items "
                f"({format_path(explicit)})",
                hint="create the list item by hand once, then bump with --path",
            )
        return _site_to_create(document, scope, tuple(str(key) for key in explicit))
    if not chain:
        raise _no_such_path(document, scope, explicit)
    node = chain[-1]
    parent = chain[-2] if len(chain) > 1 else start
    if explicit[-1] in ("name", "tag") and isinstance(parent, MappingNode):
        if own_child(document, parent, "name") and own_child(document, parent, "tag"):
            return MapImage((*scope.path, *explicit[:-1]), parent)
        if explicit[-1] == "tag":
            raise ConfigError(
                f"{document.filename}: {format_path(explicit)} is a tag with no name beside it",
                hint="pass the path of the image mapping or of a name:tag string",
                location=document.location(node),
            )
    return _site_at(document, (*scope.path, *explicit), node)


def _no_such_path(document: Document, scope: HubScope, explicit: YamlPath) -> ConfigError:
    found: YamlPath = ()
    node = scope.node
    for key in explicit:
        entry = own_child(document, node, key) if node is not None else None
        if entry is None:
            break
        found, node = (*found, key), entry[1]
    missing = explicit[len(found)]
    where = f"under {format_path(found)}" if found else "at the top of the hub's values"
    keys = [str(k) for k, _, _ in children(node)] if node is not None else []
    hint = f"keys there: {', '.join(keys[:20])}" if keys else None
    return ConfigError(
        f"{document.filename}: path {format_path(explicit)} does not exist in "
        f"{scope.who}: no {missing!r} {where}",
        hint=hint,
    )


def _missing_site(document: Document, scope: HubScope) -> MissingImage:
    if scope.chart is not None and scope.chart not in BASE_CHARTS | WRAPPING_CHARTS:
        raise ConfigError(
            f"{document.filename}: {scope.who} uses chart {scope.chart!r}, which has no "
            "image block yet and whose image path hubimage does not know",
            hint="pass --path where this chart reads the image, with --create, e.g. "
            "--path jupyterhub.singleuser.image --create",
        )
    hub_sections = ("jupyterhub", *WRAPPER_KEYS)
    if scope.chart is None and not any(_has_key(scope.node, key) for key in hub_sections):
        raise ConfigError(
            f"{document.filename}: {scope.who} has no image, and no jupyterhub or basehub "
            "section to add one to: is this a hub's config?",
            hint="check the file; or pass the hub's chart (--chart basehub or --chart daskhub), "
            "or --path jupyterhub.singleuser.image --create",
        )
    path = tuple(str(key) for key in (*_chart_prefixes(scope)[-1], *IMAGE_KEYS))
    return _site_to_create(document, scope, path)


def _site_to_create(document: Document, scope: HubScope, path: tuple[str, ...]) -> MissingImage:
    """Where `path` (in the hub's values) is to be created: under its longest existing part."""
    keys = (*scope.values_keys, *path)
    parent_path, parent, key_node = scope.entry_path, scope.entry, None
    while keys and (entry := own_child(document, parent, keys[0])) is not None:
        parent_path, parent, keys = (*parent_path, keys[0]), entry[1], keys[1:]
        key_node = entry[0]
    if key_node is not None and is_empty(parent):
        return MissingImage(parent_path, parent, keys, key_node)
    if not isinstance(parent, MappingNode) or parent.flow_style or not parent.value:
        raise ConfigError(
            f"{document.filename}: cannot add an image block under {format_path(parent_path)}: "
            "it is not a block mapping",
            hint="add the image block by hand once",
        )
    return MissingImage(parent_path, parent, keys)


def is_empty(node: Node) -> bool:
    """A value that says nothing yet: `key:`, `key: ~`, `key: null`, `key: {}`."""
    if isinstance(node, ScalarNode):
        return bool(node.tag == "tag:yaml.org,2002:null")
    return isinstance(node, MappingNode) and bool(node.flow_style) and not node.value


def _path_of(site: ImageSite) -> YamlPath:
    return site.parent_path if isinstance(site, MissingImage) else site.path


def _has_key(node: Node | None, key: str) -> bool:
    return isinstance(node, MappingNode) and any(k.value == key for k, _ in node.value)


def _parses(text: str | None) -> bool:
    if text is None:
        return False
    try:
        ImageReference.parse(text)
    except ImageReferenceError:
        return False
    return True


def _same_name(text: str | None, image: ImageReference) -> bool:
    return _parses(text) and ImageReference.parse(str(text)).qualified_name == image.qualified_name
