"""The named phases of `hubimage run`, each a log group, sharing one `RunOutcome`.

`pipeline.run_pipeline` decides their order; each phase here does one thing and records
what it learned in the outcome, so the outputs and the job summary are right however far
the run got.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from hubimage.engine import DockerEngine, dumps_label
from hubimage.gha import Reporter
from hubimage.inputs import RunInputs
from hubimage.outcome import RunOutcome
from hubimage.policy import (
    CHECKS_LABEL,
    RunPolicy,
    checks_record,
    checks_record_mismatch,
    expected_checks,
    image_name,
)
from hubimage.reference import ImageReference
from hubimage.summary import render_summary, report_checks

if TYPE_CHECKING:
    from hubimage.build import BuildRequest
    from hubimage.build.session import BuildSession
    from hubimage.check.model import CheckOptions, CheckReport
    from hubimage.inventory import PackageInventory
    from hubimage.registry import Login
    from hubimage.rollout import RolloutRequest


class Phases:
    def __init__(
        self,
        inputs: RunInputs,
        policy: RunPolicy,
        reporter: Reporter,
        outcome: RunOutcome,
        environ: Mapping[str, str],
    ) -> None:
        self.inputs = inputs
        self.policy = policy
        self.reporter = reporter
        self.outcome = outcome
        self.environ = environ
        self.name = image_name(inputs)
        self.outcome.image = self.name.name
        self._engine: DockerEngine | None = None
        self._login: Login | None = None
        self._inventory: PackageInventory | None = None
        self._package_markdown: str | None = None
        self._current: ImageReference | None = None
        self._current_read = False
        self._build_session: BuildSession | None = None
        self._published: tuple[str, str] | None = None  # (tag, digest) a rebuild replaces
        self._published_labels: Mapping[str, str] = {}
        self._started = time.monotonic()

    # --- shared resources -----------------------------------------------------------------

    @property
    def engine(self) -> DockerEngine:
        if self._engine is None:
            self._engine = DockerEngine()
        return self._engine

    @property
    def login(self) -> Login:
        """Registry login for the target, resolved once (its secrets are masked on the way)."""
        if self._login is None:
            from hubimage.registry import credentials_from_environment, resolve_login

            environ = dict(self.environ)
            if self.inputs.registry_username or self.inputs.registry_password:
                environ["HUBIMAGE_REGISTRY_USERNAME"] = self.inputs.registry_username or ""
                environ["HUBIMAGE_REGISTRY_PASSWORD"] = self.inputs.registry_password or ""
            if self.inputs.github_token and "GITHUB_TOKEN" not in environ:
                environ["GITHUB_TOKEN"] = self.inputs.github_token
            credentials = credentials_from_environment(self.name, environ)
            self._login = resolve_login(self.name, credentials)
        return self._login

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.outcome.tag, *[t for t in self.inputs.extra_tags if t != self.outcome.tag])

    # --- phases ---------------------------------------------------------------------------

    def resolve_tag(self) -> None:
        from hubimage.build import compute_tag

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
            plan = preview(self._rollout_request())
            for edit in plan.edits:
                for change in edit.changes:
                    self.reporter.info(f"{edit.file}: {change.hub}: {change.old} -> {change.new}")

    def find_existing(self, *, verify: bool = True) -> bool:
        """True when the target already serves this tag: no build, no push, reuse the digest.

        `verify`: check a published image that carries no passed checks of hubimage's
        (not needed when it is about to be rebuilt).
        """
        from hubimage.errors import RegistryAuthError
        from hubimage.registry import RegistryClient
        from hubimage.registry.retry import READ_RETRY

        labels: dict[str, str] | None = None
        with self.reporter.group("Look for an existing image"):
            try:
                with RegistryClient(
                    self.name.registry_host, self.login, retry=READ_RETRY
                ) as client:
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
        import datetime as dt

        self._published = (self.outcome.tag, self.outcome.digest)
        today = dt.datetime.now(dt.timezone.utc).strftime("%Y.%m.%d")
        self.outcome.tag = f"{self.outcome.tag}-{today}"
        self.outcome.digest = self.outcome.image_ref = ""
        self.outcome.reused_existing = False
        self.outcome.notes.clear()
        self.reporter.info(
            f"scheduled rebuild of {self.name.name}:{self._published[0]}; if any package "
            f"changed it is published as {self.outcome.tag}"
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

    def build(self) -> None:
        from hubimage.input_values import warn_secret_build_args
        from hubimage.inventory import take_inventory

        warn_secret_build_args(self.inputs.build_args, self.reporter)
        request = self._build_request()
        with self.reporter.group(f"Build {request.reference}"):
            session = self._session()
            for line in session.describe():
                self.reporter.info(line)
            if session.plan.note:
                self.outcome.notes.append(session.plan.note)
                self.reporter.annotate("notice", session.plan.note, title="cache")
            if session.builder.kind == "legacy":
                request = replace(request, cache_from=self._pulled_cache_sources())
            # Output of code in the image repository: printed, never obeyed by the runner.
            with self.reporter.untrusted_output():
                result = session.build(request, self.reporter.info, self.inputs.build_secrets)
            for warning in result.warnings:
                self.reporter.annotate("warning", warning, title="build")
            self.outcome.local_image = result.image
            self._inventory = take_inventory(self.engine, result.image)
            self.outcome.size_bytes = self._inventory.size_bytes
            self.reporter.info(
                f"built {result.image} with {result.builder} on {result.engine} "
                f"in {result.seconds:.1f}s"
            )

    def _build_request(self) -> BuildRequest:
        from hubimage.build import BuildRequest

        return BuildRequest(
            context=self.inputs.context,
            image=self.name.name,
            tag=self.outcome.tag,
            builder=self.inputs.builder,  # type: ignore[arg-type]
            build_args=self.inputs.build_args,
            target=self.inputs.target,
            base_image=self.inputs.pangeo_base_image,
            base_tag=self.inputs.pangeo_base_tag,
            repo2docker_version=self.inputs.repo2docker_version,
        )

    def _session(self) -> BuildSession:
        """The builder and cache plan of this run, made once."""
        from hubimage.build.session import BuildSession

        if self._build_session is None:
            previous = self._current_hub_image()
            same = previous is not None and previous.name == self.name.name and previous.tag
            logins: dict[str, tuple[str, str]] = {}
            if self.inputs.image is not None and self.inputs.cache != "none":
                login = self.login
                if login.username is not None and login.password is not None:
                    logins[login.server_address] = (login.username, login.password)
            self._build_session = BuildSession(
                self.engine,
                build_engine=self.inputs.build_engine,
                cache=self.inputs.cache,  # type: ignore[arg-type]
                image=self.name.qualified_name,
                cache_images=(str(previous),) if same else (),
                logins=logins,
                environ=self.environ,
            )
        return self._build_session

    def export_cache(self) -> None:
        """After the push: write the registry (or gha) cache; a failure only warns."""
        from hubimage.errors import HubimageError

        session = self._session()
        if not session.plan.after_push_exports:
            return
        with self.reporter.group("Export the build cache"):
            try:
                with self.reporter.untrusted_output():
                    where = session.export_cache(
                        self._build_request(), self.reporter.info, self.inputs.build_secrets
                    )
            except HubimageError as error:
                message = f"the build cache was not written: {error.message}"
                self.outcome.notes.append(message)
                self.reporter.annotate("warning", message, title="cache")
                return
            self.reporter.info(f"build cache written: {where}")

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

    def _pulled_cache_sources(self) -> tuple[str, ...]:
        """The legacy builder: pull what the hub runs now and build on its layers.

        (buildx reads cache from the registry itself and pulls only the layers it reuses.)
        """
        previous = self._current_hub_image()
        if previous is None or previous.name != self.name.name or not previous.tag:
            return ()
        if self.engine.inspect_image(str(previous)) is None:
            self.reporter.info(f"pulling {previous} as a cache source")
            if not self.engine.pull(previous.name, previous.tag, self.login.auth_config()):
                self.reporter.info(f"could not pull {previous}; building without cache")
                return ()
        return (str(previous),)

    def _check_options(self) -> CheckOptions:
        from hubimage.check.options import options_for_run

        previous = self._current_hub_image()
        return options_for_run(self.inputs, str(previous) if previous else None)

    def _expected_checks(self) -> dict[str, Any]:
        from hubimage.check.runner import validate_options

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

    def _published_tag(self) -> str:
        return self._published[0] if self._published else self.outcome.tag

    def _keep_published(self) -> None:
        """An unchanged rebuild: the outputs name what stays published."""
        if self._published is not None:
            self.outcome.tag, self.outcome.digest = self._published
            self.outcome.image_ref = f"{self.name.qualified_name}@{self.outcome.digest}"

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
            )
            for warning in result.warnings:
                self.reporter.annotate("warning", warning, title="registry")
            self.outcome.digest = result.digest
            self.outcome.image_ref = result.image_ref
            self.outcome.pushed = True
            from hubimage.check.pushed import verify_pushed_size

            budget = self.inputs.max_compressed_size
            verify_pushed_size(
                self.name, result.digest, self.login, budget, self.outcome.checks, self.reporter
            )
        if self.inputs.image is not None:
            self.export_cache()  # only now: the registry served the checked image's digest

    def bump(self) -> None:
        from hubimage.rollout import roll_out

        if not self.policy.bump:
            return
        with self.reporter.group(f"Bump {', '.join(self.inputs.hubs)}"):
            request = replace(self._rollout_request(), pr_body=self.pull_request_body())
            result = roll_out(request, self.reporter)
            self.outcome.bump_result = result.result
            self.outcome.pr_number = result.pr_number
            self.outcome.pr_url = result.pr_url or ""

    def show_bump(self) -> None:
        """Dry run: the bump this run would make, as a diff; nothing is written anywhere."""
        from hubimage.rollout import roll_out

        with self.reporter.group(f"Bump {', '.join(self.inputs.hubs)} (dry run: nothing written)"):
            request = replace(self._rollout_request(), dry_run=True)
            result = roll_out(request, self.reporter)
            self.outcome.bump_diff = result.diff
            self.reporter.info(result.diff.rstrip("\n") or "no change to the hub config")
            self.outcome.notes.append(
                "dry run: the bump was planned and its diff is in the log; nothing was written"
            )

    def _rollout_request(self) -> RolloutRequest:
        from hubimage.rollout import RolloutRequest

        assert self.inputs.hub_config is not None  # RunPolicy.bump says so
        return RolloutRequest(
            config=str(self.inputs.hub_config),
            hubs=self.inputs.hubs,
            image=f"{self.name.name}:{self.outcome.tag}",
            path=self.inputs.image_path,
            mode="file" if self.inputs.bump_mode == "none" else self.inputs.bump_mode,
            dry_run=self.inputs.dry_run,
            allow_shared=self.inputs.allow_shared,
            update_references=self.inputs.update_references,
            repository=self.inputs.bump_repository or self.environ.get("GITHUB_REPOSITORY"),
            branch=self.inputs.bump_branch,
            token=self.inputs.github_token,
            api_url=self.environ.get("GITHUB_API_URL") or None,
            labels=self.inputs.pr_labels,
            reviewers=self.inputs.pr_reviewers,
            team_reviewers=self.inputs.pr_team_reviewers,
            draft=self.inputs.pr_draft,
            scope=self.inputs.bump_scope,
            chart=self.inputs.chart,
            digest=(self.outcome.digest or None) if self.inputs.pin_digest else None,
        )

    def pull_request_body(self) -> str:
        from hubimage.summary import pull_request_body

        return pull_request_body(self.outcome, self._package_markdown, self.environ)

    def _current_hub_image(self) -> ImageReference | None:
        """The image the first named hub runs now, read where the bump writes."""
        if self._current_read:
            return self._current
        from hubimage.rollout import current_image

        self._current_read = True
        if self.inputs.hub_config is not None and self.inputs.hubs:
            self._current = current_image(self._rollout_request(), self.inputs.hubs[0])
            self.reporter.info(f"the hub config names {self._current or 'no image'} now")
        return self._current

    # --- the end ------------------------------------------------------------------------

    def report(self) -> None:
        """Outputs and job summary, once, however far the run got."""
        for name, value in self.outcome.outputs().items():
            self.reporter.set_output(name, value)
        self.reporter.add_summary(render_summary(self.outcome, self._package_markdown))
        elapsed = time.monotonic() - self._started
        self.reporter.info(f"hubimage run finished in {elapsed:.1f}s")
