"""The inputs of `hubimage run`, parsed into one typed record before any logic runs.

The table of every input is `input_specs.INPUTS`; here each raw value becomes its typed value
in `RunInputs` (by `input_values`), once, at the door: the action's first step runs this with
the bare Python of actions/setup-python before anything is installed, and the CLI verbs parse
their flags through it too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from hubimage import input_values as value
from hubimage.errors import EXIT_BAD_INPUT, EXIT_OK, UsageError
from hubimage.input_specs import INPUTS, INPUTS_BY_NAME
from hubimage.reference import ImageReference
from hubimage.values import (
    BUILD_BACKEND_CHOICES,
    BUMP_MODES,
    BUMP_SCOPES,
    CACHE_MODES,
    PUSH_POLICIES,
    STRATEGY_NAMES,
    BuildBackendChoice,
    BumpMode,
    BumpScope,
    CacheMode,
    HubConfigPath,
    HubVersion,
    PushPolicy,
    StrategyName,
)

EventName = str  # GITHUB_EVENT_NAME as the runner sets it; "local" outside GitHub Actions

# Events whose code and trigger come only from people with write access to the repository:
# `push: auto` pushes on these and on nothing else. `repository_dispatch` needs a token that
# can write to the repository, and runs the default branch's workflow. Every other event
# (pull_request, pull_request_target, merge_group, workflow_run, issue_comment, ... and any
# event GitHub adds later) may carry code or data from outside: build and check only.
TRUSTED_EVENTS: frozenset[str] = frozenset(
    {"push", "workflow_dispatch", "schedule", "release", "repository_dispatch"}
)


@dataclass(frozen=True)
class RunInputs:
    """Everything `hubimage run` needs, validated."""

    context: Path
    image: ImageReference | None
    builder: StrategyName
    tag: str | None
    tag_scheme: str
    extra_tags: tuple[str, ...]
    build_args: Mapping[str, str]
    target: str | None
    build_secrets: tuple[tuple[str, str], ...] = field(repr=False)  # (id, value)
    build_backend: BuildBackendChoice
    cache: CacheMode
    pangeo_base_image: str
    pangeo_base_tag: str | None
    repo2docker_version: str | None
    force: bool
    fresh_rebuild: PushPolicy  # auto, true or false
    trusted_code: bool
    buildx_builder: str | None
    check: bool
    user_id: int
    http_timeout: float
    default_url: str | None
    hub_version: HubVersion | None
    skip_checks: tuple[str, ...]
    max_image_size: int | None
    max_compressed_size: int | None
    all_kernels: bool
    push: PushPolicy
    registry_username: str | None
    registry_password: str | None = field(repr=False)
    require_public: bool
    early_upload: bool
    skip_unchanged: PushPolicy
    hub_config: HubConfigPath | None
    hubs: tuple[str, ...]
    image_path: str | None
    bump_mode: BumpMode
    bump_repository: str | None
    bump_branch: str | None
    allow_shared: bool
    update_references: bool
    pr_labels: tuple[str, ...]
    pr_reviewers: tuple[str, ...]
    pr_team_reviewers: tuple[str, ...]
    pr_draft: bool
    github_token: str | None = field(repr=False)
    dry_run: bool
    pr_comment: bool = False
    quay_api_token: str | None = field(default=None, repr=False)
    bump_scope: BumpScope = "source"
    pin_digest: bool = False
    chart: str | None = None
    deprecated: tuple[str, ...] = ()  # inputs given by an old name, or no longer used

    def secrets(self) -> list[str]:
        tokens = (self.registry_password, self.github_token, self.quay_api_token)
        values = [s for s in tokens if s]
        return values + [value for _id, value in self.build_secrets]


def check_action_inputs(environ: Mapping[str, str], stream: TextIO) -> int:
    """The action's first step: validate INPUT_* before anything is installed.

    Runs on the bare Python of actions/setup-python (this module needs no third-party
    package), so a bad `repo2docker-version` never reaches pip.
    """
    try:
        parse_inputs(read_action_inputs(environ), environ)
    except UsageError as error:
        # Workflow-command escaping: an input cannot start a command of its own.
        text = error.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        stream.write(f"::error title=hubimage inputs::{text}\n")
        return EXIT_BAD_INPUT
    return EXIT_OK


def read_action_inputs(environ: Mapping[str, str]) -> dict[str, str]:
    """Raw input values from INPUT_* variables, defaults filled in."""
    return {spec.name: environ.get(spec.env_name, spec.default).strip() for spec in INPUTS}


def parse_inputs(
    raw: Mapping[str, str],
    environ: Mapping[str, str] | None = None,
    flags: Mapping[str, str] | None = None,
) -> RunInputs:
    """Validate raw string inputs; every error names the input it is about.

    `environ` is where `build-secrets` lines of the form `id=env:NAME` read (os.environ).
    `flags` maps input names to the command-line flags they came from (a single-stage verb's
    `--uid` for `user-id`, say): an error then names the flag instead.
    """
    try:
        return _parse_inputs(raw, os.environ if environ is None else environ)
    except UsageError as error:
        if not flags:
            raise
        raise UsageError(_flag_names(error.message, flags), hint=error.hint) from error


_INPUT_NAME = re.compile(r"\binput '([a-z0-9-]+)'")


def _flag_names(message: str, flags: Mapping[str, str]) -> str:
    """`input 'user-id': ...` as `--uid: ...` where the value came from that flag."""

    def flag(match: re.Match[str]) -> str:
        name = match.group(1)
        return flags.get(name, f"--{name}")

    return _INPUT_NAME.sub(flag, message)


def _parse_inputs(raw: Mapping[str, str], environ: Mapping[str, str]) -> RunInputs:

    def get(name: str) -> str:
        return raw.get(name, INPUTS_BY_NAME[name].default).strip()

    refuse_untrusted_secrets(raw, environ, value.boolean(get, "trusted-code"))
    bump_mode = value.choice(get, "bump-mode", BUMP_MODES)
    hubs = value.hub_names(get("hubs"))
    repository = value.repository("bump-repository", get("bump-repository"))
    # Without a bump the config still shapes the checks: read where bump-repository says.
    remote = bump_mode in ("commit", "pr") or (bump_mode == "none" and repository is not None)
    hub_config = value.config_path(get("hub-config"), in_repository=remote)
    if bump_mode != "none" and (hub_config is None) != (not hubs):
        raise UsageError("inputs 'hub-config' and 'hubs' go together: give both or neither")
    return RunInputs(
        context=value.context(get("context")),
        image=value.image(get("image")),
        builder=value.choice(get, "builder", STRATEGY_NAMES),
        tag=value.tag("tag", get("tag")),
        tag_scheme=value.tag_scheme(get("tag-scheme")),
        extra_tags=tuple(
            value.tag("extra-tags", t) or "" for t in value.split_list(get("extra-tags"))
        ),
        build_args=value.key_values("build-args", get("build-args")),
        target=get("target") or None,
        build_secrets=value.parse_build_secrets(raw.get("build-secrets", ""), environ),
        build_backend=_build_backend(get),
        cache=value.choice(get, "cache", CACHE_MODES),
        pangeo_base_image=value.base_image(get("pangeo-base-image")),
        pangeo_base_tag=value.tag("pangeo-base-tag", get("pangeo-base-tag")),
        repo2docker_version=value.version("repo2docker-version", get("repo2docker-version")),
        force=value.boolean(get, "force"),
        fresh_rebuild=value.choice(get, "fresh-rebuild", PUSH_POLICIES),
        trusted_code=value.boolean(get, "trusted-code"),
        buildx_builder=value.builder_name(get("buildx-builder")),
        check=value.boolean(get, "check"),
        user_id=value.integer(get, "user-id", 0, 2**31 - 1),
        hub_version=value.hub_version(get("hub-version")),
        http_timeout=float(value.integer(get, "http-timeout", 1, 86400)),
        default_url=_default_url(get),
        skip_checks=value.check_names(get("skip-checks")),
        max_image_size=value.size("max-image-size", get("max-image-size")),
        max_compressed_size=value.size("max-compressed-size", get("max-compressed-size")),
        all_kernels=value.boolean(get, "all-kernels"),
        push=value.choice(get, "push", PUSH_POLICIES),
        registry_username=get("registry-username") or None,
        registry_password=get("registry-password") or None,
        require_public=value.boolean(get, "require-public"),
        early_upload=value.boolean(get, "early-upload"),
        skip_unchanged=value.choice(get, "skip-unchanged", PUSH_POLICIES),
        hub_config=hub_config,
        hubs=hubs,
        image_path=value.image_path(get("image-path")),
        bump_mode=bump_mode,
        bump_repository=repository,
        bump_branch=get("bump-branch") or None,
        allow_shared=value.boolean(get, "allow-shared"),
        update_references=value.boolean(get, "update-references"),
        pr_labels=value.split_list(get("pr-labels")),
        pr_reviewers=value.split_list(get("pr-reviewers")),
        pr_team_reviewers=value.slugs("pr-team-reviewers", get("pr-team-reviewers")),
        pr_draft=value.boolean(get, "pr-draft"),
        github_token=get("github-token") or None,
        pr_comment=pr_comment(get),
        quay_api_token=get("quay-api-token") or None,
        dry_run=value.boolean(get, "dry-run"),
        bump_scope=value.choice(get, "bump-scope", BUMP_SCOPES),
        pin_digest=value.boolean(get, "pin-digest"),
        chart=get("chart") or None,
        deprecated=deprecations(raw),
    )


def _default_url(get: value.Getter) -> str | None:
    """`default-url`, or its old name `lab-url` (which named the page without its `/`)."""
    url = value.default_url("default-url", get("default-url"))
    old = value.default_url("lab-url", get("lab-url"))
    if url and old and url != old:
        raise UsageError(
            f"inputs 'default-url' ({url}) and 'lab-url' ({old}) disagree; lab-url is the "
            "old name of default-url: give only default-url"
        )
    return url or old


def deprecations(raw: Mapping[str, str]) -> tuple[str, ...]:
    """What the run warns about: inputs given by an old name, or no longer used."""
    notes = []
    for old, new in (("build-engine", "build-backend"), ("lab-url", "default-url")):
        if raw.get(old, "").strip():
            notes.append(f"input '{old}' is now called '{new}'; '{old}' still works for now")
    for gone in ("server-timeout", "spawn-timeout"):
        if raw.get(gone, "").strip():
            notes.append(
                f"input '{gone}' is no longer used: the server gets the hub's http_timeout "
                "(from its config, or the http-timeout input) to answer, and spawn-time "
                "judges against it"
            )
    return tuple(notes)


def _build_backend(get: value.Getter) -> BuildBackendChoice:
    """`build-backend`, or its old name `build-engine` (the action warns that it is deprecated)."""
    backend: BuildBackendChoice = value.choice(get, "build-backend", BUILD_BACKEND_CHOICES)
    if not get("build-engine"):
        return backend
    old: BuildBackendChoice = value.choice(get, "build-engine", BUILD_BACKEND_CHOICES)
    if backend not in ("auto", old):
        raise UsageError(
            f"inputs 'build-backend' ({backend}) and 'build-engine' ({old}) disagree; "
            "build-engine is the old name of build-backend: give only build-backend"
        )
    return old


def refuse_untrusted_secrets(
    raw: Mapping[str, str], environ: Mapping[str, str], trusted_code: bool
) -> None:
    """build-secrets reach a build only on events whose code comes from people with write
    access (or where the workflow says, with `trusted-code: true`, that it vouches for the
    code): pull_request_target, workflow_run, merge_group and the like may build a fork's
    code with the base repository's secrets."""
    event = event_name(environ)
    if raw.get("build-secrets", "").strip() and not trusted_event(event) and not trusted_code:
        raise UsageError(
            f"input 'build-secrets' on a {event} event: the code built there may come from "
            "outside the repository, and nothing was built",
            hint="drop build-secrets for this event, or set trusted-code: true where the "
            "workflow itself makes sure the code is trusted (a branch of the same repository)",
        )


def event_name(environ: Mapping[str, str] = os.environ) -> EventName:
    """The triggering event; "local" only outside GitHub Actions (a person at a terminal)."""
    name = environ.get("GITHUB_EVENT_NAME", "").strip()
    if name:
        return name
    # Inside Actions an event is always named; a missing one is not a reason to trust.
    return "unknown" if environ.get("GITHUB_ACTIONS") == "true" else "local"


def trusted_event(event: EventName) -> bool:
    """May `push: auto` push on this event? Only on the allow-list, or outside Actions."""
    return event == "local" or event in TRUSTED_EVENTS


def pr_comment(get: Callable[[str], str]) -> bool:
    """`pr-comment` pushes the pull request's image as `pr-<N>`, and deletes that tag later:
    a tag or push input of its own would leave the comment, or the clean-up, naming another."""
    wanted = value.boolean(get, "pr-comment")
    if wanted and get("tag"):
        raise UsageError(
            "input 'tag' cannot go with pr-comment: a pull request's image is tagged pr-<N>"
        )
    if wanted and value.choice(get, "push", PUSH_POLICIES) == "false":
        raise UsageError("input 'push' is false, but pr-comment pushes the pull request's image")
    return wanted
