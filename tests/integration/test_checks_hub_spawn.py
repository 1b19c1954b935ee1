"""`hubimage check IMAGE --hub-config FILE --hub NAME ...`: the image as each hub spawns it.

Config repositories laid out as 2i2c's (chart defaults in helm-charts/basehub/values.yaml, a
cluster.yaml, values files) and as a hubploy one; images that each break under one hub's
settings only. Every bad image fails under the hub that exposes it and passes where that
hub's settings do not; the good image passes every one. Driven through the command line, as
an admin runs it in the config repository's checkout.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from hubimage.engine import DockerEngine
from support import spawn_images
from support.action_runner import assert_nothing_published, run_action
from support.gitrepo import commit_files, init_repo
from support.hub_trees import hubploy_tree, two_i2c_tree
from support.registry_fixtures import RunningRegistry

pytestmark = pytest.mark.integration

HUBS = {
    # basehub's defaults: the wrapper start command, 1G, http_timeout 120, /lab
    "wrapped": "{}",
    "plain": """\
        jupyterhub:
          singleuser:
            cmd: jupyterhub-singleuser
        """,
    "custom-root": """\
        jupyterhub:
          singleuser:
            extraEnv:
              NOTEBOOK_ROOT: /home/jovyan/$(JUPYTERHUB_USER)/notebooks
        """,
    "small": """\
        jupyterhub:
          singleuser:
            memory:
              limit: 512M
        """,
    "tree": """\
        jupyterhub:
          singleuser:
            defaultUrl: /tree
        """,
    "rstudio": """\
        jupyterhub:
          singleuser:
            defaultUrl: /rstudio
        """,
    "no-home": """\
        jupyterhub:
          singleuser:
            storage:
              type: none
        """,
    # Offers the hungry image (so every size choice runs it), in two sizes.
    "choices": """\
        jupyterhub:
          singleuser:
            image:
              name: hubimage-fixture/spawn-hungry-start
              tag: "2026.12.01"
            profileList:
              - display_name: Pick a size
                profile_options:
                  size:
                    display_name: Size
                    choices:
                      small:
                        display_name: Small
                        kubespawner_override:
                          mem_limit: 512M
                      large:
                        display_name: Large
                        default: true
                        kubespawner_override:
                          mem_limit: 2G
        """,
}


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return two_i2c_tree(tmp_path_factory.mktemp("infrastructure"), HUBS)


def check(
    image: str, config: Path, hubs: tuple[str, ...], only: tuple[str, ...], cwd: Path
) -> tuple[int, dict[str, Any], str]:
    """`hubimage check` as an admin runs it in the config repository's checkout."""
    args = ["check", image, "--hub-config", str(config.relative_to(cwd)), "--json"]
    args += [flag for hub in hubs for flag in ("--hub", hub)]
    args += [flag for name in only for flag in ("--only", name)]
    done = subprocess.run(
        [sys.executable, "-m", "hubimage", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=900,
        check=False,
    )
    assert done.stdout, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout), done.stderr


def statuses(report: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """{hub / profile: {check: status}} for every profile a hub stood for."""
    found: dict[str, dict[str, str]] = {}
    for profile in report["profiles"]:
        checks = {result["name"]: result["status"] for result in profile["results"]}
        for label in profile["stands_for"]:
            found[label] = checks
    return found


def expect_check(report: Mapping[str, Any], name: str, wanted: Mapping[str, str]) -> None:
    """Check `name` has, under each hub / profile of `wanted`, the status it names."""
    found = statuses(report)
    assert {label: found[label][name] for label in wanted} == dict(wanted), found


def result(report: Mapping[str, Any], label: str, name: str) -> dict[str, Any]:
    profile = next(p for p in report["profiles"] if label in p["stands_for"])
    return next(r for r in profile["results"] if r["name"] == name)


def root_of(cluster: Path) -> Path:
    return cluster.parents[3]  # config/clusters/test/cluster.yaml


def test_the_good_image_passes_under_every_hub(
    cluster: Path, singleuser_image: str, docker_engine: DockerEngine
) -> None:
    hubs = ("wrapped", "plain", "custom-root", "small", "no-home", "choices")
    only = ("server-starts", "spawn-time", "landing-page", "second-start")
    code, report, stderr = check(singleuser_image, cluster, hubs, only, root_of(cluster))
    assert code == 0, stderr[-3000:]
    found = statuses(report)
    assert set(found) >= {
        "wrapped / default",
        "plain / default",
        "small / default",
        "choices / Pick a size size=large",  # the default choice: the hub offers another image
    }, sorted(found)
    for label, checks in found.items():
        assert set(checks.values()) <= {"pass", "skip"}, (label, checks)
    # The wrapper from basehub's extraFiles started the server (its own line is in the log),
    # and the hub's http_timeout of 120 s, from the chart's values, is what it was judged by.
    spawn = result(report, "wrapped / default", "spawn-time")
    assert "http_timeout of 120 s (helm-charts/basehub/values.yaml:" in spawn["summary"]
    assert result(report, "no-home / default", "second-start")["status"] == "skip"
    applied = {a["setting"]: a for a in report["profiles"][0]["applied"]}
    assert applied["singleuser.cmd"]["source"].startswith("helm-charts/basehub/values.yaml:")


def test_a_start_script_that_refuses_the_hubs_wrapper_fails_only_under_that_hub(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.dispatching_start_image(docker_engine)
    code, report, _ = check(
        image, cluster, ("wrapped", "plain"), ("server-starts",), root_of(cluster)
    )
    assert code == 1
    expect_check(report, "server-starts", {"wrapped / default": "fail", "plain / default": "pass"})
    failed = result(report, "wrapped / default", "server-starts")
    assert "refusing to run unknown command /mnt/hubimage-test/run" in failed["summary"]
    assert failed["details"]["command"][-2:] == ["/mnt/hubimage-test/run", "jupyterhub-singleuser"]


def test_an_extra_env_that_changes_the_server_fails_only_where_the_hub_sets_it(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.root_from_env_image(docker_engine)
    only = ("server-starts",)
    code, report, _ = check(image, cluster, ("custom-root", "plain"), only, root_of(cluster))
    assert code == 1
    expect_check(
        report, "server-starts", {"custom-root / default": "fail", "plain / default": "pass"}
    )
    # $(JUPYTERHUB_USER) was expanded, as the kubelet expands it, before the server read it.
    failed = result(report, "custom-root / default", "server-starts")
    assert "/home/jovyan/hubimage-check/notebooks" in " ".join(failed["details"]["log_tail"])


def test_a_start_above_the_memory_limit_fails_under_the_small_hub_and_choice(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.hungry_start_image(docker_engine)
    hubs = ("small", "wrapped", "choices")
    code, report, _ = check(image, cluster, hubs, ("server-starts",), root_of(cluster))
    assert code == 1
    wanted = {
        "small / default": "fail",
        "choices / Pick a size size=small": "fail",
        "wrapped / default": "pass",  # basehub's 1G
        "choices / Pick a size size=large": "pass",
    }
    expect_check(report, "server-starts", wanted)
    failed = result(report, "small / default", "server-starts")
    assert "exited with code 137" in failed["summary"]  # the kernel's OOM kill


def test_default_urls_lab_and_tree_load_and_one_the_image_does_not_serve_fails(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.with_notebook_image(docker_engine)
    hubs = ("wrapped", "tree", "rstudio")
    code, report, _ = check(image, cluster, hubs, ("landing-page",), root_of(cluster))
    assert code == 1
    wanted = {"wrapped / default": "pass", "tree / default": "pass", "rstudio / default": "fail"}
    expect_check(report, "landing-page", wanted)
    assert result(report, "tree / default", "landing-page")["details"]["landed"].endswith("/tree")
    rstudio = result(report, "rstudio / default", "landing-page")
    assert rstudio["details"]["http_status"] == 404
    assert "the hub's default URL /rstudio" in rstudio["summary"]
    assert "jupyter-rsession-proxy" in rstudio["hint"]


def test_an_image_without_jupyterlab_fails_where_users_land_on_lab(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.no_lab_image(docker_engine)
    only = ("server-starts", "landing-page")
    code, report, _ = check(image, cluster, ("wrapped",), only, root_of(cluster))
    assert code == 1
    found = statuses(report)["wrapped / default"]
    assert found == {"server-starts": "pass", "landing-page": "fail"}
    assert "JupyterLab" in result(report, "wrapped / default", "landing-page")["hint"]


def test_a_start_that_only_works_on_an_empty_home_fails_the_second_start(
    cluster: Path, docker_engine: DockerEngine
) -> None:
    image = spawn_images.first_day_only_image(docker_engine)
    only = ("server-starts", "second-start")
    code, report, _ = check(image, cluster, ("plain", "no-home"), only, root_of(cluster))
    assert code == 1
    found = statuses(report)
    assert found["plain / default"] == {"server-starts": "pass", "second-start": "fail"}
    assert found["no-home / default"] == {"server-starts": "pass", "second-start": "skip"}
    failed = result(report, "plain / default", "second-start")
    assert "File exists" in " ".join(failed["details"]["log_tail"])
    assert "safe to run again" in failed["hint"]


@pytest.mark.timeout(600)
def test_a_server_answering_after_45_s_fails_under_30_and_passes_under_120(
    tmp_path: Path, docker_engine: DockerEngine
) -> None:
    # Berkeley's hubs (hubploy) leave http_timeout at JupyterHub's 30 s; 2i2c's set 120.
    image = spawn_images.slow_image(docker_engine)  # answers after 45 s
    only = ("server-starts", "spawn-time")
    deployments = hubploy_tree(tmp_path / "datahub", {"stat20": "{}"})
    code, report, _ = check(image, deployments, ("stat20",), only, tmp_path / "datahub")
    assert code == 1
    [checks] = statuses(report).values()
    assert checks == {"server-starts": "fail", "spawn-time": "fail"}
    spawn = report["profiles"][0]["results"][1]
    assert "http_timeout of 30 s" in spawn["summary"]
    cluster = two_i2c_tree(tmp_path / "infrastructure", {"patient": "{}"})
    code, report, _ = check(image, cluster, ("patient",), only, root_of(cluster))
    assert code == 0
    assert statuses(report)["patient / default"] == {"server-starts": "pass", "spawn-time": "pass"}


def test_the_action_pushes_and_bumps_only_when_every_named_hubs_profiles_pass(
    tmp_path: Path, docker_engine: DockerEngine, registry_htpasswd: RunningRegistry
) -> None:
    # The image repository builds on the image whose start script refuses 2i2c's wrapper.
    base = spawn_images.dispatching_start_image(docker_engine)
    workdir = init_repo(tmp_path / "hub-image")
    commit_files(workdir, {"image/Dockerfile": f"FROM {base}\n"}, "image")
    # Its own values file names a node pool, as 2i2c's do, so the bump has a block to add to.
    wrapped = "jupyterhub:\n  singleuser:\n    nodeSelector:\n      2i2c/hub-name: wrapped\n"
    hubs = {"wrapped": wrapped, "plain": HUBS["plain"]}
    cluster = two_i2c_tree(tmp_path / "infrastructure", hubs)
    only_server = "server-log,server-extensions,kernel-runs,landing-page,second-start,image-size"
    values = {
        "context": "image",
        "image": f"{registry_htpasswd.host}/spawn/img",
        "registry-username": registry_htpasswd.username,
        "registry-password": registry_htpasswd.password,
        "hub-config": str(cluster),
        "bump-mode": "file",
        "skip-checks": only_server,
    }
    refused = run_action(workdir, "push", {**values, "hubs": "plain, wrapped"}, tmp_path)
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert refused.outputs["pushed"] == "false"
    assert_nothing_published(refused, registry_htpasswd, "spawn/img")
    checks = json.loads(refused.outputs["checks"])
    assert [p["stands_for"] for p in checks["profiles"]] == [
        ["plain / default"],
        ["wrapped / default"],
    ]
    # The hubs-by-checks table: a row per hub's profile, a cell per check.
    rows = {
        line.split("|")[1].strip(): line
        for line in refused.summary.splitlines()
        if line.startswith("| plain / default |") or line.startswith("| wrapped / default |")
    }
    assert "❌" not in rows["plain / default"] and "✅" in rows["plain / default"]
    assert "❌" in rows["wrapped / default"]
    assert "checking as plain, wrapped spawn the image: 2 profile(s)" in refused.stderr

    accepted = run_action(workdir, "push", {**values, "hubs": "plain"}, tmp_path)
    assert accepted.returncode == 0, accepted.stderr[-3000:]
    assert accepted.outputs["pushed"] == "true" and accepted.outputs["bump-result"] == "updated"
    own = (cluster.parent / "plain.values.yaml").read_text()
    assert f"{registry_htpasswd.host}/spawn/img" in own and accepted.outputs["tag"] in own
