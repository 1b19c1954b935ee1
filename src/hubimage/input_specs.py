"""Every input of `hubimage run`, once: its action input name (kebab-case), its stage,
default and help.

The same table drives the CLI flags of `hubimage run`, the reading of `INPUT_*` variables
inside GitHub Actions, `action.yml` (a test keeps the two in step) and README's tables.
Standard library only: the action reads it before anything is installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hubimage.values import JUPYTERHUB_HTTP_TIMEOUT, Z2JH_UID

Stage = Literal["build", "check", "push", "bump", "general"]


@dataclass(frozen=True)
class InputSpec:
    name: str  # action input, kebab-case
    stage: Stage
    description: str
    default: str = ""
    secret: bool = False

    @property
    def env_name(self) -> str:
        """The variable the composite action sets: INPUT_<NAME> with '-' as '_'."""
        return "INPUT_" + self.name.upper().replace("-", "_")


INPUTS: tuple[InputSpec, ...] = (
    InputSpec("context", "build", "Folder of the image repository to build.", "."),
    InputSpec("image", "build", "Image name to publish, e.g. quay.io/org/my-hub-image."),
    InputSpec("builder", "build", "auto, repo2docker, pangeo or dockerfile.", "auto"),
    InputSpec("tag", "build", "Explicit tag (overrides tag-scheme)."),
    InputSpec("tag-scheme", "build", "content, sha, date, latest or a template.", "content"),
    InputSpec("extra-tags", "build", "More tags to push (comma or newline separated)."),
    InputSpec("build-args", "build", "Build arguments, KEY=VALUE one per line."),
    InputSpec("target", "build", "Dockerfile target stage."),
    InputSpec(
        "build-secrets",
        "build",
        "BuildKit build secrets, id=value or id=env:NAME one per line (RUN --mount=type=secret).",
        secret=True,
    ),
    InputSpec("build-backend", "build", "auto (buildx where available), buildx or legacy.", "auto"),
    InputSpec("build-engine", "build", "Deprecated: the old name of build-backend."),
    InputSpec("cache", "build", "Build cache: registry, inline, gha or none.", "registry"),
    InputSpec(
        "pangeo-base-image", "build", "Base image of the pangeo builder.", "pangeo/base-image"
    ),
    InputSpec("pangeo-base-tag", "build", "pangeo/base-image tag; newest calendar tag if empty."),
    InputSpec(
        "repo2docker-version",
        "build",
        "jupyter-repo2docker version to install and use.",
        "2026.4.0",
    ),
    InputSpec("force", "build", "Build and push even when the tag already exists.", "false"),
    InputSpec(
        "fresh-rebuild",
        "build",
        "auto (a scheduled run that compares packages), true or false: build without cached "
        "steps and with base images pulled anew, so unpinned packages resolve again (the "
        "cache is still written).",
        "auto",
    ),
    InputSpec(
        "trusted-code",
        "build",
        "true when the workflow vouches for the code it builds on events that may run "
        "others' code (pull_request, pull_request_target, merge_group, workflow_run, ...): "
        "only then do build-secrets reach the build there.",
        "false",
    ),
    InputSpec(
        "buildx-builder",
        "build",
        "The buildx builder to build with, as docker/build-push-action's builder; empty: "
        "the one `docker buildx use` picked.",
    ),
    InputSpec("check", "check", "Run the image checks (never push an image that fails).", "true"),
    InputSpec(
        "user-id",
        "check",
        "The uid the hub runs the image as, where no hub config says (z2jh singleuser.uid).",
        str(Z2JH_UID),
    ),
    InputSpec("hub-version", "check", "The hub's JupyterHub version (major must match)."),
    InputSpec(
        "http-timeout",
        "check",
        "Seconds the hub gives a started server to answer (Spawner.http_timeout), where no "
        "hub config says; spawn-time warns above half of it and fails above it.",
        str(JUPYTERHUB_HTTP_TIMEOUT),
    ),
    InputSpec(
        "default-url",
        "check",
        "Where users land (z2jh singleuser.defaultUrl, e.g. /lab, /tree, /rstudio), where no "
        "hub config says; empty: the server's own start page.",
    ),
    InputSpec("skip-checks", "check", "Checks not to run (comma separated), e.g. landing-page."),
    InputSpec(
        "server-timeout",
        "check",
        "Deprecated: the server gets the hub's http_timeout (see http-timeout).",
    ),
    InputSpec(
        "spawn-timeout",
        "check",
        "Deprecated: spawn-time judges against the hub's http_timeout (see http-timeout).",
    ),
    InputSpec(
        "max-image-size", "check", "Uncompressed size budget (e.g. 6GB); image-size fails above it."
    ),
    InputSpec(
        "max-compressed-size",
        "check",
        "Pushed (compressed) size budget (e.g. 2GB), read from the registry's manifest after "
        "the push; above it no hub is bumped.",
    ),
    InputSpec(
        "all-kernels", "check", "kernel-runs tries every kernelspec, not only the default.", "false"
    ),
    InputSpec("lab-url", "check", "Deprecated: the old name of default-url (without its /)."),
    InputSpec(
        "push",
        "push",
        "auto (only on push, workflow_dispatch, schedule, release, repository_dispatch), "
        "true or false.",
        "auto",
    ),
    InputSpec("registry-username", "push", "Registry user (quay.io robot, _json_key, ...)."),
    InputSpec("registry-password", "push", "Registry password or token.", secret=True),
    InputSpec(
        "require-public", "push", "Fail when the image cannot be pulled anonymously.", "false"
    ),
    InputSpec(
        "early-upload",
        "push",
        "true: where the image store allows (containerd with buildx), send the layers while "
        "the checks run (bare blobs: no manifest, no tag), read out of the engine with docker "
        "save; false: the push after the checks sends them (see README's Benchmarks).",
        "false",
    ),
    InputSpec(
        "skip-unchanged",
        "push",
        "auto (on schedule), true or false: skip when no package changed.",
        "auto",
    ),
    InputSpec(
        "hub-config",
        "bump",
        "Hub config file (hubs.yaml, cluster.yaml, values): the hubs' spawn settings the "
        "checks run under, and where the bump goes.",
    ),
    InputSpec("hubs", "bump", "Hub names to check under and bump (comma or newline separated)."),
    InputSpec("image-path", "bump", "Explicit dotted path of the image in the config."),
    InputSpec(
        "bump-mode",
        "bump",
        "none, file, commit or pr. With none, hub-config is still read for the checks: "
        "from bump-repository when given, else from this checkout.",
        "pr",
    ),
    InputSpec("bump-repository", "bump", "owner/name of the config repo (default: this repo)."),
    InputSpec("bump-branch", "bump", "Base branch for the commit or pull request."),
    InputSpec("allow-shared", "bump", "Change a value shared through a YAML anchor.", "false"),
    InputSpec("update-references", "bump", "Also update other references to the image.", "false"),
    InputSpec(
        "bump-scope",
        "bump",
        "source (edit where the image is set) or hub (an override for the named hubs only).",
        "source",
    ),
    InputSpec(
        "pin-digest", "bump", "Write the pushed digest with the tag (tag@sha256:...).", "false"
    ),
    InputSpec("chart", "bump", "The hubs' chart (basehub, daskhub) where the config names none."),
    InputSpec("pr-labels", "bump", "Labels for the pull request (comma separated)."),
    InputSpec("pr-reviewers", "bump", "Reviewers for the pull request (comma separated)."),
    InputSpec(
        "pr-team-reviewers",
        "bump",
        "Team reviewers for the pull request (team slugs, comma separated).",
    ),
    InputSpec("pr-draft", "bump", "Open the pull request as a draft.", "false"),
    InputSpec(
        "pr-comment",
        "general",
        "On pull_request events from a branch of this repository: push the image as pr-<N> "
        "once its checks pass and keep one comment on the pull request with each hub's checks "
        "and a way to start the image there; when it closes, delete pr-<N>.",
        "false",
    ),
    InputSpec(
        "quay-api-token",
        "push",
        "quay.io OAuth application token (Administer Repositories) to delete pr-<N> tags.",
        secret=True,
    ),
    InputSpec("github-token", "general", "Token for the bump and for GHCR.", secret=True),
    InputSpec(
        "dry-run",
        "general",
        "Build, check and print the bump's diff; push and write nothing.",
        "false",
    ),
)
INPUTS_BY_NAME = {spec.name: spec for spec in INPUTS}
