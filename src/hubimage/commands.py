"""The verbs of the command line. Each returns (JSON payload, exit code) or raises.

Verbs are thin: they turn arguments into the typed requests of the stage packages
(`imagebuild`, `check`, `registry`, `bump`) and report the result.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hubimage.errors import EXIT_FAILED, EXIT_OK, ImageNotFoundError, UsageError
from hubimage.gha import Reporter
from hubimage.input_values import warn_secret_build_args
from hubimage.reference import ImageReference
from hubimage.secrets import SECRETS
from hubimage.summary import report_checks
from hubimage.values import HubConfigPath, HubVersion

if TYPE_CHECKING:  # the engine (the Docker SDK) is imported only by the verbs that use it
    from hubimage.engine import BuildSecret, DockerEngine

CommandResult = tuple[dict[str, Any], int]


def build_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.engine import DockerEngine
    from hubimage.imagebuild import BuildRequest, build_image, compute_tag

    image = _name_without_tag(args.image, "--image")
    context = Path(args.context)
    tag = args.tag or compute_tag(context, args.tag_scheme)
    build_args = _key_values(args.build_arg, "--build-arg")
    warn_secret_build_args(build_args, reporter)  # before the build can log a value
    request = BuildRequest(
        context=context,
        image=image.name,
        tag=tag,
        builder=args.builder,
        build_args=build_args,
        target=args.target,
        cache_from=tuple(args.cache_from),
        base_tag=args.pangeo_base_tag,
        build_backend=args.build_backend,
        secrets=_build_secrets(args.build_secret),
    )
    with reporter.group(f"Build {request.reference}"), reporter.untrusted_output():
        result = build_image(DockerEngine(), request, reporter.info)
    for warning in result.warnings:
        reporter.annotate("warning", warning, title="build")
    reporter.info(f"built {result.image} ({result.builder}) in {result.seconds:.1f}s")
    payload = {
        "image": image.name,
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


def check_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.check import CheckOptions, run_checks
    from hubimage.check.model import DEFAULT_SIZE_WARN_BYTES
    from hubimage.engine import DockerEngine
    from hubimage.values import parse_size

    reference = ImageReference.parse(args.image)  # a malformed reference is exit 2
    engine = DockerEngine()
    ensure_local_image(engine, reference, reporter)
    options = CheckOptions(
        uid=args.uid,
        gid=args.gid,
        only=tuple(args.only),
        hub_version=HubVersion.parse(args.hub_version, "--hub-version")
        if args.hub_version
        else None,
        server_timeout=args.server_timeout,
        size_warn_bytes=int(args.size_warning_gb * 1e9)
        if args.size_warning_gb
        else DEFAULT_SIZE_WARN_BYTES,
        context=Path(args.context) if args.context else None,
        skip=tuple(args.skip),
        spawn_timeout=args.spawn_timeout,
        max_image_bytes=parse_size(args.max_image_size or "", "--max-image-size"),
        previous_image=args.previous_image,
        kernel_timeout=args.kernel_timeout,
        all_kernels=args.all_kernels,
        lab_url=args.lab_url,
        lab_timeout=args.lab_timeout,
        artifacts_dir=Path(args.artifacts_dir) if args.artifacts_dir else None,
        browser=args.browser,
    )
    with reporter.group(f"Check {reference}"):
        report = run_checks(engine, str(reference), options)
    report_checks(report, reporter)
    return report.as_dict(), EXIT_FAILED if report.failed else EXIT_OK


def ensure_local_image(engine: DockerEngine, reference: ImageReference, reporter: Reporter) -> None:
    """Checks run on a local image; pull it from its registry when it is not here."""
    if engine.inspect_image(str(reference)) is not None:
        return
    if reference.registry is not None and reference.tag:
        from hubimage.registry import credentials_from_environment, resolve_login

        login = resolve_login(reference, credentials_from_environment(reference, os.environ))
        reporter.info(f"{reference} is not here; pulling it from {reference.registry_host}")
        if engine.pull(reference.name, reference.tag, login.auth_config()):
            return
    raise ImageNotFoundError(
        f"image {reference} exists neither locally nor in its registry",
        hint="build it first (hubimage build), or check the name and tag",
    )


def push_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.engine import DockerEngine
    from hubimage.registry import credentials_from_environment, push_image

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
    from hubimage.rollout import RolloutRequest, roll_out

    token = os.environ.get("HUBIMAGE_GITHUB_TOKEN") or os.environ.get("GITHUB_TOKEN")
    SECRETS.add(token)  # masked before any request is made
    request = RolloutRequest(
        config=HubConfigPath.parse(args.config, in_repository=args.mode != "file", what="--config"),
        hubs=tuple(args.hub),
        image=args.image,
        path=args.path,
        mode=args.mode,
        dry_run=args.dry_run,
        allow_shared=args.allow_shared,
        update_references=args.update_references,
        repository=args.repository or os.environ.get("GITHUB_REPOSITORY"),
        branch=args.branch,
        token=token,
        api_url=args.github_api_url or os.environ.get("GITHUB_API_URL") or None,
        scope=args.scope,
        chart=args.chart,
        create=args.create,
        digest=args.pin_digest,
    )
    if args.create and not args.path:
        raise UsageError("--create needs --path (the path to create)")
    result = roll_out(request, reporter)
    if args.dry_run and not args.json:
        print(result.diff, end="")
    return result.as_dict(), EXIT_OK


def run_command(args: argparse.Namespace, reporter: Reporter) -> CommandResult:
    from hubimage.inputs import INPUTS, parse_inputs, read_action_inputs
    from hubimage.pipeline import run_pipeline

    raw = read_action_inputs(os.environ)
    for spec in INPUTS:
        if spec.secret:
            SECRETS.add(raw[spec.name])  # masked before anything else runs
    for spec in INPUTS:
        value = getattr(args, spec.name, None)
        if value is not None:
            raw[spec.name] = value
    inputs = parse_inputs(raw)
    outcome = run_pipeline(inputs, reporter)
    return outcome.as_dict(), EXIT_OK


def _build_secrets(lines: list[str]) -> tuple[BuildSecret, ...]:
    from hubimage.engine import BuildSecret
    from hubimage.input_values import parse_build_secrets

    pairs = parse_build_secrets("\n".join(lines), os.environ, "--build-secret")
    return tuple(BuildSecret(secret_id, value) for secret_id, value in pairs)


def _name_without_tag(text: str, flag: str) -> ImageReference:
    reference = ImageReference.parse(text)
    if reference.tag or reference.digest:
        raise UsageError(f"{flag}: give the image name without a tag (use --tag)")
    return reference


def _key_values(items: list[str], flag: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise UsageError(f"{flag}: {item!r} is not KEY=VALUE")
        result[key] = value
    return result
