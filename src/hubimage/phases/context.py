"""What every phase of one `hubimage run` is given: the run's context.

`RunContext` is frozen: the inputs, the policy, the reporter, the environment, the name the
image is built under, the one mutable `RunOutcome` the outputs and the job summary are made
from, and `RunServices`. Phases take the context and return what the next phase needs; the
only thing they write is the outcome.

`RunServices` makes each connection once, on first use, and keeps it for the run: the
container engine, the registry login and a logged-in registry client, the hub config's
repository (commit and pr modes), the image the hub runs now, the build backend and the build
session. Each is made lazily because a run may not need it (a no-op run never builds).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hubimage.background import in_background
from hubimage.bump.hubfiles import TextReader
from hubimage.check.profile import SpawnProfile
from hubimage.errors import GitHubError, UsageError
from hubimage.gha import Reporter
from hubimage.inputs import RunInputs, event_name
from hubimage.outcome import RunOutcome
from hubimage.phases.stage_requests import (
    default_profile,
    hub_profiles,
    local_reader,
    rollout_request,
)
from hubimage.policy import PullRequest, RunPolicy, image_name
from hubimage.reference import ImageReference
from hubimage.registry.client import RegistryClient
from hubimage.registry.credentials import Login, credentials_from_environment
from hubimage.registry.login import resolve_login
from hubimage.registry.retry import READ_RETRY
from hubimage.rollout import ConfigRepository, current_image

if TYPE_CHECKING:  # (start-up: the build package and the engine's SDK load only when used)
    from hubimage.engine import DockerEngine
    from hubimage.imagebuild.backends import BuildBackend
    from hubimage.imagebuild.session import BuildSession


@dataclass(frozen=True)
class RunContext:
    inputs: RunInputs
    policy: RunPolicy
    reporter: Reporter
    environ: Mapping[str, str]
    name: ImageReference  # what the image is built and published as (no tag)
    outcome: RunOutcome
    services: RunServices
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def start(cls, inputs: RunInputs, reporter: Reporter, environ: Mapping[str, str]) -> RunContext:
        name = image_name(inputs)
        outcome = RunOutcome(image=name.name)
        policy = RunPolicy.decide(inputs, environ, pull_request_of(inputs, environ))
        return cls(inputs, policy, reporter, environ, name, outcome, RunServices(inputs, environ))

    def tags(self, tag: str) -> tuple[str, ...]:
        """`tag` and the extra tags, each once; a pull request's image only as pr-<N>."""
        if self.policy.try_out is not None:
            return (tag,)
        return (tag, *[extra for extra in self.inputs.extra_tags if extra != tag])


def pull_request_of(inputs: RunInputs, environ: Mapping[str, str]) -> PullRequest | None:
    """With pr-comment on a `pull_request` event, the pull request its payload names."""
    if not inputs.pr_comment or event_name(environ) != "pull_request":
        return None
    from hubimage.tryout import pull_request_source, read_event  # (start-up: PyGithub)

    path = environ.get("GITHUB_EVENT_PATH")
    if not path:
        raise UsageError("pr-comment on a pull_request event needs GITHUB_EVENT_PATH, its payload")
    event = read_event(path)
    source = pull_request_source(event)
    if source.number is None:
        return None
    action = str(event.get("action") or "")
    return PullRequest(source.number, action, source.same_repository, source.why)


class RunServices:
    """The connections of one run, each made on first use (thread-safe where threads ask)."""

    def __init__(self, inputs: RunInputs, environ: Mapping[str, str]) -> None:
        self._inputs, self._environ = inputs, environ
        self._lock = threading.Lock()
        self._engine: DockerEngine | None = None
        self._login: Login | None = None
        self._registry: RegistryClient | None = None
        self._repository: ConfigRepository | None = None
        self._current: tuple[ImageReference | None] | None = None
        self._backend: Future[BuildBackend] | None = None
        self._session: BuildSession | None = None
        self._profiles: tuple[list[SpawnProfile], list[str]] | None = None

    @property
    def engine(self) -> DockerEngine:
        from hubimage.engine import DockerEngine  # (start-up: a no-op run needs no engine)

        with self._lock:  # the backend probe may ask for it from its own thread
            if self._engine is None:
                self._engine = DockerEngine()
            return self._engine

    @property
    def login(self) -> Login:
        """The registry login for the image, resolved once (its secrets masked on the way)."""
        if self._login is None:
            inputs, environ = self._inputs, dict(self._environ)
            if inputs.registry_username or inputs.registry_password:
                environ["HUBIMAGE_REGISTRY_USERNAME"] = inputs.registry_username or ""
                environ["HUBIMAGE_REGISTRY_PASSWORD"] = inputs.registry_password or ""
            if inputs.github_token and "GITHUB_TOKEN" not in environ:
                environ["GITHUB_TOKEN"] = inputs.github_token
            name = image_name(inputs)
            self._login = resolve_login(name, credentials_from_environment(name, environ))
        return self._login

    @property
    def registry(self) -> RegistryClient:
        """One logged-in client for every read of the run: its token is fetched once (against
        quay.io or GHCR each fetch is a round trip), and again on a 401 when it expires."""
        if self._registry is None:
            host = image_name(self._inputs).registry_host
            self._registry = RegistryClient(host, self.login, retry=READ_RETRY)
        return self._registry

    @property
    def config_repository(self) -> ConfigRepository:
        """The hub config's repository (pr and commit modes), connected once per run."""
        if self._repository is None:
            self._repository = ConfigRepository(rollout_request(self._inputs, self._environ))
        return self._repository

    def current_image(self, reporter: Reporter) -> ImageReference | None:
        """The image the first named hub runs now, read once, where the bump writes."""
        if self._current is None:
            found = None
            inputs = self._inputs
            if inputs.hub_config is not None and inputs.hubs:
                request = rollout_request(inputs, self._environ)
                found = current_image(request, inputs.hubs[0], self.config_repository)
                reporter.info(f"the hub config names {found or 'no image'} now")
            self._current = (found,)
        return self._current[0]

    def config_reader(self) -> tuple[TextReader, str]:
        """How the hub config's files are read before the build (each once per run), and
        the root its paths are confined to: its repository through the GitHub API, or the
        local checkout it sits in."""
        config = self._inputs.hub_config
        assert config is not None  # callers ask only with a hub config
        if config.in_repository:
            return self.config_repository.planning_reader(), ""
        return local_reader(config)

    def spawn_profiles(self, reporter: Reporter) -> tuple[list[SpawnProfile], list[str]]:
        """How each named hub will spawn the image, read once from its config (through the
        connection the bump uses), and notes; Zero to JupyterHub's defaults without a hub
        config, or, with a warning that says why, when the config cannot be read."""
        if self._profiles is None:
            self._profiles = self._derive_profiles(reporter)
        return self._profiles

    def _derive_profiles(self, reporter: Reporter) -> tuple[list[SpawnProfile], list[str]]:
        inputs = self._inputs
        config = inputs.hub_config
        if config is None or not inputs.hubs:
            return [default_profile(inputs)], []
        try:
            read, root = self.config_reader()
            profiles, notes = hub_profiles(inputs, read, root)
        except (GitHubError, UsageError) as error:
            # No token on a fork's pull request, no access to the config repository: the
            # checks still run, under the defaults, and say so.
            why = f"the hub config {config} cannot be read ({error.message})"
            reporter.annotate(
                "warning",
                f"{why}: checked under Zero to JupyterHub's defaults instead of "
                f"{', '.join(inputs.hubs)}'s spawn settings",
                title="checks",
            )
            return [default_profile(inputs)], [f"{why}; checked under the defaults"]
        reporter.info(
            f"checking as {', '.join(inputs.hubs)} spawn the image: "
            f"{len(profiles)} profile(s) from {config}"
        )
        return profiles, notes

    def probe_backend(self) -> None:
        """Find the build backend in the background (once) while the build's start goes on:
        `docker buildx version`, `docker buildx inspect` and the engine's image store take
        ~0.25 s, which would otherwise all come before the build."""
        if self._backend is not None or self._session is not None:
            return
        from hubimage.imagebuild import select_backend  # (start-up: only runs that build)

        def probe() -> BuildBackend:
            return select_backend(self.engine, self._inputs.build_backend, self._environ)

        # not waited for at exit: a run that builds nothing ends without it
        self._backend = in_background(probe, "hubimage-backend-probe")

    def build_session(
        self, cache_images: tuple[str, ...], logins: Mapping[str, tuple[str, str]]
    ) -> BuildSession:
        """The backend and cache plan of this run, made once."""
        from hubimage.imagebuild.session import BuildSession  # (start-up: runs that build)

        if self._session is None:
            probe, self._backend = self._backend, None
            self._session = BuildSession(
                self.engine,
                backend=probe.result() if probe is not None else None,  # raises its error
                build_backend=self._inputs.build_backend,
                cache=self._inputs.cache,
                image=image_name(self._inputs).qualified_name,
                cache_images=cache_images,
                logins=logins,
                environ=self._environ,
            )
        return self._session

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
