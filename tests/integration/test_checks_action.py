"""The checks as the action runs them: the screenshot uploaded as an artifact and linked from
the job summary, and the compressed size read from the registry after the push."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from hubimage.check.landing import SCREENSHOT_NAME
from hubimage.check.pushed import verify_pushed_size
from hubimage.engine import DockerEngine
from hubimage.errors import ChecksFailedError
from hubimage.gha import Reporter
from hubimage.phases.stage_requests import ARTIFACTS_FOLDER
from hubimage.reference import ImageReference
from hubimage.registry import resolve_login
from support.action_runner import REPO_ROOT, run_action
from support.gitrepo import commit_files, init_repo
from support.png_pixels import read_png
from support.registry_fixtures import RunningRegistry

pytestmark = pytest.mark.integration

ACTION_TEXT = (REPO_ROOT / "action.yml").read_text()
STEPS: list[dict[str, Any]] = YAML(typ="safe").load(ACTION_TEXT)["runs"]["steps"]
RUN_URL = "https://github.com/my-org/hub-image/actions/runs/4242"  # action_runner's run


def step(step_id: str) -> dict[str, Any]:
    return next(s for s in STEPS if s.get("id") == step_id)


def test_the_screenshot_is_uploaded_by_a_pinned_upload_artifact_step_after_the_run() -> None:
    upload = step("screenshot")
    uses = upload["uses"]
    assert re.fullmatch(r"actions/upload-artifact@[0-9a-f]{40}", uses)
    # Pinned by commit, the version it is said in a comment on the same line.
    assert re.search(re.escape(uses) + r"\s+# v\d+\.\d+\.\d+\n", ACTION_TEXT)
    assert upload["if"] == "always()"  # a failed check's screenshot matters most
    assert upload["with"]["path"] == "${{ runner.temp }}/" + ARTIFACTS_FOLDER + "/"
    assert upload["with"]["if-no-files-found"] == "ignore"  # landing-page skipped or not run
    assert upload["with"]["name"] == "${{ steps.artifact-name.outputs.name }}"
    order = [s.get("id") for s in STEPS]
    assert order.index("run") < order.index("artifact-name") < order.index("screenshot")


def bash_step(step_id: str, env: dict[str, str]) -> None:
    subprocess.run(["bash", "-e", "-c", step(step_id)["run"]], env=env, check=True)


def test_the_artifact_name_is_valid_and_the_link_lands_in_the_job_summary(tmp_path: Path) -> None:
    output, summary = tmp_path / "output", tmp_path / "summary"
    env = {"GITHUB_JOB": "build", "INPUT_IMAGE": "quay.io/org/img", "GITHUB_OUTPUT": str(output)}
    bash_step("artifact-name", env)
    name = output.read_text().strip().removeprefix("name=")
    assert name == "hubimage-landing-page-build-quay.io-org-img"
    assert not set(name) & set('"/:<>|*?\\\r\n')  # upload-artifact refuses these
    link = next(s for s in STEPS if "steps.screenshot.outputs.artifact-url" in s.get("if", ""))
    url = "https://github.com/o/r/actions/runs/1/artifacts/99"
    env = {"ARTIFACT_URL": url, "GITHUB_STEP_SUMMARY": str(summary)}
    subprocess.run(["bash", "-e", "-c", link["run"]], env=env, check=True)
    assert f"]({url})" in summary.read_text()


def image_repo(path: Path, base_image: str) -> Path:
    init_repo(path)
    commit_files(path, {"Dockerfile": f"FROM {base_image}\nLABEL org.example.test=checks\n"}, "i")
    return path


def test_a_pull_request_run_keeps_the_screenshot_where_the_action_uploads_it_and_links_it(
    tmp_path: Path, singleuser_image: str
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    inputs = {"image": "quay.io/my-org/hub-image", "hub-version": "6.1.1"}
    run = run_action(workdir, "pull_request", inputs, tmp_path)
    assert run.returncode == 0, run.stderr[-3000:]
    checks = {r["name"]: r for r in json.loads(run.outputs["checks"])["results"]}
    assert checks["landing-page"]["status"] == "pass"
    assert checks["kernel-runs"]["status"] == "pass"
    screenshot = tmp_path / ARTIFACTS_FOLDER / SCREENSHOT_NAME  # RUNNER_TEMP is tmp_path
    assert checks["landing-page"]["details"]["screenshot"] == str(screenshot)
    assert read_png(screenshot).width == 1280
    assert "| `landing-page` | ✅ pass |" in run.summary
    assert f"`{SCREENSHOT_NAME}` in [this run's artifacts]({RUN_URL}#artifacts)" in run.summary


ACCEPT = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)


def registry_get(registry: RunningRegistry, repository: str, reference: str) -> requests.Response:
    response = requests.get(
        f"http://{registry.host}/v2/{repository}/manifests/{reference}",
        auth=(registry.username, registry.password),
        headers={"Accept": ACCEPT},
        timeout=10,
    )
    response.raise_for_status()
    return response


def manifest_size(registry: RunningRegistry, repository: str, reference: str) -> int:
    """Config and layer sizes of the linux/amd64 image, read from the registry directly (not
    through hubimage); an index (what a containerd image store pushes) is followed."""
    manifest = registry_get(registry, repository, reference).json()
    if "manifests" in manifest:
        entry = next(
            m for m in manifest["manifests"] if m.get("platform", {}).get("architecture") == "amd64"
        )
        manifest = registry_get(registry, repository, entry["digest"]).json()
    return int(manifest["config"]["size"]) + sum(int(layer["size"]) for layer in manifest["layers"])


def test_the_compressed_size_is_read_from_the_registry_after_the_push_and_judged(
    tmp_path: Path, singleuser_image: str, registry_htpasswd: RunningRegistry
) -> None:
    workdir = image_repo(tmp_path / "hub-image", singleuser_image)
    repository = "checks/pushed-size"
    inputs = {
        "image": f"{registry_htpasswd.host}/{repository}",
        "registry-username": registry_htpasswd.username,
        "registry-password": registry_htpasswd.password,
        "hub-version": "6.1.1",
        "bump-mode": "none",
        "skip-checks": "landing-page,kernel-runs",
        "max-compressed-size": "1MB",
    }
    run = run_action(workdir, "push", inputs, tmp_path)
    assert run.returncode == 1, run.stderr[-3000:]
    assert run.outputs["pushed"] == "true", run.stderr[
        -3000:
    ]  # pushed, and then judged: no hub points at it
    results = {r["name"]: r for r in json.loads(run.outputs["checks"])["results"]}
    pushed = results["pushed-size"]
    assert pushed["status"] == "fail"
    digest = registry_get(registry_htpasswd, repository, run.outputs["tag"]).headers[
        "Docker-Content-Digest"
    ]
    assert digest == run.outputs["digest"]
    assert pushed["details"]["compressed_bytes"] == manifest_size(
        registry_htpasswd, repository, digest
    )
    assert "above its budget of 1.0 MB (max-compressed-size)" in run.stderr
    assert "| `pushed-size` | ❌ fail |" in run.summary
    assert "landing-page" not in results and "kernel-runs" not in results  # skip-checks


def test_pushed_size_reads_the_manifest_the_registry_serves(
    docker_engine: DockerEngine, registry_htpasswd: RunningRegistry, singleuser_image: str
) -> None:
    # Pushed by the engine directly: this reads what any push left in the registry.
    repository, tag = "checks/pushed-size-direct", "v1"
    target = f"{registry_htpasswd.host}/{repository}"
    docker_engine.client.images.get(singleuser_image).tag(target, tag)
    auth = {"username": registry_htpasswd.username, "password": registry_htpasswd.password}
    for event in docker_engine.client.api.push(
        target, tag, auth_config=auth, stream=True, decode=True
    ):
        assert "error" not in event, event
    digest = registry_get(registry_htpasswd, repository, tag).headers["Docker-Content-Digest"]
    name = ImageReference.parse(target)
    login = resolve_login(name, registry_htpasswd.credentials)
    expected = manifest_size(registry_htpasswd, repository, digest)
    assert 10**6 < expected < docker_engine.require_image(singleuser_image)["Size"]  # compressed

    checks: dict[str, Any] = {"failed": False, "results": []}
    verify_pushed_size(name, digest, login, None, checks, Reporter())
    (within,) = checks["results"]
    assert (within["status"], within["details"]["compressed_bytes"]) == ("pass", expected)

    with pytest.raises(ChecksFailedError, match="max-compressed-size"):
        verify_pushed_size(name, digest, login, expected - 1, checks, Reporter())
    assert checks["failed"] and checks["results"][-1]["status"] == "fail"
