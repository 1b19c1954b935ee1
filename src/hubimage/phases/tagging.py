"""The tag of the run, an image already published under it, and a scheduled rebuild's tag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from hubimage.errors import RegistryAuthError, RegistryError
from hubimage.imagebuild.tags import compute_tag
from hubimage.phases.context import RunContext


@dataclass(frozen=True)
class Published:
    """An image the registry already serves under the run's tag."""

    tag: str
    digest: str
    labels: Mapping[str, str] = field(default_factory=dict)


def resolve_tag(context: RunContext) -> str:
    inputs = context.inputs
    pull = context.policy.try_out
    with context.reporter.group("Tag"):
        if pull is not None:
            tag, where = pull.tag, f"pull request #{pull.number}"
        else:
            tag = inputs.tag or compute_tag(inputs.context, inputs.tag_scheme)
            where = "input" if inputs.tag else inputs.tag_scheme
        context.outcome.tag = tag
        context.reporter.info(f"tag: {tag} (from {where})")
    return tag


def find_published(context: RunContext, tag: str) -> Published | None:
    """The image the target already serves as `tag`, or None: then the run builds."""
    name, reporter = context.name, context.reporter
    with reporter.group("Look for an existing image"):
        try:
            client = context.services.registry
            digest = client.manifest_digest(name.repository, tag)
            labels = client.image_labels(name.repository, digest) if digest else None
        except RegistryAuthError as error:
            # Hosted registries answer 401/403 for a repository that does not exist yet;
            # the push will tell wrong credentials apart.
            reporter.info(f"cannot look up the tag ({error.message}); building")
            return None
        if digest is None:
            reporter.info(f"{name.name}:{tag} is not in the registry yet")
            return None
        reporter.info(f"already published as {name.qualified_name}@{digest}")
    return Published(tag, digest, labels or {})


def record_reused(context: RunContext, published: Published) -> None:
    """The outputs of a run that publishes nothing new: the image already there."""
    outcome, name = context.outcome, context.name
    outcome.tag, outcome.digest = published.tag, published.digest
    outcome.image_ref = f"{name.qualified_name}@{published.digest}"
    outcome.reused_existing = True
    outcome.notes.append(f"{name.name}:{published.tag} already exists; build and push skipped")


def rebuild_tag(context: RunContext, published: Published) -> str:
    """A scheduled run finds its tag published: it builds again, under the tag plus the date.

    The content tag only changes with the repository, so a weekly rebuild that picks up new
    upstream packages needs a new tag that sorts after the old one.
    """
    tag = _unpublished_dated_tag(context, published.tag)
    context.outcome.tag = tag
    context.reporter.info(
        f"scheduled rebuild of {context.name.name}:{published.tag}; if any package "
        f"changed it is published as {tag}"
    )
    return tag


def _unpublished_dated_tag(context: RunContext, tag: str) -> str:
    """`<tag>-YYYY.MM.DD`, or for a later rebuild the same day `<tag>-YYYY.MM.DD-HHMMSS`: a
    published tag is never moved, and each sorts after the one before (as strings and as
    versions: the time has a fixed width)."""
    now = dt.datetime.now(dt.timezone.utc)
    candidates = (f"{tag}-{now:%Y.%m.%d}", f"{tag}-{now:%Y.%m.%d-%H%M%S}")
    for candidate in candidates:
        if context.services.registry.manifest_digest(context.name.repository, candidate) is None:
            return candidate
    raise RegistryError(
        f"{context.name.name}:{candidates[1]} is already published; a published tag is never moved",
        hint="run the scheduled rebuild again in a second",
    )


def keep_published(context: RunContext, published: Published) -> None:
    """An unchanged scheduled rebuild: the outputs name what stays published."""
    outcome = context.outcome
    outcome.tag, outcome.digest = published.tag, published.digest
    outcome.image_ref = f"{context.name.qualified_name}@{published.digest}"
