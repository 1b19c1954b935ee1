"""The verbs of the command line. Each returns (JSON payload, exit code) or raises.

Verbs are thin: they turn arguments into the typed requests of the stage packages
(`imagebuild`, `check`, `registry`, `bump`) and report the result.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubimage.check.model import CheckOptions
from hubimage.check.profile import Applied, SpawnProfile
from hubimage.errors import EXIT_FAILED, EXIT_OK, ImageNotFoundError, UsageError
from hubimage.gha import Reporter
from hubimage.input_values import warn_secret_build_args
from hubimage.inputs import RunInputs, parse_inputs
from hubimage.phases.stage_requests import (
    build_request,
    check_options,
    default_profile,
    hub_profiles,
    local_reader,
    rollout_request,
)
from hubimage.reference import ImageReference
from hubimage.secrets import SECRETS
from hubimage.summary import report_checks

if TYPE_CHECKING:  # the engine (the Docker SDK) is imported only by the verbs that use it
    from hubimage.engine import DockerEngine

CommandResult = tuple[dict[str, Any], int]


# The flags each single-stage verb shares with `hubimage run`: parsed by the same input table
# (`inputs.parse_inputs`), so the values, defaults and refusals are the inputs' own, and an
# error names the flag.
BUILD_FLAGS = {
    "context": "CONTEXT",
    "image": "--image",
    "tag": "--tag",
    "tag-scheme": "--tag-scheme",
    "builder": "--builder",
    "build-args": "--build-arg",
    "target": "--target",
    "pangeo-base-tag": "--pangeo-base-tag",
    "build-secrets": "--build-secret",
    "build-backend": "--build-backend",
    "buildx-builder": "--buildx-builder",
}
BUMP_FLAGS = {
    "hub-config": "--config",
    "hubs": "--hub",
    "image": "--image",
    "image-path": "--path",
    "bump-mode": "--mode",
    "dry-run": "--dry-run",
    "allow-shared": "--allow-shared",
    "update-references": "--update-references",
    "bump-repository": "--repository",
    "bump-branch": "--branch",
    "bump-scope": "--scope",
    "chart": "--chart",
    "pin-digest": "--pin-digest",
}


def _raw(flags: dict[str, str], **values: object) -> dict[str, str]:
    """Raw input values from a verb's flags: lists one per line, switches as true/false;
    a flag not given leaves the input's default."""
    raw: dict[str, str] = {}
    for name, given in values.items():
        key = name.replace("_", "-")
        assert key in flags, key
        if isinstance(given, bool):
            raw[key] = "true" if given else "false"
        elif isinstance(given, (list, tuple)):
            raw[key] = "\n".join(str(item) for item in given)
        elif given is not None:
            raw[key] = str(given)
    return raw


def build_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.engine import BuildSecret, DockerEngine  # (start-up: a verb loads only its stage)
    from hubimage.imagebuild import build_image, compute_tag  # (start-up)

    raw = _raw(
        BUILD_FLAGS,
        context=args.context,
        image=args.image,
        tag=args.tag,
        tag_scheme=args.tag_scheme,
        builder=args.builder,
        build_args=args.build_arg,
        target=args.target,
        pangeo_base_tag=args.pangeo_base_tag,
        build_secrets=args.build_secret,
        build_backend=args.build_backend,
        buildx_builder=args.buildx_builder,
    )
    inputs = parse_inputs(raw, flags=BUILD_FLAGS)
    use_buildx_builder(inputs.buildx_builder)
    if inputs.image is None:
        raise UsageError("--image is required")
    tag = inputs.tag or compute_tag(inputs.context, inputs.tag_scheme)
    warn_secret_build_args(inputs.build_args, reporter)  # before the build can log a value
    request = replace(
        build_request(inputs, tag),
        cache_from=tuple(args.cache_from),
        secrets=tuple(BuildSecret(secret_id, value) for secret_id, value in inputs.build_secrets),
    )
    with reporter.group(f"Build {request.reference}"), reporter.untrusted_output():
        result = build_image(DockerEngine(), request, reporter.info)
    for warning in result.warnings:
        reporter.annotate("warning", warning, title="build")
    reporter.info(f"built {result.image} ({result.builder}) in {result.seconds:.1f}s")
    payload = {
        "image": inputs.image.name,
        "tag": tag,
        "local-image": result.image,
        "image-id": result.image_id,
        "builder": result.builder,
        "backend": result.backend,
        "seconds": round(result.seconds, 2),
        "warnings": list(result.warnings),
        "labels": dict(result.labels),
    }
    return payload, EXIT_OK


CHECK_FLAGS = {
    "image": "IMAGE",
    "user-id": "--uid",
    "hub-version": "--hub-version",
    "http-timeout": "--http-timeout",
    "default-url": "--default-url",
    "lab-url": "--lab-url",
    "server-timeout": "--server-timeout",
    "spawn-timeout": "--spawn-timeout",
    "skip-checks": "--skip",
    "max-image-size": "--max-image-size",
    "all-kernels": "--all-kernels",
    "hub-config": "--hub-config",
    "hubs": "--hub",
    "chart": "--chart",
    "bump-mode": "(none)",
}


def check_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.check import run_checks  # (start-up: a verb loads only its stage)
    from hubimage.engine import DockerEngine  # (start-up: a verb loads only its stage)

    reference = ImageReference.parse(args.image)  # a malformed reference is exit 2
    if args.hub_config and not args.hub:
        raise UsageError("--hub-config needs --hub: the hub(s) whose spawn to check under")
    raw = _raw(
        CHECK_FLAGS,
        image=reference.name,
        user_id=args.uid,
        hub_version=args.hub_version,
        http_timeout=args.http_timeout,
        default_url=args.default_url,
        lab_url=args.lab_url,
        server_timeout=args.server_timeout,
        spawn_timeout=args.spawn_timeout,
        skip_checks=args.skip,
        max_image_size=args.max_image_size,
        all_kernels=args.all_kernels,
        hub_config=args.hub_config,
        hubs=args.hub,
        chart=args.chart,
        bump_mode="none",  # the config is only read: a local checkout
    )
    inputs = parse_inputs(raw, flags=CHECK_FLAGS)
    for note in inputs.deprecated:
        reporter.annotate("warning", note.replace("input '", "flag '--"), title="hubimage check")
    options = _check_options(args, inputs)
    profiles, notes = _check_profiles(args, inputs)
    engine = DockerEngine()
    ensure_local_image(engine, reference, reporter)
    with reporter.group(f"Check {reference}"):
        report = run_checks(engine, str(reference), options, profiles, notes)
    report_checks(report, reporter)
    return report.as_dict(), EXIT_FAILED if report.failed else EXIT_OK


def _check_options(args: argparse.Namespace, inputs: RunInputs) -> CheckOptions:
    """The run's check options, with the verb's own flags (`--only`, the timeouts, ...)."""
    options = check_options(inputs, args.previous_image, os.environ)
    size_warning = int(args.size_warning_gb * 1e9) if args.size_warning_gb else None
    return replace(
        options,
        only=tuple(args.only),
        context=Path(args.context) if args.context else None,
        size_warn_bytes=size_warning or options.size_warn_bytes,
        kernel_timeout=args.kernel_timeout,
        landing_timeout=args.landing_timeout,
        artifacts_dir=Path(args.artifacts_dir) if args.artifacts_dir else options.artifacts_dir,
        browser=args.browser,
    )


def _check_profiles(
    args: argparse.Namespace, inputs: RunInputs
) -> tuple[list[SpawnProfile], list[str]]:
    """The named hubs' spawn profiles from the local checkout of their config, or the
    defaults (with --uid, --gid, --http-timeout and --default-url) without one."""
    if inputs.hub_config is None:
        profile = default_profile(inputs)
        if args.gid is not None:
            applied = Applied("singleuser.fsGid", str(args.gid), "flag --gid")
            profile = replace(profile, fs_gid=args.gid, applied=(applied, *profile.applied))
        return [profile], []
    read, root = local_reader(inputs.hub_config)
    return hub_profiles(inputs, read, root)


def ensure_local_image(engine: DockerEngine, reference: ImageReference, reporter: Reporter) -> None:
    """Checks run on a local image; pull it from its registry when it is not here."""
    if engine.inspect_image(str(reference)) is not None:
        return
    if reference.registry is not None and reference.tag:
        from hubimage.registry import credentials_from_environment, resolve_login  # (start-up)

        login = resolve_login(reference, credentials_from_environment(reference, os.environ))
        reporter.info(f"{reference} is not here; pulling it from {reference.registry_host}")
        if engine.pull(reference.name, reference.tag, login.auth_config()):
            return
    raise ImageNotFoundError(
        f"image {reference} exists neither locally nor in its registry",
        hint="build it first (hubimage build), or check the name and tag",
    )


def push_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.engine import DockerEngine  # (start-up: a verb loads only its stage)
    from hubimage.registry import credentials_from_environment, push_image  # (start-up)

    reference = ImageReference.parse(args.image)
    if not reference.tag or reference.digest:
        raise UsageError(f"push needs IMAGE:TAG, got {args.image!r}")
    environ = dict(os.environ)
    if args.username:
        environ["HUBIMAGE_REGISTRY_USERNAME"] = args.username
    credentials = credentials_from_environment(reference, environ)
    tags = (reference.tag, *args.also_tag)
    with reporter.group(f"Push {reference.qualified_name}"):
        result = push_image(
            DockerEngine(),
            str(reference),
            reference,
            tags,
            credentials,
            check_public=args.require_public,
        )
    for warning in result.warnings:
        reporter.annotate("warning", warning, title="registry")
    reporter.info(f"pushed {result.image_ref}")
    payload = {
        "image": result.image,
        "tags": list(result.tags),
        "digest": result.digest,
        "image-ref": result.image_ref,
    }
    return payload, EXIT_OK


def bump_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.bump.edit import parse_image  # (start-up: a verb loads only its stage)
    from hubimage.rollout import roll_out  # (start-up: a verb loads only its stage)

    token = os.environ.get("HUBIMAGE_GITHUB_TOKEN") or os.environ.get("GITHUB_TOKEN")
    SECRETS.add(token)  # masked before any request is made
    if args.create and not args.path:
        raise UsageError("--create needs --path (the path to create)")
    image = parse_image(args.image)
    raw = _raw(
        BUMP_FLAGS,
        hub_config=args.config,
        hubs=args.hub,
        image=image.name,
        image_path=args.path,
        bump_mode=args.mode,
        dry_run=args.dry_run,
        allow_shared=args.allow_shared,
        update_references=args.update_references,
        bump_repository=args.repository,
        bump_branch=args.branch,
        bump_scope=args.scope,
        chart=args.chart,
        pin_digest=bool(args.pin_digest),
    )
    inputs = replace(parse_inputs(raw, flags=BUMP_FLAGS), github_token=token)
    request = replace(
        rollout_request(inputs, os.environ, image.tag or "", args.pin_digest),
        api_url=args.github_api_url or os.environ.get("GITHUB_API_URL") or None,
        create=args.create,
    )
    result = roll_out(request, reporter)
    if args.dry_run and not args.json:
        print(result.diff, end="")
    return result.as_dict(), EXIT_OK


def run_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.input_specs import INPUTS  # (start-up)
    from hubimage.inputs import parse_inputs, read_action_inputs  # (start-up)
    from hubimage.pipeline import run_pipeline  # (start-up: a verb loads only its stage)

    raw = read_action_inputs(os.environ)
    for spec in INPUTS:
        if spec.secret:
            SECRETS.add(raw[spec.name])  # masked before anything else runs
    given = {spec.name: getattr(args, spec.name, None) for spec in INPUTS}
    flags = {name: f"--{name}" for name, value in given.items() if value is not None}
    raw.update({name: value for name, value in given.items() if value is not None})
    inputs = parse_inputs(raw, flags=flags)  # an error names the flag where one gave it
    use_buildx_builder(inputs.buildx_builder)
    outcome = run_pipeline(inputs, reporter)
    return outcome.as_dict(), EXIT_OK


def use_buildx_builder(name: str | None) -> None:
    """Every buildx call of this process and its children (repo2docker's buildx engine
    among them) builds on the named builder, as `docker buildx build --builder NAME` does:
    BUILDX_BUILDER is buildx's own variable for it."""
    if name:
        os.environ["BUILDX_BUILDER"] = name
