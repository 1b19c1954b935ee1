"""BuildKit through buildx, end to end through `hubimage run` driven like the action.

Real parts: the Docker engine with buildx (the `docker` driver on the containerd store), a
distribution registry with htpasswd auth, git repositories. A Dockerfile with the BuildKit
syntax real hub images use is built, checked and pushed; a build secret is then searched
for everywhere an image or a run could carry it. The same Dockerfile on an engine without
buildx is refused with the line and what to install.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from support.action_runner import ActionRun, assert_nothing_published, run_action
from support.buildx_fixtures import config_without_buildx
from support.gitrepo import commit_files, init_repo
from support.image_search import image_hits
from support.registry_fixtures import RunningRegistry, served_digest
from support.workflow_commands import obeyed_commands

pytestmark = pytest.mark.integration


def buildkit_dockerfile(base: str) -> str:
    """Every BuildKit feature the issue names, in the shape real hub images use them."""
    return f"""\
FROM {base} AS base
USER root
COPY --chmod=755 hello.sh /usr/local/bin/hello
COPY --link data.txt /opt/data.txt
# BuildKit leaves secrets out of cache keys: a fresh nonce keeps an earlier run's step out
COPY nonce.txt /opt/nonce.txt
RUN <<EOF
set -e
echo "written by a heredoc" > /opt/heredoc.txt
EOF
RUN --mount=type=secret,id=pip_token,required=true \\
    sha256sum /run/secrets/pip_token | cut -c1-16 > /opt/secret-hash
USER 1000
RUN --mount=type=cache,target=/tmp/pip-cache,uid=1000 \\
    touch /tmp/pip-cache/written-as-1000 && ls /tmp/pip-cache > /home/jovyan/cache-listing

FROM base AS final
RUN touch /home/jovyan/final-stage

FROM final AS debug
RUN echo "the debug stage is not the target" && exit 3
"""


def buildkit_repo(path: Path, base: str) -> Path:
    init_repo(path)
    files = {
        "Dockerfile": buildkit_dockerfile(base),
        "hello.sh": "#!/bin/sh\necho hello-from-chmod\n",
        "data.txt": "linked data\n",
        "nonce.txt": secrets.token_hex(8),
    }
    commit_files(path, files, "a BuildKit Dockerfile")
    return path


def inputs(registry: RunningRegistry, repository: str, **more: str) -> dict[str, str]:
    return {
        "image": f"{registry.host}/{repository}",
        "registry-username": registry.username,
        "registry-password": registry.password,
        "bump-mode": "none",
        "target": "final",
        "build-secrets": "pip_token=env:PIP_INDEX_TOKEN",
        **more,
    }


@pytest.fixture
def repository(request: pytest.FixtureRequest) -> str:
    return f"buildkit/{request.node.name[5:40].replace('_', '-')}-{secrets.token_hex(3)}"


def test_buildkit_dockerfile_is_built_checked_and_pushed_and_its_secret_is_nowhere(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    repository: str,
) -> None:
    workdir = buildkit_repo(tmp_path / "hub-image", singleuser_image)
    secret = "bks-" + secrets.token_hex(16)
    run = run_action(
        workdir,
        "push",
        inputs(registry_htpasswd, repository),
        tmp_path,
        extra_env={"PIP_INDEX_TOKEN": secret},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "build backend: buildx (docker buildx is available" in run.stderr
    assert run.outputs["pushed"] == "true"
    tag = run.outputs["tag"]
    assert run.outputs["digest"] == served_digest(registry_htpasswd, repository, tag)
    image = f"{registry_htpasswd.host}/{repository}:{tag}"

    probe = docker_engine.run(
        image,
        [
            "sh",
            "-c",
            "stat -c %a /usr/local/bin/hello; hello; cat /opt/data.txt /opt/heredoc.txt "
            "/opt/secret-hash /home/jovyan/cache-listing; test -e /home/jovyan/final-stage "
            "&& echo final-stage",
        ],
    )
    assert probe.output.split("\n")[:7] == [
        "755",
        "hello-from-chmod",
        "linked data",
        "written by a heredoc",
        hashlib.sha256(secret.encode()).hexdigest()[:16],  # the secret reached the RUN step
        "written-as-1000",  # the cache mount belonged to uid 1000
        "final-stage",  # built up to the target; the failing debug stage never ran
    ], probe.output

    # Zero hits: not in the log lines, outputs or summary, nor in the image anywhere.
    assert secret not in run.everything
    assert not any(secret in line for line in run.stderr.splitlines() if "add-mask" not in line)
    assert image_hits(docker_engine, image, [secret]) == []
    docker_engine.remove_image(image)


def test_the_legacy_builder_refuses_buildkit_syntax_naming_the_line_and_buildx(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    repository: str,
) -> None:
    workdir = buildkit_repo(tmp_path / "hub-image", singleuser_image)
    no_buildx = config_without_buildx(tmp_path / "docker-config")
    run = run_action(
        workdir,
        "push",
        inputs(registry_htpasswd, repository, **{"build-secrets": ""}),
        tmp_path,
        extra_env={"DOCKER_CONFIG": str(no_buildx)},
    )
    assert run.returncode == 2, run.stderr[-3000:]
    assert "line 3: COPY --chmod needs BuildKit" in run.stderr
    assert "install the buildx plugin" in run.stderr
    assert "build backend: legacy (docker buildx is not installed" in run.stderr
    assert_nothing_published(run, registry_htpasswd, repository, bump_result=None)


@pytest.mark.parametrize("check", ["true", "false"])  # the load path and the one-call push
def test_buildx_asked_for_but_missing_is_refused_before_anything_is_built(
    tmp_path: Path,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    repository: str,
    check: str,
) -> None:
    """The builder is probed in the background from the run's start; its refusal still
    stops the run at the build, with what to install, and nothing is pushed."""
    init_repo(tmp_path / "hub-image")
    commit_files(tmp_path / "hub-image", {"Dockerfile": f"FROM {singleuser_image}\n"}, "plain")
    no_buildx = config_without_buildx(tmp_path / "docker-config")
    run = run_action(
        tmp_path / "hub-image",
        "push",
        inputs(
            registry_htpasswd, repository, target="", check=check,
            **{"build-backend": "buildx", "build-secrets": ""},
        ),
        tmp_path,
        extra_env={"DOCKER_CONFIG": str(no_buildx)},
    )  # fmt: skip
    assert run.returncode == 2, run.stderr[-3000:]
    assert "build-backend buildx was asked for, but docker buildx is not installed" in run.stderr
    assert "install the buildx plugin" in run.stderr
    assert "#0 building" not in run.stderr and "Successfully built" not in run.stderr
    assert_nothing_published(run, registry_htpasswd, repository, bump_result=None)


def test_build_secrets_on_the_legacy_builder_are_refused_not_dropped(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry, repository: str
) -> None:
    init_repo(tmp_path / "hub-image")
    commit_files(tmp_path / "hub-image", {"Dockerfile": f"FROM {singleuser_image}\n"}, "plain")
    run: ActionRun = run_action(
        tmp_path / "hub-image",
        "push",
        inputs(registry_htpasswd, repository, target="", **{"build-backend": "legacy"}),
        tmp_path,
        extra_env={"PIP_INDEX_TOKEN": "legacy-" + secrets.token_hex(8)},
    )
    assert run.returncode == 2, run.stderr[-3000:]
    assert "build secrets need BuildKit" in run.stderr and "build-backend: legacy" in run.stderr
    assert run.outputs["pushed"] == "false"


def test_workflow_commands_printed_by_a_build_are_not_obeyed(
    tmp_path: Path, singleuser_image: str
) -> None:
    # The legacy builder prints RUN output as it is (buildx prefixes every line with "#N").
    forged = [
        "::add-mask::hubimage",
        "::set-output name=pushed::forged",
        "::stop-commands::forged",
        "::forged::",
        "::error::forged annotation",
    ]
    echoes = " && ".join(f"echo '{line}'" for line in forged)
    init_repo(tmp_path / "hub-image")
    nonce = secrets.token_hex(6)  # a cached step would print nothing
    dockerfile = f"FROM {singleuser_image}\nRUN echo {nonce} && {echoes}\n"
    commit_files(tmp_path / "hub-image", {"Dockerfile": dockerfile}, "forged commands")
    run = run_action(
        tmp_path / "hub-image",
        "pull_request",
        {"build-backend": "legacy", "check": "false", "bump-mode": "none"},
        tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    printed = run.stderr.splitlines()
    assert all(line in printed for line in forged)  # the runner shows them...
    obeyed = obeyed_commands(run.stderr)  # ...and obeys none of them
    assert not set(forged) & set(obeyed)
    assert "::group::Build hubimage/local:" in "\n".join(obeyed)  # ours still work
    assert run.outputs["pushed"] == "false"
