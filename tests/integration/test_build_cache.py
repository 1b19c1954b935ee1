"""Registry cache: written after the push, read on a rebuild from an emptied local store.

Real parts: buildx on the containerd store, a distribution registry with htpasswd auth behind
the fault proxy, which here only counts what it forwards (tests/support/fault_proxy.py).
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
import requests

from hubimage.engine import DockerEngine
from support.action_runner import ActionRun, run_action, secrets_found
from support.buildx_fixtures import build_cache_ids, cached_steps, prune_build_cache
from support.fault_proxy import FaultProxy
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import MANIFEST_ACCEPT, RunningRegistry

pytestmark = pytest.mark.integration
STEPS = ("COPY nonce.txt /opt/nonce.txt", "RUN head -c 2000000", "RUN echo two")


def dockerfile(base: str, last: str) -> str:
    # Each RUN step prints "ran: NAME": a step that executed says so in the build log.
    return (
        f"FROM {base}\nUSER root\nCOPY nonce.txt /opt/nonce.txt\n"
        "RUN head -c 2000000 /dev/urandom > /opt/big && echo ran: big\n"
        "RUN echo two > /opt/two && echo ran: two\n"
        f"RUN echo '{last}' > /opt/last && echo ran: last\nUSER 1000\n"
    )


def layers(registry: RunningRegistry, repository: str, tag: str) -> list[str]:
    response = requests.get(
        f"http://{registry.host}/v2/{repository}/manifests/{tag}",
        auth=(registry.username, registry.password),
        headers={"Accept": MANIFEST_ACCEPT},
        timeout=10,
    )
    response.raise_for_status()
    return [layer["digest"] for layer in response.json()["layers"]]


def build_log(run: ActionRun) -> str:
    """The Build group's lines (not the cache export's)."""
    return run.stderr.split("::group::Build", 1)[1].split("::endgroup::", 1)[0]


def steps_that_ran(run: ActionRun) -> set[str]:
    """The RUN steps that executed, by the "ran: NAME" line each prints."""
    return set(re.findall(r"^#\d+ [0-9.]+ ran: (\w+)$", build_log(run), re.MULTILINE))


def test_registry_cache_rebuild_on_an_emptied_store(
    tmp_path: Path,
    docker_engine: DockerEngine,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
) -> None:
    repository = f"cache/rebuild-{secrets.token_hex(3)}"
    workdir = init_repo(tmp_path / "hub-image")
    files = {"Dockerfile": dockerfile(singleuser_image, "one"), "nonce.txt": secrets.token_hex(8)}
    commit_files(workdir, files, "v1")
    values = {
        "image": f"{fault_proxy.host}/{repository}",
        "registry-username": registry_htpasswd.username,
        "registry-password": registry_htpasswd.password,
        "bump-mode": "none",
        "check": "false",
    }
    before = build_cache_ids()
    first = run_action(workdir, "push", values, tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    cache_ref = f"{fault_proxy.host}/{repository}:buildcache"
    assert f"build cache written: type=registry,ref={cache_ref},mode=max" in first.stderr
    assert secrets_found(first, docker_engine, [registry_htpasswd.password]) == []
    old = layers(registry_htpasswd, repository, first.outputs["tag"])

    # An emptied local store: this image and every build cache record its build made.
    docker_engine.remove_image(f"{fault_proxy.host}/{repository}:{first.outputs['tag']}")
    prune_build_cache(build_cache_ids() - before)
    fault_proxy.clear()

    commit_files(workdir, {"Dockerfile": dockerfile(singleuser_image, "two")}, "v2")
    second = run_action(workdir, "push", values, tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    cached = cached_steps(build_log(second))
    for step in STEPS:
        assert any(step in title for title in cached), (step, build_log(second))
    assert not any("RUN echo 'two'" in title for title in cached)
    assert steps_that_ran(first) == {"big", "two", "last"}
    assert steps_that_ran(second) == {"last"}  # only the changed step executed

    new = layers(registry_htpasswd, repository, second.outputs["tag"])
    unchanged = [digest for digest in old if digest in new]
    assert len(unchanged) == len(old) - 1  # only the last step's layer is new
    downloads = fault_proxy.blob_downloads()
    fetched = [r.path.rsplit("/", 1)[-1] for r in downloads]
    base_layers = unchanged[:-3]
    own_layers = unchanged[-3:]
    # The base image is in the local store: none of its layers is downloaded. The steps'
    # cached layers are downloaded at most once each: the next RUN needs their files, and the
    # checks need the image in the engine (checked before it is pushed).
    assert not set(base_layers) & set(fetched)
    assert all(fetched.count(digest) <= 1 for digest in own_layers)
    # The push uploads none of the unchanged layers: the registry already has them.
    uploads = [r.path for r in fault_proxy.requests if r.method in ("POST", "PUT", "PATCH")]
    assert not any(digest in path for digest in unchanged for path in uploads)
    print(
        f"rebuild downloaded {sum(r.size for r in downloads)} bytes in {len(downloads)} blob "
        f"GETs; unchanged own layers fetched: {sum(fetched.count(d) for d in own_layers)}/3"
    )
