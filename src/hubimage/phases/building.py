"""The build phase and the build cache it reads before the checks and writes after the push."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hubimage.phases.checking import CheckingPhases

if TYPE_CHECKING:
    from hubimage.imagebuild import BuildRequest
    from hubimage.imagebuild.backends import BuildBackend
    from hubimage.imagebuild.session import BuildSession


class BuildingPhases(CheckingPhases):
    def start_backend_probe(self) -> None:
        """Find the builder in the background while the tag, the registry and the hub config
        are looked up: `docker buildx version`, `docker buildx inspect` and the engine's
        image store take ~0.25 s, which would otherwise come before every build."""
        from concurrent.futures import ThreadPoolExecutor

        from hubimage.imagebuild import select_backend

        def probe() -> BuildBackend:
            return select_backend(self.engine, self.inputs.build_backend, self.environ)

        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hubimage-probe")
        self._backend_probe = pool.submit(probe)
        pool.shutdown(wait=False)  # the thread ends with the probe

    def build(self) -> None:
        from hubimage.input_values import warn_secret_build_args
        from hubimage.inventory import take_inventory

        warn_secret_build_args(self.inputs.build_args, self.reporter)
        request = self._build_request()
        with self.reporter.group(f"Build {request.reference}"):
            session = self._session()
            for line in session.describe():
                self.reporter.info(line)
            self._note_cache_fallback(session)
            if session.backend.kind == "legacy":
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
                f"built {result.image} with {result.builder} on {result.backend} "
                f"in {result.seconds:.1f}s"
            )

    def _note_cache_fallback(self, session: BuildSession) -> None:
        if session.plan.note:
            self.outcome.notes.append(session.plan.note)
            self.reporter.annotate("notice", session.plan.note, title="cache")

    def _build_request(self) -> BuildRequest:
        from hubimage.imagebuild import BuildRequest

        return BuildRequest(
            context=self.inputs.context,
            image=self.name.name,
            tag=self.outcome.tag,
            builder=self.inputs.builder,
            build_args=self.inputs.build_args,
            target=self.inputs.target,
            base_image=self.inputs.pangeo_base_image,
            base_tag=self.inputs.pangeo_base_tag,
            repo2docker_version=self.inputs.repo2docker_version,
        )

    def _session(self) -> BuildSession:
        """The builder and cache plan of this run, made once."""
        from hubimage.imagebuild.session import BuildSession

        if self._build_session is None:
            previous = self._current_hub_image()
            same = previous is not None and previous.name == self.name.name and previous.tag
            logins: dict[str, tuple[str, str]] = {}
            # buildx needs them for the cache, and for the image when it pushes in the build
            if self.inputs.image is not None and (
                self.inputs.cache != "none" or not self.inputs.check
            ):
                login = self.login
                if login.username is not None and login.password is not None:
                    logins[login.server_address] = (login.username, login.password)
            probe, self._backend_probe = self._backend_probe, None
            self._build_session = BuildSession(
                self.engine,
                backend=probe.result() if probe is not None else None,  # raises its error
                build_backend=self.inputs.build_backend,
                cache=self.inputs.cache,
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
