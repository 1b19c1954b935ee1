"""The phases that publish: the tag, an image already published under it, the push, the bump.

`Phases` is the whole set: each module adds to the one before (state → checking → building
→ publishing).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hubimage.engine import dumps_label
from hubimage.phases.building import BuildingPhases
from hubimage.policy import CHECKS_LABEL, checks_record, checks_record_mismatch

if TYPE_CHECKING:
    from hubimage.registry import PushResult


class Phases(BuildingPhases):
    def resolve_tag(self) -> None:
        from hubimage.imagebuild import compute_tag

        with self.reporter.group("Tag"):
            tag = self.inputs.tag or compute_tag(self.inputs.context, self.inputs.tag_scheme)
            self.outcome.tag = tag
            self.reporter.info(
                f"tag: {tag} (from {'input' if self.inputs.tag else self.inputs.tag_scheme})"
            )

    def preflight_bump(self) -> None:
        """Plan the bump now, so a wrong hub name or config fails before anything is pushed."""
        from hubimage.rollout import preview

        if not (self.policy.bump or self.policy.plan_bump_only):
            return
        with self.reporter.group("Plan the bump"):
            plan = preview(self._rollout_request(), self.config_repository)
            for edit in plan.edits:
                for change in edit.changes:
                    self.reporter.info(f"{edit.file}: {change.hub}: {change.old} -> {change.new}")

    def find_existing(self, *, verify: bool = True) -> bool:
        """True when the target already serves this tag: no build, no push, reuse the digest.

        `verify`: check a published image that carries no passed checks of hubimage's
        (not needed when it is about to be rebuilt).
        """
        from hubimage.errors import RegistryAuthError

        labels: dict[str, str] | None = None
        with self.reporter.group("Look for an existing image"):
            try:
                client = self.registry
                digest = client.manifest_digest(self.name.repository, self.outcome.tag)
                labels = client.image_labels(self.name.repository, digest) if digest else None
            except RegistryAuthError as error:
                # Hosted registries answer 401/403 for a repository that does not exist yet;
                # the push will tell wrong credentials apart.
                self.reporter.info(f"cannot look up the tag ({error.message}); building")
                return False
            if digest is None:
                self.reporter.info(
                    f"{self.name.name}:{self.outcome.tag} is not in the registry yet"
                )
                return False
            self.outcome.digest = digest
            self.outcome.image_ref = f"{self.name.qualified_name}@{digest}"
            self.outcome.reused_existing = True
            self.outcome.notes.append(
                f"{self.name.name}:{self.outcome.tag} already exists; build and push skipped"
            )
            self.reporter.info(f"already published as {self.outcome.image_ref}")
        self._published_labels = labels or {}
        if verify and self.inputs.check:
            why = checks_record_mismatch(labels or {}, self._expected_checks())
            if why is not None:
                self._check_published_image(why)
        return True

    def rebuild_published(self) -> None:
        """A scheduled run finds its tag published: build again, under the tag plus the date.

        The content tag only changes with the repository, so a weekly rebuild that picks up
        new upstream packages needs a new tag that sorts after the old one. When no package
        changed, `packages_unchanged` puts the published tag and digest back in the outcome.
        """
        self._published = (self.outcome.tag, self.outcome.digest)
        self.outcome.tag = self._unpublished_dated_tag(self.outcome.tag)
        self.outcome.digest = self.outcome.image_ref = ""
        self.outcome.reused_existing = False
        self.outcome.notes.clear()
        self.reporter.info(
            f"scheduled rebuild of {self.name.name}:{self._published[0]}; if any package "
            f"changed it is published as {self.outcome.tag}"
        )

    def _unpublished_dated_tag(self, tag: str) -> str:
        """`<tag>-YYYY.MM.DD`, or for a later rebuild the same day `<tag>-YYYY.MM.DD-HHMMSS`:
        a published tag is never moved, and each sorts after the one before (as strings
        and as versions: the time has a fixed width)."""
        import datetime as dt

        from hubimage.errors import RegistryError

        now = dt.datetime.now(dt.timezone.utc)
        candidates = (f"{tag}-{now:%Y.%m.%d}", f"{tag}-{now:%Y.%m.%d-%H%M%S}")
        for candidate in candidates:
            if self.registry.manifest_digest(self.name.repository, candidate) is None:
                return candidate
        raise RegistryError(
            f"{self.name.name}:{candidates[1]} is already published; a published tag is "
            "never moved",
            hint="run the scheduled rebuild again in a second",
        )

    def _check_published_image(self, why: str) -> None:
        """A tag without a matching record of hubimage's checks: pull it by digest, check it."""
        from hubimage.errors import ChecksFailedError, RegistryError

        reference = f"{self.name.qualified_name}@{self.outcome.digest}"
        self.reporter.info(
            f"{reference} carries no passed checks of hubimage's matching this run ({why}); "
            "checking it"
        )
        if not self.engine.pull(
            self.name.qualified_name, self.outcome.digest, self.login.auth_config()
        ):
            raise RegistryError(f"cannot pull {reference} to check it")
        self.outcome.local_image = reference
        if self.check().failed:
            raise ChecksFailedError(
                f"the published {self.name.name}:{self.outcome.tag} fails its checks; "
                "no hub was pointed at it",
                hint="fix the image and publish a new tag (or force a rebuild with force: true)",
            )

    def push(self) -> None:
        from hubimage.registry import push_image

        with self.reporter.group(f"Push {self.name.qualified_name}"):
            result = push_image(
                self.engine,
                self.outcome.local_image,
                self.name,
                self.tags,
                self.login,
                check_public=self.inputs.require_public,
                client=self.registry,
            )
            self._record_served(result)
            self._judge_pushed_size(result.digest)
        if self.inputs.image is not None:
            self.export_cache()  # only now: the registry served the checked image's digest

    def pushes_in_build(self) -> bool:
        """One `buildx build --push` instead of load, engine push and cache export.

        Only without checks and without the package comparison of a scheduled run (both
        need the local image); the argument is in imagebuild/backends.py.
        """
        from hubimage.imagebuild import strategy_name

        if self.inputs.check or self.policy.skip_unchanged or not self.policy.push:
            return False
        if not self._session().can_push_in_build:
            return False
        # repo2docker's own buildx engine loads; hubimage does not drive its push
        return strategy_name(self._build_request()) != "repo2docker"

    def build_and_push(self) -> None:
        """Build and push in one buildx call; outputs only from the digest the registry serves."""
        from hubimage.input_values import warn_secret_build_args
        from hubimage.registry import verify_served

        warn_secret_build_args(self.inputs.build_args, self.reporter)
        record = checks_record(self.outcome.checks, self._expected_checks())  # checked: false
        request = replace(self._build_request(), labels={CHECKS_LABEL: dumps_label(record)})
        names = [f"{self.name.qualified_name}:{tag}" for tag in self.tags]
        with self.reporter.group(f"Build and push {self.name.qualified_name} (no checks)"):
            session = self._session()
            for line in session.describe():
                self.reporter.info(line.replace("written after the push to", "written to"))
            self._note_cache_fallback(session)
            self.reporter.info("check: false: one buildx call pushes; no package label")
            with self.reporter.untrusted_output():
                result = session.build_and_push(
                    request, names, self.reporter.info, self.inputs.build_secrets
                )
            for warning in result.warnings:
                self.reporter.annotate("warning", warning, title="build")
            served = verify_served(
                self.name,
                self.tags,
                result.digest,
                self.login,
                check_public=self.inputs.require_public,
                pusher="buildx",
                client=self.registry,
            )
            self._record_served(served)
            # the same line as an engine build's (the bench reads the builder's time from it)
            self.reporter.info(
                f"built {result.image} with {result.builder} on buildx in {result.seconds:.1f}s"
            )
            self.reporter.info(f"the registry serves {served.image_ref} as {', '.join(self.tags)}")
            if session.plan.after_push_exports:
                self.reporter.info(f"build cache written: {session.plan.after_push_exports[0]}")
            self._judge_pushed_size(served.digest)

    def _record_served(self, served: PushResult) -> None:
        """The outcome of a push whose digest the registry served for every tag."""
        for warning in served.warnings:
            self.reporter.annotate("warning", warning, title="registry")
        self.outcome.digest = served.digest
        self.outcome.image_ref = served.image_ref
        self.outcome.pushed = True

    def _judge_pushed_size(self, digest: str) -> None:
        """The pushed-size check, on the manifest the registry serves; raises when it fails."""
        from hubimage.check.pushed import verify_pushed_size

        verify_pushed_size(
            self.name,
            digest,
            self.login,
            self.inputs.max_compressed_size,
            self.outcome.checks,
            self.reporter,
            client=self.registry,
        )

    def bump(self) -> None:
        from hubimage.rollout import roll_out

        if not self.policy.bump:
            return
        with self.reporter.group(f"Bump {', '.join(self.inputs.hubs)}"):
            request = replace(self._rollout_request(), pr_body=self.pull_request_body())
            result = roll_out(request, self.reporter, self.config_repository)
            self.outcome.bump_result = result.result
            self.outcome.pr_number = result.pr_number
            self.outcome.pr_url = result.pr_url or ""

    def show_bump(self) -> None:
        """Dry run: the bump this run would make, as a diff; nothing is written anywhere."""
        from hubimage.rollout import roll_out

        with self.reporter.group(f"Bump {', '.join(self.inputs.hubs)} (dry run: nothing written)"):
            request = replace(self._rollout_request(), dry_run=True)
            result = roll_out(request, self.reporter, self.config_repository)
            self.outcome.bump_diff = result.diff
            self.reporter.info(result.diff.rstrip("\n") or "no change to the hub config")
            self.outcome.notes.append(
                "dry run: the bump was planned and its diff is in the log; nothing was written"
            )
