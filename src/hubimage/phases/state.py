"""What every phase of `hubimage run` shares: the inputs, the outcome, the engine, the login.

Also the views of the hub config every phase may need: the image the hub runs now, and the
rollout request a bump (or its preview) makes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hubimage.engine import DockerEngine
from hubimage.gha import Reporter
from hubimage.inputs import RunInputs
from hubimage.outcome import RunOutcome
from hubimage.policy import (
    RunPolicy,
    image_name,
)
from hubimage.reference import ImageReference
from hubimage.summary import render_summary

if TYPE_CHECKING:
    from concurrent.futures import Future

    from hubimage.imagebuild.backends import BuildBackend
    from hubimage.imagebuild.session import BuildSession
    from hubimage.inventory import PackageInventory
    from hubimage.registry import Login, RegistryClient
    from hubimage.rollout import ConfigRepository, RolloutRequest


class RunState:
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
        self._engine_lock = threading.Lock()
        self._login: Login | None = None
        self._registry: RegistryClient | None = None
        self._inventory: PackageInventory | None = None
        self._package_markdown: str | None = None
        self._current: ImageReference | None = None
        self._current_read = False
        self._build_session: BuildSession | None = None
        self._config_repository: ConfigRepository | None = None
        self._backend_probe: Future[BuildBackend] | None = None
        self._published: tuple[str, str] | None = None  # (tag, digest) a rebuild replaces
        self._published_labels: Mapping[str, str] = {}
        self._started = time.monotonic()

    @property
    def engine(self) -> DockerEngine:
        with self._engine_lock:  # the builder probe may ask for it from its own thread
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
    def registry(self) -> RegistryClient:
        """One logged-in client for the target registry, for every read of the run: its
        token is fetched once (against quay.io or GHCR each fetch is a round trip), and a
        token that expires mid-run is fetched again on the registry's 401."""
        if self._registry is None:
            from hubimage.registry import RegistryClient
            from hubimage.registry.retry import READ_RETRY

            self._registry = RegistryClient(self.name.registry_host, self.login, retry=READ_RETRY)
        return self._registry

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.outcome.tag, *[t for t in self.inputs.extra_tags if t != self.outcome.tag])

    def _rollout_request(self) -> RolloutRequest:
        from hubimage.rollout import RolloutRequest

        assert self.inputs.hub_config is not None  # RunPolicy.bump says so
        return RolloutRequest(
            config=self.inputs.hub_config,
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

    @property
    def config_repository(self) -> ConfigRepository:
        """The hub config's repository (pr and commit modes), connected once per run."""
        if self._config_repository is None:
            from hubimage.rollout import ConfigRepository

            self._config_repository = ConfigRepository(self._rollout_request())
        return self._config_repository

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
            self._current = current_image(
                self._rollout_request(), self.inputs.hubs[0], self.config_repository
            )
            self.reporter.info(f"the hub config names {self._current or 'no image'} now")
        return self._current

    def report(self) -> None:
        """Outputs and job summary, once, however far the run got."""
        for name, value in self.outcome.outputs().items():
            self.reporter.set_output(name, value)
        self.reporter.add_summary(render_summary(self.outcome, self._package_markdown))
        if self._registry is not None:
            self._registry.close()
        elapsed = time.monotonic() - self._started
        self.reporter.info(f"hubimage run finished in {elapsed:.1f}s")
