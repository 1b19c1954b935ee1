"""The phases that judge an image: the checks, their record on the image, the trust in a
published image's record, and the package comparison of a scheduled rebuild."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hubimage.check.model import CheckOptions
from hubimage.check.options import validate_options
from hubimage.check.report import SpawnReport
from hubimage.engine import dumps_label
from hubimage.errors import ChecksFailedError, RegistryError
from hubimage.phases.context import RunContext
from hubimage.phases.stage_requests import check_options
from hubimage.phases.tagging import Published
from hubimage.policy import CHECKS_LABEL, checks_record, checks_record_mismatch, expected_checks
from hubimage.summary import report_checks

if TYPE_CHECKING:  # (start-up: the inventory loads only when a run builds)
    from hubimage.inventory import PackageInventory


def check(context: RunContext, image: str) -> SpawnReport:
    """Every check of `image` (in the local engine) as each named hub spawns it; the report
    is also in the outcome."""
    from hubimage.check import run_checks  # (start-up: every check loads only when checks run)

    options = _options(context)
    profiles, notes = context.services.spawn_profiles(context.reporter)
    reporter = context.reporter
    # The image's own output is in the report: printed, never obeyed by the runner.
    with reporter.group(f"Check {image}"), reporter.untrusted_output():
        report = run_checks(context.services.engine, image, options, profiles, notes)
        context.outcome.checks = report.as_dict()
        report_checks(report, reporter)
    return report


def expected_record(context: RunContext) -> dict[str, Any]:
    """What a checks record must say for this run to trust it."""
    options = _options(context)
    profiles, _ = context.services.spawn_profiles(context.reporter)
    spawns = [profile.fingerprint() for profile in profiles]
    return expected_checks(spawns, options.hub_version, validate_options(options))


def record(context: RunContext, image: str, inventory: PackageInventory | None) -> None:
    """Label the image with its package list and its check results (metadata only).

    A later scheduled rebuild compares packages without pulling, and a later run that finds
    this tag in the registry can see that hubimage checked it before it was pushed.
    """
    from hubimage.inventory import LABEL_NAME, encode_inventory  # (start-up: see above)

    record = checks_record(context.outcome.checks, expected_record(context))
    labels = {CHECKS_LABEL: dumps_label(record)}
    if inventory is not None:
        labels[LABEL_NAME] = encode_inventory(inventory)
    context.services.engine.add_labels(image, labels)


def trust_or_check(context: RunContext, published: Published) -> None:
    """A published image is bumped only with a record of passed checks matching this run;
    without one it is pulled by digest and checked (ChecksFailedError when it fails)."""
    if not context.inputs.check:
        return
    why = checks_record_mismatch(published.labels, expected_record(context))
    if why is None:
        return
    name, services = context.name, context.services
    reference = f"{name.qualified_name}@{published.digest}"
    context.reporter.info(
        f"{reference} carries no passed checks of hubimage's matching this run ({why}); checking it"
    )
    if not services.engine.pull(
        name.qualified_name, published.digest, services.login.auth_config()
    ):
        raise RegistryError(f"cannot pull {reference} to check it")
    context.outcome.local_image = reference
    if check(context, reference).failed:
        raise ChecksFailedError(
            f"the published {name.name}:{published.tag} fails its checks; no hub was pointed at it",
            hint="fix the image and publish a new tag (or force a rebuild with force: true)",
        )


@dataclass(frozen=True)
class PackageComparison:
    unchanged: bool
    markdown: str | None = None  # the table of changed packages


def compare_packages(
    context: RunContext, inventory: PackageInventory | None, published: Published | None
) -> PackageComparison:
    """The new image's packages against the image the hub runs now.

    Without a hub config, a scheduled rebuild compares with the published image's package
    label (read from the registry, nothing pulled).
    """
    from hubimage.inventory import (  # (start-up: see above)
        diff_inventories,
        inventory_of_image,
        read_inventory_label,
    )

    services, reporter = context.services, context.reporter
    with reporter.group("Compare packages with the running image"):
        previous = services.current_image(reporter)
        label = read_inventory_label(published.labels) if published else None
        if inventory is None or (previous is None and label is None):
            reporter.info("no current image in the hub config to compare with")
            return PackageComparison(False)
        if previous is not None:
            local = services.engine.inspect_image(str(previous)) is not None
            if not local and not (
                previous.tag
                and services.engine.pull(previous.name, previous.tag, services.login.auth_config())
            ):
                reporter.info(f"could not get {previous}; treating the image as changed")
                return PackageComparison(False)
            old, what = inventory_of_image(services.engine, str(previous)), str(previous)
        else:
            assert label is not None and published is not None
            old, what = label, f"{context.name.name}:{published.tag}"
        diff = diff_inventories(old, inventory)
        context.outcome.package_changes = diff.as_dict()
        markdown = diff.render_markdown()
        if diff.empty:
            context.outcome.notes.append(
                f"no package changed since {what}: nothing pushed, no bump"
            )
            reporter.info("no package changed")
            return PackageComparison(True, markdown)
        reporter.info(markdown)
        return PackageComparison(False, markdown)


def _options(context: RunContext) -> CheckOptions:
    previous = context.services.current_image(context.reporter)
    return check_options(context.inputs, str(previous) if previous else None, context.environ)
