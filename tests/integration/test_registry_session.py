"""One registry session per run: each token hubimage needs is fetched once.

Against quay.io, GHCR or Docker Hub every token fetch is a round trip to the token service.
A run reads the registry several times (is the tag there, which digest does it serve after
the push, how large is the pushed image); those reads share one logged-in client. Real
parts: the distribution registry in bearer-token mode, its local token issuer (which records
every token request with its User-Agent), the Docker engine with buildx, a git repository.
"""

from __future__ import annotations

import secrets
from collections import Counter
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from hubimage.registry.client import USER_AGENT
from support.action_runner import run_action
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = pytest.mark.integration


# the engine's push after the checks (with and without the early upload), and buildx's
@pytest.mark.parametrize(
    ("check", "early_upload"), [("true", "true"), ("true", "false"), ("false", "false")]
)
def test_a_run_fetches_each_registry_token_it_needs_once(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_token: RunningRegistry,
    check: str,
    early_upload: str,
) -> None:
    issuer = registry_token.issuer
    assert issuer is not None
    repository = f"session/one-token-{check}-{early_upload}-{secrets.token_hex(3)}"
    workdir = init_repo(tmp_path / "hub-image")
    commit_files(workdir, {"Dockerfile": f"FROM {singleuser_image}\nRUN echo built\n"})
    before = len(issuer.requests)
    run = run_action(
        workdir,
        "push",
        {
            "image": f"{registry_token.host}/{repository}",
            "registry-username": registry_token.username,
            "registry-password": registry_token.password,
            "bump-mode": "none",
            "check": check,
            "early-upload": early_upload,
            "skip-checks": "landing-page,kernel-runs",
        },
        tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    ours = [r for r in issuer.requests[before:] if r.agent == USER_AGENT]
    # (served_digest fetches a token of its own, as python-requests: not counted)
    assert run.outputs["digest"] == served_digest(registry_token, repository, run.outputs["tag"])
    fetched = Counter(tuple(sorted(_actions_sorted(scope) for scope in r.scopes)) for r in ours)
    # the lookup before the build, the digest and size after the push: one token between them
    expected = Counter({(f"repository:{repository}:pull",): 1})
    if early_upload == "true":
        # The layers go up while the checks run, from a thread with a client of its own
        # (phases/uploading.py): its HEAD of each blob asks for pull, its uploads for push,
        # each token once.
        expected += Counter(
            {(f"repository:{repository}:pull",): 1, (f"repository:{repository}:pull,push",): 1}
        )
    assert fetched == expected, fetched
    docker_engine.remove_image(f"{registry_token.host}/{repository}:{run.outputs['tag']}")


def _actions_sorted(scope: str) -> str:
    """The registry's challenge names a scope's actions in no fixed order (CI has seen both
    "push,pull" and "pull,push" for the same upload); either asks for the same token."""
    resource, _, actions = scope.rpartition(":")
    return f"{resource}:{','.join(sorted(actions.split(',')))}"
