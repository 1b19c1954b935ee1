"""The phases that judge an image: the checks, the record of them on the image, and the
comparison of its packages with the image the hub runs now (scheduled rebuilds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hubimage.engine import dumps_label
from hubimage.phases.state import RunState
from hubimage.policy import (
    CHECKS_LABEL,
    checks_record,
    expected_checks,
)
from hubimage.summary import report_checks

if TYPE_CHECKING:
    from hubimage.check.model import CheckOptions, CheckReport


class CheckingPhases(RunState):
    def _check_options(self) -> CheckOptions:
        from hubimage.check.options import options_for_run

        previous = self._current_hub_image()
        return options_for_run(self.inputs, str(previous) if previous else None)

    def _expected_checks(self) -> dict[str, Any]:
        from hubimage.check.options import validate_options

        options = self._check_options()
        selected = validate_options(options)
        return expected_checks(options.uid, options.gid, options.hub_version, selected)

    def check(self) -> CheckReport:
        from hubimage.check import run_checks

        options = self._check_options()
        # The image's own output is in the report: printed, never obeyed by the runner.
        with (
            self.reporter.group(f"Check {self.outcome.local_image}"),
            self.reporter.untrusted_output(),
        ):
            report = run_checks(self.engine, self.outcome.local_image, options)
            self.outcome.checks = report.as_dict()
            report_checks(report, self.reporter)
        return report

    def record(self) -> None:
        """Label the image with its package list and its check results (metadata only).

        A later scheduled rebuild compares packages without pulling, and a later run that
        finds this tag in the registry can see that hubimage checked it before it was pushed.
        """
        from hubimage.inventory import LABEL_NAME, encode_inventory

        record = checks_record(self.outcome.checks, self._expected_checks())
        labels = {CHECKS_LABEL: dumps_label(record)}
        if self._inventory is not None:
            labels[LABEL_NAME] = encode_inventory(self._inventory)
        self.engine.add_labels(self.outcome.local_image, labels)

    def _published_tag(self) -> str:
        return self._published[0] if self._published else self.outcome.tag

    def _keep_published(self) -> None:
        """An unchanged rebuild: the outputs name what stays published."""
        if self._published is not None:
            self.outcome.tag, self.outcome.digest = self._published
            self.outcome.image_ref = f"{self.name.qualified_name}@{self.outcome.digest}"

    def packages_unchanged(self) -> bool:
        """Compare the new image's packages with the image the hub runs now.

        Without a hub config, a scheduled rebuild compares with the published image's
        package label (read from the registry, nothing pulled).
        """
        from hubimage.inventory import diff_inventories, inventory_of_image, read_inventory_label

        with self.reporter.group("Compare packages with the running image"):
            previous = self._current_hub_image()
            published = read_inventory_label(self._published_labels)
            if self._inventory is None or (previous is None and published is None):
                self.reporter.info("no current image in the hub config to compare with")
                return False
            if previous is None:
                old, what = published, f"{self.name.name}:{self._published_tag()}"
            elif self.engine.inspect_image(str(previous)) is None and not (
                previous.tag
                and self.engine.pull(previous.name, previous.tag, self.login.auth_config())
            ):
                self.reporter.info(f"could not get {previous}; treating the image as changed")
                return False
            else:
                old, what = inventory_of_image(self.engine, str(previous)), str(previous)
            assert old is not None
            diff = diff_inventories(old, self._inventory)
            self.outcome.package_changes = diff.as_dict()
            self._package_markdown = diff.render_markdown()
            if diff.empty:
                self.outcome.notes.append(
                    f"no package changed since {what}: nothing pushed, no bump"
                )
                self.reporter.info("no package changed")
                self._keep_published()
                return True
            self.reporter.info(diff.render_markdown())
            return False
