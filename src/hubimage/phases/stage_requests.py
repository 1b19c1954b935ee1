"""Each stage's request, made from the typed inputs by one function.

Both `hubimage run` (the phases) and the single-stage verbs (`hubimage build`, `check`,
`bump`) parse their flags into `RunInputs` through the same input table, then ask here for
the request: a stage's settings are mapped in one place, and every default is the input
table's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hubimage.check.model import CheckOptions
from hubimage.inputs import RunInputs
from hubimage.policy import image_name
from hubimage.rollout import RolloutRequest

if TYPE_CHECKING:  # (start-up: the build package loads only when a run builds)
    from hubimage.imagebuild import BuildRequest

ARTIFACTS_ENV = "HUBIMAGE_ARTIFACTS_DIR"  # where to keep the screenshot, if not the default
ARTIFACTS_FOLDER = "hubimage-artifacts"  # under $RUNNER_TEMP: what action.yml uploads


def build_request(inputs: RunInputs, tag: str) -> BuildRequest:
    from hubimage.imagebuild import BuildRequest  # (start-up: see above)

    return BuildRequest(
        context=inputs.context,
        image=image_name(inputs).name,
        tag=tag,
        builder=inputs.builder,
        build_args=inputs.build_args,
        target=inputs.target,
        build_backend=inputs.build_backend,
        base_image=inputs.pangeo_base_image,
        base_tag=inputs.pangeo_base_tag,
        repo2docker_version=inputs.repo2docker_version,
    )


def check_options(
    inputs: RunInputs, previous_image: str | None, environ: Mapping[str, str] = os.environ
) -> CheckOptions:
    """What the checks run with; the screenshot goes where the action uploads from."""
    artifacts = environ.get(ARTIFACTS_ENV)
    if not artifacts and environ.get("RUNNER_TEMP"):
        artifacts = str(Path(environ["RUNNER_TEMP"]) / ARTIFACTS_FOLDER)
    return CheckOptions(
        uid=inputs.user_id,
        hub_version=inputs.hub_version,
        server_timeout=inputs.server_timeout,
        context=inputs.context,
        skip=inputs.skip_checks,
        spawn_timeout=inputs.spawn_timeout,
        max_image_bytes=inputs.max_image_size,
        previous_image=previous_image,
        all_kernels=inputs.all_kernels,
        lab_url=inputs.lab_url,
        artifacts_dir=Path(artifacts) if artifacts else None,
    )


def rollout_request(
    inputs: RunInputs,
    environ: Mapping[str, str],
    tag: str = "",
    digest: str | None = None,
    pr_body: str = "",
) -> RolloutRequest:
    """The bump of the named hubs to `name:tag` (with `digest` pinned when asked for)."""
    assert inputs.hub_config is not None  # callers ask only with a hub config
    name = image_name(inputs).name
    return RolloutRequest(
        config=inputs.hub_config,
        hubs=inputs.hubs,
        image=f"{name}:{tag}" if tag else name,
        path=inputs.image_path,
        mode="file" if inputs.bump_mode == "none" else inputs.bump_mode,
        dry_run=inputs.dry_run,
        allow_shared=inputs.allow_shared,
        update_references=inputs.update_references,
        repository=inputs.bump_repository or environ.get("GITHUB_REPOSITORY"),
        branch=inputs.bump_branch,
        token=inputs.github_token,
        api_url=environ.get("GITHUB_API_URL") or None,
        pr_body=pr_body,
        labels=inputs.pr_labels,
        reviewers=inputs.pr_reviewers,
        team_reviewers=inputs.pr_team_reviewers,
        draft=inputs.pr_draft,
        scope=inputs.bump_scope,
        chart=inputs.chart,
        digest=(digest or None) if inputs.pin_digest else None,
    )
