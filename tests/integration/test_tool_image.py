"""hubimage's container image, used the way CI systems other than GitHub Actions use it.

The image is built from the top-level Dockerfile on the `python_base_image` stand-in (no
image can be pulled here) and run with the Docker socket mounted and host networking: it
builds an image repository's image on the host's engine and checks it, the check's hub
stand-in listening on 127.0.0.1 inside the tool's container.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
from pathlib import Path

import pytest
import requests

import hubimage
from hubimage.engine import DockerEngine, image_labels
from support import bad_images
from support.gitrepo import commit_files, init_repo
from support.registry_fixtures import MANIFEST_ACCEPT, RunningRegistry
from support.tool_image import tool_image

DOCKER_SOCKET = Path("/var/run/docker.sock")
TEST_IMAGE = "hii-tool-test/img"


@pytest.fixture(scope="module")
def hubimage_tool_image(docker_engine: DockerEngine, python_base_image: str) -> str:
    return tool_image(docker_engine, python_base_image)


def run_tool(
    image: str,
    *args: str,
    mounts: dict[Path, str] | None = None,
    secrets_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`docker run` of the tool image with the host's Docker socket, as a CI job does it."""
    if not DOCKER_SOCKET.is_socket():
        pytest.skip(f"the engine's socket {DOCKER_SOCKET} is not here to mount into the tool")
    volumes = [f"{DOCKER_SOCKET}:/var/run/docker.sock"]
    volumes += [f"{host}:{inside}" for host, inside in (mounts or {}).items()]
    command = ["docker", "run", "--rm", "--network", "host"]
    for volume in volumes:
        command += ["-v", volume]
    for name in secrets_env or {}:
        command += ["-e", name]  # the value comes from the environment, never from argv
    return subprocess.run(
        [*command, image, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(secrets_env or {})},
        timeout=240,
        check=False,
    )


def image_repository(path: Path, base: str, files: dict[str, str] | None = None) -> Path:
    """A user's image repository under git: a Dockerfile that adds a file to `base`."""
    repo = init_repo(path)
    dockerfile = f"FROM {base}\nCOPY README.md /srv/repo/README.md\n"
    commit_files(repo, {"Dockerfile": dockerfile, "README.md": "# analysis\n", **(files or {})})
    return repo


@pytest.mark.integration
def test_tool_image_prints_the_package_version(hubimage_tool_image: str) -> None:
    done = subprocess.run(
        ["docker", "run", "--rm", hubimage_tool_image, "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"hubimage {hubimage.__version__}"


@pytest.mark.integration
def test_tool_image_builds_and_checks_through_the_mounted_socket(
    docker_engine: DockerEngine, hubimage_tool_image: str, singleuser_image: str, tmp_path: Path
) -> None:
    repo = image_repository(tmp_path / "repo", singleuser_image)
    tag = f"t1-{secrets.token_hex(4)}"  # parallel runs do not share a tag
    docker_engine.remove_image(f"{TEST_IMAGE}:{tag}")
    try:
        built = run_tool(
            hubimage_tool_image,
            *("build", "/work", "--image", TEST_IMAGE, "--tag", tag, "--json"),
            mounts={repo: "/work"},
        )
        assert built.returncode == 0, built.stderr
        summary = json.loads(built.stdout)
        assert summary["local-image"] == f"{TEST_IMAGE}:{tag}"
        # The image is in the host's engine, not in the tool's container.
        info = docker_engine.require_image(f"{TEST_IMAGE}:{tag}")
        assert info["Id"] == summary["image-id"]
        assert "io.hubimage.build" in image_labels(info)

        checked = run_tool(hubimage_tool_image, "check", f"{TEST_IMAGE}:{tag}", "--json")
        assert checked.returncode == 0, checked.stderr
        statuses = {r["name"]: r["status"] for r in json.loads(checked.stdout)["results"]}
        # server-starts needs the hub stand-in on 127.0.0.1 of the tool's container to be
        # reachable from the checked container: host networking on both sides.
        assert statuses["server-starts"] == "pass", checked.stdout
        assert statuses["singleuser-command"] == "pass"
        assert statuses["repo-visible"] == "pass"
        assert statuses["image-tests"] == "skip"  # no --context: nothing to bind-mount
    finally:
        docker_engine.remove_image(f"{TEST_IMAGE}:{tag}")


@pytest.mark.integration
def test_tool_image_builds_with_buildkit_through_its_own_buildx(
    docker_engine: DockerEngine, hubimage_tool_image: str, singleuser_image: str, tmp_path: Path
) -> None:
    """The tool image carries the docker CLI and buildx: BuildKit-only syntax builds there
    as on GitHub's runners, instead of the legacy fallback refusing it."""
    dockerfile = (
        f"FROM {singleuser_image}\nUSER root\n"
        "COPY --chmod=750 README.md /srv/readme\n"
        "RUN <<EOF\nset -e\necho from-a-heredoc > /srv/heredoc\nEOF\nUSER 1000\n"
    )
    repo = init_repo(tmp_path / "repo")
    commit_files(repo, {"Dockerfile": dockerfile, "README.md": "# analysis\n"})
    tag = f"t3-{secrets.token_hex(4)}"
    try:
        built = run_tool(
            hubimage_tool_image,
            *("build", "/work", "--image", TEST_IMAGE, "--tag", tag, "--json"),
            mounts={repo: "/work"},
        )
        assert built.returncode == 0, built.stderr
        assert json.loads(built.stdout)["backend"] == "buildx", built.stderr
        assert "build backend: buildx" in built.stderr or "on buildx" in built.stderr
        seen = subprocess.run(
            ["docker", "run", "--rm", "--user", "0", f"{TEST_IMAGE}:{tag}",
             "sh", "-c", "stat -c %a /srv/readme; cat /srv/heredoc"],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert seen.stdout.split() == ["750", "from-a-heredoc"], seen.stderr
    finally:
        docker_engine.remove_image(f"{TEST_IMAGE}:{tag}")


@pytest.mark.integration
def test_tool_image_runs_image_tests_when_the_repository_has_the_same_path_inside(
    docker_engine: DockerEngine, hubimage_tool_image: str, singleuser_image: str, tmp_path: Path
) -> None:
    """image-tests bind-mounts a *host* path into the checked container: the tool's container
    must see the repository at the path it has on the host (`-v "$PWD:$PWD"`)."""
    base = bad_images.with_pytest(docker_engine, singleuser_image)
    test_file = (
        'import os\n\n\ndef test_repo_copied():\n    assert os.path.isfile("/srv/repo/README.md")\n'
    )
    repo = image_repository(tmp_path / "repo", base, {"image-tests/test_repo.py": test_file})
    tag = f"t2-{secrets.token_hex(4)}"
    try:
        built = run_tool(
            hubimage_tool_image,
            *("build", str(repo), "--image", TEST_IMAGE, "--tag", tag),
            mounts={repo: str(repo)},
        )
        assert built.returncode == 0, built.stderr
        checked = run_tool(
            hubimage_tool_image,
            *("check", f"{TEST_IMAGE}:{tag}", "--context", str(repo)),
            *("--only", "image-tests", "--json"),
            mounts={repo: str(repo)},
        )
        assert checked.returncode == 0, checked.stderr
        [result] = json.loads(checked.stdout)["results"]
        assert result["status"] == "pass", result
        assert "1 passed" in result["summary"]
    finally:
        docker_engine.remove_image(f"{TEST_IMAGE}:{tag}")


@pytest.mark.integration
def test_tool_image_runs_the_whole_pipeline_and_pushes_to_a_registry(
    docker_engine: DockerEngine,
    hubimage_tool_image: str,
    singleuser_image: str,
    registry_htpasswd: RunningRegistry,
    unique_repository: str,
    tmp_path: Path,
) -> None:
    """`hubimage run` as a GitLab job runs it: build, check, push; credentials from env."""
    repo = image_repository(tmp_path / "repo", singleuser_image)
    image = f"{registry_htpasswd.host}/{unique_repository}"
    tag = f"r-{secrets.token_hex(4)}"
    credentials = {
        "HUBIMAGE_REGISTRY_USERNAME": registry_htpasswd.username,
        "HUBIMAGE_REGISTRY_PASSWORD": registry_htpasswd.password,
    }
    try:
        done = run_tool(
            hubimage_tool_image,
            *("run", "--context", str(repo), "--image", image, "--tag", tag),
            *("--push", "true", "--bump-mode", "none", "--json"),
            mounts={repo: str(repo)},
            secrets_env=credentials,
        )
        assert done.returncode == 0, done.stderr
        assert registry_htpasswd.password not in done.stdout + done.stderr
        manifest = requests.get(
            f"http://{registry_htpasswd.host}/v2/{unique_repository}/manifests/{tag}",
            auth=(registry_htpasswd.username, registry_htpasswd.password),
            headers={"Accept": MANIFEST_ACCEPT},
            timeout=10,
        )
        assert manifest.status_code == 200, manifest.text
        assert manifest.headers["Docker-Content-Digest"] in done.stdout
    finally:
        docker_engine.remove_image(f"{image}:{tag}")
