"""The early upload: layers go to the registry while the checks run, nothing else does.

Against the real registry behind the recording fault proxy (the containerd image store with
buildx: where hubimage uploads early). A failed check leaves no tag and no manifest; a passed
one pushes each blob once; a registry fault during the early upload is retried; an upload
still going when the checks pass is stopped, and the push sends the rest; with
`early-upload: false` (the default) hubimage's own client uploads nothing, the push does.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from hubimage.engine import DockerEngine
from hubimage.registry.client import USER_AGENT
from support.action_runner import ActionRun, run_action
from support.fault_proxy import Fault, FaultProxy, ProxiedRequest
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import RunningRegistry, served_digest

pytestmark = [pytest.mark.integration, pytest.mark.timeout(600)]

REPOSITORY = "early/img"


@dataclass
class ImageRuns:
    """Runs of the action on a hub image FROM the fixture image with a new layer, checked and
    pushed through the proxy to the registry."""

    tmp_path: Path
    base_image: str
    proxy: FaultProxy
    registry: RunningRegistry

    def run(self, last: str, early_upload: str = "true") -> ActionRun:
        """The image ends with `last`."""
        workdir = init_repo(self.tmp_path / "hub-image")
        dockerfile = (
            f"FROM {self.base_image}\nUSER root\nRUN head -c 3000000 /dev/urandom > /data\n{last}\n"
        )
        commit_files(workdir, {"Dockerfile": dockerfile}, "image")
        inputs = {
            "context": ".",
            "image": f"{self.proxy.host}/{REPOSITORY}",
            "registry-username": self.registry.username,
            "registry-password": self.registry.password,
            "check": "true",
            "early-upload": early_upload,
        }
        return run_action(workdir, "push", inputs, self.tmp_path)

    def passing(self, last: str, early_upload: str = "true") -> str:
        """A run that must succeed and leave the image whole in the registry by the digest it
        reports; its log."""
        run = self.run(last, early_upload)
        assert run.returncode == 0, run.stderr[-3000:]
        served = served_digest(self.registry, REPOSITORY, run.outputs["tag"])
        assert served == run.outputs["digest"]
        return run.stdout + run.stderr


@pytest.fixture
def runs(
    tmp_path: Path,
    singleuser_image: str,
    fault_proxy: FaultProxy,
    registry_htpasswd: RunningRegistry,
) -> ImageRuns:
    return ImageRuns(tmp_path, singleuser_image, fault_proxy, registry_htpasswd)


def new_layer() -> str:
    """A last layer no earlier test built, so that it must go up (the build cache would give
    an earlier test's, already in the registry), then the hub's user."""
    return f"RUN echo {uuid.uuid4().hex} > /etc/stamp\nUSER 1000"


def blob_puts(proxy: FaultProxy) -> list[ProxiedRequest]:
    return [r for r in proxy.requests if r.method == "PUT" and "/blobs/uploads/" in r.path]


def manifest_puts(proxy: FaultProxy) -> list[ProxiedRequest]:
    return [r for r in proxy.requests if r.method == "PUT" and "/manifests/" in r.path]


def hubimage_blob_writes(proxy: FaultProxy) -> list[ProxiedRequest]:
    """Blob uploads hubimage's own client made (the early upload), not the engine's push."""
    return [
        r
        for r in proxy.requests
        if "/blobs/uploads/" in r.path and r.method in ("POST", "PUT", "PATCH")
        if r.agent == USER_AGENT
    ]


def uploaded_digests(proxy: FaultProxy) -> list[str]:
    """The digest of each blob upload the registry accepted."""
    puts = [r for r in blob_puts(proxy) if r.outcome == "forwarded 201"]
    return [r.path.split("digest=", 1)[1].split("&", 1)[0] for r in puts]


def test_a_failed_check_leaves_no_tag_and_no_manifest(
    runs: ImageRuns,
    docker_engine: DockerEngine,
    registry_htpasswd: RunningRegistry,
    fault_proxy: FaultProxy,
) -> None:
    run = runs.run("USER root")

    assert run.returncode == 1, run.stderr[-3000:]
    assert "uploading the layers while the checks run" in run.stdout + run.stderr
    assert manifest_puts(fault_proxy) == []
    assert uploaded_digests(fault_proxy)  # layers went ahead, and the summary says so
    assert "of the unchecked image were uploaded" in run.summary
    assert served_digest(registry_htpasswd, REPOSITORY, run.outputs["tag"]) is None
    local = f"{run.outputs['image']}:{run.outputs['tag']}"
    built = docker_engine.require_image(local)["Id"]  # the manifest digest, on this store
    url = f"http://{registry_htpasswd.host}/v2/{REPOSITORY}/manifests/{built}"
    auth = (registry_htpasswd.username, registry_htpasswd.password)
    assert requests.head(url, auth=auth, timeout=10).status_code == 404
    docker_engine.remove_image(local)


def test_a_passed_run_uploads_each_blob_once_and_retries_a_fault(
    runs: ImageRuns, fault_proxy: FaultProxy
) -> None:
    fault_proxy.inject(
        Fault("status", count=1, status=503, methods=("PUT",), path_pattern="/blobs/uploads/")
    )
    log = runs.passing(new_layer())

    assert "early upload: " in log and "early upload failed" not in log
    assert "status 503" in fault_proxy.outcomes()  # the fault hit the early upload, retried
    digests = uploaded_digests(fault_proxy)
    assert len(digests) == len(set(digests)), digests  # no blob uploaded twice
    # the push after the checks wrote the new config and the manifest, nothing before them
    puts = fault_proxy.requests
    first_manifest = puts.index(manifest_puts(fault_proxy)[0])
    layers_before = [r for r in blob_puts(fault_proxy) if puts.index(r) < first_manifest]
    assert len(layers_before) >= 2
    assert hubimage_blob_writes(fault_proxy)  # the early upload's own requests, not the push's


def test_the_push_does_not_wait_for_an_upload_still_going_when_the_checks_pass(
    runs: ImageRuns, fault_proxy: FaultProxy
) -> None:
    # The early upload's blob uploads hang (each attempt until the client's read timeout),
    # for longer than the checks take: the run stops the upload when they pass, and the
    # engine's push sends what is missing (a stall left over may slow it, not stop it).
    fault_proxy.inject(
        Fault("stall", count=3, seconds=90, methods=("PUT",), path_pattern="/blobs/uploads/")
    )
    # the engine's push sends what the stopped upload had not: `passing` finds it whole
    log = runs.passing(new_layer())

    assert "early upload stopped when the checks passed" in log, log[-3000:]
    assert any(r.outcome.startswith("stall") for r in fault_proxy.requests)


def test_early_upload_false_leaves_every_layer_to_the_push_after_the_checks(
    runs: ImageRuns, fault_proxy: FaultProxy
) -> None:
    log = runs.passing(new_layer(), early_upload="false")

    assert "no early upload: early-upload is false" in log, log[-3000:]
    assert uploaded_digests(fault_proxy)  # the layers did go up: by the engine's push
    assert hubimage_blob_writes(fault_proxy) == []
