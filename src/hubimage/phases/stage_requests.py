"""Each stage's request, made from the typed inputs by one function.

Both `hubimage run` (the phases) and the single-stage verbs (`hubimage build`, `check`,
`bump`) parse their flags into `RunInputs` through the same input table, then ask here for
the request: a stage's settings are mapped in one place, and every default is the input
table's.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from hubimage.bump.files import confined_reader, repository_root, same_form
from hubimage.bump.hubfiles import TextReader
from hubimage.check.model import CheckOptions
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE, Applied, SpawnProfile
from hubimage.inputs import RunInputs
from hubimage.policy import image_name
from hubimage.rollout import RolloutRequest
from hubimage.spawnprofiles import derive_spawn_profiles
from hubimage.values import JUPYTERHUB_HTTP_TIMEOUT, Z2JH_UID, HubConfigPath

if TYPE_CHECKING:  # (start-up: the build package loads only when a run builds)
    from hubimage.imagebuild import BuildRequest

ARTIFACTS_ENV = "HUBIMAGE_ARTIFACTS_DIR"  # where to keep the screenshot, if not the default
ARTIFACTS_FOLDER = "hubimage-artifacts"  # under $RUNNER_TEMP: what action.yml uploads


def build_request(inputs: RunInputs, tag: str, fresh: bool = False) -> BuildRequest:
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
        fresh=fresh,
    )


def check_options(
    inputs: RunInputs, previous_image: str | None, environ: Mapping[str, str] = os.environ
) -> CheckOptions:
    """What the checks run with; the screenshots go where the action uploads from."""
    artifacts = environ.get(ARTIFACTS_ENV)
    if not artifacts and environ.get("RUNNER_TEMP"):
        artifacts = str(Path(environ["RUNNER_TEMP"]) / ARTIFACTS_FOLDER)
    return CheckOptions(
        hub_version=inputs.hub_version,
        context=inputs.context,
        skip=inputs.skip_checks,
        max_image_bytes=inputs.max_image_size,
        previous_image=previous_image,
        all_kernels=inputs.all_kernels,
        artifacts_dir=Path(artifacts) if artifacts else None,
    )


def default_profile(inputs: RunInputs) -> SpawnProfile:
    """Zero to JupyterHub's defaults, with what the inputs say where no hub config does."""
    said = {
        "singleuser.uid": ("user-id", inputs.user_id, Z2JH_UID),
        "hub.config.Spawner.http_timeout": (
            "http-timeout",
            inputs.http_timeout,
            JUPYTERHUB_HTTP_TIMEOUT,
        ),
        "singleuser.defaultUrl": ("default-url", inputs.default_url, None),
    }
    applied = tuple(
        Applied(setting, f"{value:g}" if isinstance(value, float) else str(value), f"input {name}")
        for setting, (name, value, default) in said.items()
        if value is not None and value != default
    )
    profile = replace(
        ZERO_TO_JUPYTERHUB_PROFILE,
        uid=inputs.user_id,
        http_timeout=inputs.http_timeout,
        default_url=inputs.default_url,
        applied=applied,
    )
    return profile.with_defaults_noted()


def hub_profiles(
    inputs: RunInputs, read: TextReader, root: str
) -> tuple[list[SpawnProfile], list[str]]:
    """The spawn profiles of every hub named in the inputs, read through `read`, and the
    notes on how they were found (each named after its hub)."""
    assert inputs.hub_config is not None  # callers ask only with a hub config
    derived = derive_spawn_profiles(
        inputs.hub_config.text,
        read,
        inputs.hubs,
        inputs.image,
        root=root,
        chart=inputs.chart,
    )
    profiles = [profile for hub in derived for profile in hub.profiles]
    notes = [f"{hub.hub}: {note}" for hub in derived for note in hub.notes]
    return profiles, notes


def local_reader(config: HubConfigPath) -> tuple[TextReader, str]:
    """A reader of the hub config's local checkout, kept inside its repository, and the
    repository's root written as the config's path is."""
    root = repository_root(config.local)
    return confined_reader(root), same_form(root, config.text)


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
