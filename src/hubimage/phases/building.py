"""The build, and the build cache it reads before the checks and writes after the push."""

from __future__ import annotations

from concurrent.futures import Future, wait
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hubimage.background import in_background
from hubimage.engine import BACKGROUND_CPU_SHARES
from hubimage.errors import HubimageError
from hubimage.input_values import warn_secret_build_args
from hubimage.phases.context import RunContext
from hubimage.phases.stage_requests import build_request

if TYPE_CHECKING:  # (start-up: the build package and the inventory load only to build)
    from hubimage.imagebuild import BuildRequest, BuildResult
    from hubimage.imagebuild.session import BuildSession
    from hubimage.inventory import PackageInventory


@dataclass(frozen=True)
class Built:
    """An image built into the local engine, and its package list (taken in the background,
    beside the checks: a container run of a second or more that only the record and the
    package comparison after the checks need)."""

    image: str  # name:tag in the local engine
    pending_inventory: Future[PackageInventory]

    @property
    def inventory(self) -> PackageInventory:
        """The package list; waits for it, and raises what taking it raised."""
        return self.pending_inventory.result()

    def settle(self) -> None:
        """Wait until the inventory's container is gone (the run may end before it is asked
        for: a failed check), whatever its result."""
        wait([self.pending_inventory])


def build(context: RunContext, tag: str) -> Built:
    from hubimage.inventory import take_inventory  # (start-up: see above)

    warn_secret_build_args(context.inputs.build_args, context.reporter)
    request = build_request(context.inputs, tag, context.policy.fresh_build)
    reporter, outcome = context.reporter, context.outcome
    with reporter.group(f"Build {request.reference}"):
        if request.fresh:
            _say_fresh(context)
        session = build_session(context)
        for line in session.describe():
            reporter.info(line)
        note_cache_fallback(context, session)
        if session.backend.kind == "legacy" and not request.fresh:
            request = replace(request, cache_from=_pulled_cache_sources(context))
        # Output of code in the image repository: printed, never obeyed by the runner.
        with reporter.untrusted_output():
            result = session.build(request, reporter.info, context.inputs.build_secrets)
        _warn(context, result)
        engine, image = context.services.engine, result.image
        inventory = in_background(
            lambda: take_inventory(engine, image, cpu_shares=BACKGROUND_CPU_SHARES),
            "hubimage-inventory",
        )
        outcome.local_image, outcome.size_bytes = image, result.size_bytes
        reporter.info(
            f"built {result.image} with {result.builder} on {result.backend} "
            f"in {result.seconds:.1f}s"
        )
    return Built(result.image, inventory)


def build_session(context: RunContext) -> BuildSession:
    """The run's build backend and cache plan (made once by the services)."""
    previous = context.services.current_image(context.reporter)
    name, inputs = context.name, context.inputs
    same = previous is not None and previous.name == name.name and previous.tag
    logins: dict[str, tuple[str, str]] = {}
    # buildx needs them for the cache, and for the image when it pushes in the build
    if inputs.image is not None and (inputs.cache != "none" or not inputs.check):
        login = context.services.login
        if login.username is not None and login.password is not None:
            logins[login.server_address] = (login.username, login.password)
    return context.services.build_session((str(previous),) if same else (), logins)


def note_cache_fallback(context: RunContext, session: BuildSession) -> None:
    if session.plan.note:
        context.outcome.notes.append(session.plan.note)
        context.reporter.annotate("notice", session.plan.note, title="cache")


def pushes_in_build(context: RunContext, tag: str) -> bool:
    """One `buildx build --push` instead of load, engine push and cache export.

    Only without checks and without the package comparison of a scheduled run (both need
    the local image); the argument is in imagebuild/backends.py.
    """
    from hubimage.imagebuild import strategy_name  # (start-up: see above)

    policy = context.policy
    if context.inputs.check or policy.skip_unchanged or not policy.push:
        return False
    if not build_session(context).can_push_in_build:
        return False
    # repo2docker's own buildx engine loads; hubimage does not drive its push
    return strategy_name(build_request(context.inputs, tag)) != "repo2docker"


def build_and_push(context: RunContext, request: BuildRequest, names: list[str]) -> BuildResult:
    """Build and push `names` in one buildx call; the caller verifies what was served."""
    warn_secret_build_args(context.inputs.build_args, context.reporter)
    reporter = context.reporter
    session = build_session(context)
    for line in session.describe():
        reporter.info(line.replace("written after the push to", "written to"))
    note_cache_fallback(context, session)
    reporter.info("check: false: one buildx call pushes; no package label")
    with reporter.untrusted_output():
        result = session.build_and_push(request, names, reporter.info, context.inputs.build_secrets)
    _warn(context, result)
    return result


def export_cache(context: RunContext, tag: str) -> None:
    """After the push: write the registry (or gha) cache; a failure only warns."""
    session = build_session(context)
    if not session.plan.after_push_exports:
        return
    reporter = context.reporter
    with reporter.group("Export the build cache"):
        try:
            with reporter.untrusted_output():
                where = session.export_cache(
                    build_request(context.inputs, tag), reporter.info, context.inputs.build_secrets
                )
        except HubimageError as error:
            message = f"the build cache was not written: {error.message}"
            context.outcome.notes.append(message)
            reporter.annotate("warning", message, title="cache")
            return
        reporter.info(f"build cache written: {where}")


def _say_fresh(context: RunContext) -> None:
    why = "a scheduled rebuild" if context.inputs.fresh_rebuild == "auto" else "fresh-rebuild: true"
    note = (
        f"fresh build ({why}): no cached step reused and base images pulled anew, so "
        "unpinned packages resolve again; the cache is still written for the next build"
    )
    context.outcome.notes.append(note)
    context.reporter.info(note)


def _warn(context: RunContext, result: BuildResult) -> None:
    for warning in result.warnings:
        context.reporter.annotate("warning", warning, title="build")


def _pulled_cache_sources(context: RunContext) -> tuple[str, ...]:
    """The legacy builder: pull what the hub runs now and build on its layers.

    (buildx reads cache from the registry itself and pulls only the layers it reuses.)
    """
    services, reporter = context.services, context.reporter
    previous = services.current_image(reporter)
    if previous is None or previous.name != context.name.name or not previous.tag:
        return ()
    if services.engine.inspect_image(str(previous)) is None:
        reporter.info(f"pulling {previous} as a cache source")
        if not services.engine.pull(previous.name, previous.tag, services.login.auth_config()):
            reporter.info(f"could not pull {previous}; building without cache")
            return ()
    return (str(previous),)
