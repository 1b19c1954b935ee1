"""What the spawner makes of the values: command, storage, limits, timeouts, known snippets."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.check.profile import ZERO_TO_JUPYTERHUB, SpawnProfile
from support.spawnprofile_fixtures import applied, basehub_repo, derive

CHART = """\
jupyterhub:
  singleuser:
    memory:
      limit: 1G
"""


def _profile(
    tmp_path: Path, values: str, chart: str = CHART
) -> tuple[SpawnProfile, tuple[str, ...]]:
    entry = basehub_repo(tmp_path, chart, {"one": ["one.values.yaml"]}, {"one.values.yaml": values})
    [spawn] = derive(tmp_path, entry, ["one"])
    [profile] = spawn.profiles
    return profile, spawn.notes


@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("start-notebook.sh --debug", ("start-notebook.sh --debug",)),  # one command, not split
        ("[jupyterhub-singleuser, --debug]", ("jupyterhub-singleuser", "--debug")),
        ("null", None),  # the image's CMD
        ("[]", None),
    ],
)
def test_singleuser_cmd(tmp_path: Path, cmd: str, expected: tuple[str, ...] | None) -> None:
    profile, _ = _profile(tmp_path, f"jupyterhub:\n  singleuser:\n    cmd: {cmd}\n")
    assert profile.cmd == expected


def test_kubespawner_keys_outrank_spawner_keys_and_args_follow_cmd(tmp_path: Path) -> None:
    profile, notes = _profile(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            cmd: from-singleuser
            defaultUrl: /from-singleuser
          hub:
            config:
              KubeSpawner:
                cmd: [from-kubespawner]
                args: [--flag]
              Spawner:
                default_url: /from-spawner-section
                http_timeout: 45
        """,
    )
    assert profile.cmd == ("from-kubespawner",)
    assert profile.args == ("--flag",)
    # hub.config.Spawner replaces what z2jh put in the Spawner section (singleuser.defaultUrl)
    assert profile.default_url == "/from-spawner-section"
    assert profile.http_timeout == 45
    assert any(n.startswith("singleuser.cmd (singleuser.cmd, ") and "outranked" in n for n in notes)


def test_args_without_cmd_are_dropped(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        "jupyterhub:\n  singleuser:\n    cmd: null\n  hub:\n    config:\n      Spawner:\n"
        "        args: [--x]\n",
    )
    assert (profile.cmd, profile.args) == (None, ())
    assert "args are dropped: without cmd KubeSpawner runs the image's CMD alone" in (
        profile.not_evaluated
    )


def test_storage_none_has_no_home_and_says_so(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        "jupyterhub:\n  singleuser:\n    storage:\n      type: none\n      homeMountPath: /x\n",
    )
    assert profile.home_mount_path is None
    home = applied(profile, "singleuser.storage.homeMountPath")
    assert (home.value, home.source) == (
        "(none: no home volume)",
        "config/clusters/test/one.values.yaml:4",
    )


def test_storage_static_mounts_home_at_home_mount_path(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        "jupyterhub:\n  singleuser:\n    storage:\n"
        "      type: static\n      homeMountPath: /home/rstudio\n",
    )
    assert profile.home_mount_path == "/home/rstudio"


def test_extra_volume_mounts_mapping_and_list(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            storage:
              extraVolumeMounts:
                b-shared: {name: home, mountPath: /shared, subPath: _shared, readOnly: true}
                a-shm: {name: shm, mountPath: /dev/shm}
                c-gone: null
        """,
    )
    # KubeSpawner sorts volume_mounts by key; the dynamic home volume comes first
    assert [(m.mount_path, m.read_only) for m in profile.volume_mounts] == [
        ("/dev/shm", False),
        ("/shared", True),
    ]
    assert profile.home_mount_path == "/home/jovyan"


@pytest.mark.parametrize(
    ("limit", "size", "noted"),
    [
        ("2G", 2 * 1024**3, False),
        ("1.5G", int(1.5 * 1024**3), False),
        (1073741824, 1024**3, False),
        ("2Gi", 2 * 1024**3, True),  # Kubernetes' unit, which JupyterHub refuses
        ("lots", None, True),
    ],
)
def test_memory_limits(tmp_path: Path, limit: object, size: int | None, noted: bool) -> None:
    profile, _ = _profile(
        tmp_path, f"jupyterhub:\n  singleuser:\n    memory:\n      limit: {limit}\n"
    )
    assert profile.memory_limit == size
    assert (
        any(
            n.startswith("singleuser.memory.limit (config/clusters/test/one.values.yaml:4)")
            for n in profile.not_evaluated
        )
        is noted
    )


def test_cpu_limit_uid_privilege_escalation_and_timeouts(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            cpu: {limit: 0.5}
            uid: 0
            fsGid: null
            allowPrivilegeEscalation: null
            startTimeout: 900
          hub:
            config:
              KubeSpawner: {http_timeout: 90, working_dir: /srv}
        """,
    )
    assert profile.cpu_limit == 0.5
    assert (profile.uid, profile.fs_gid) == (0, None)
    assert profile.allow_privilege_escalation is True  # unset in the pod: Kubernetes allows it
    assert (profile.http_timeout, profile.start_timeout) == (90, 900)
    assert profile.working_dir == "/srv"
    assert applied(profile, "hub.config.KubeSpawner.http_timeout").value == "90"
    # http_timeout was set (as KubeSpawner's): no Zero to JupyterHub default is claimed for it
    assert not [a for a in profile.applied if a.setting == "hub.config.Spawner.http_timeout"]
    assert applied(profile, "singleuser.cmd").source == ZERO_TO_JUPYTERHUB


DASKHUB_SNIPPET = """\
jupyterhub:
  singleuser:
    defaultUrl: /tree
  hub:
    extraConfig:
      daskhub-01-add-dask-gateway-values: |
        from z2jh import get_config
        if get_config('custom.daskhubSetup.enabled'):
          c.Spawner.default_url = '/lab'
      99-other: |
        c.KubeSpawner.extra_labels = {}
"""


@pytest.mark.parametrize(("enabled", "url"), [("true", "/lab"), ("false", "/tree")])
def test_daskhub_setup_sets_the_default_url(tmp_path: Path, enabled: str, url: str) -> None:
    profile, notes = _profile(
        tmp_path,
        f"jupyterhub:\n  custom:\n    daskhubSetup:\n      enabled: {enabled}\n",
        chart=DASKHUB_SNIPPET,
    )
    assert profile.default_url == url
    assert "hub.extraConfig (1 snippet: 99-other) is Python code: not evaluated" in notes
    if enabled == "true":
        shown = applied(profile, "custom.daskhubSetup.enabled")
        assert shown.source == "config/clusters/test/one.values.yaml:4"
        assert shown.value.startswith("/lab (hub.extraConfig.daskhub-01-add-dask-gateway-values")


BINDER = """\
jupyterhub:
  singleuser:
    startTimeout: 600
  hub:
    extraConfig:
      0-binderspawnermixin: |
        class BinderSpawnerMixin(Configurable):
            pass
      02-basehub-spawner: |
        spawner_base_classes = [KubeSpawner]
        if get_config("custom.binderhubUI.enabled"):
            spawner_base_classes = [BinderSpawnerMixin, KubeSpawner]
            c.Spawner.start_timeout = 15 * 60
"""


def test_a_binder_hub_gets_binderhubs_arguments(tmp_path: Path) -> None:
    profile, notes = _profile(
        tmp_path,
        """\
        jupyterhub:
          custom:
            binderhubUI:
              enabled: true
          hub:
            config:
              BinderSpawnerMixin:
                auth_enabled: false
                cors_allow_origin: '*'
          singleuser:
            cmd: [python3, -c, run-lab]
        """,
        chart=BINDER,
    )
    assert profile.cmd == ("python3", "-c", "run-lab")
    assert profile.args == (
        "--ip=0.0.0.0",
        "--port=8888",
        "--NotebookApp.base_url=$(JUPYTERHUB_SERVICE_PREFIX)",
        "--NotebookApp.token=$(JUPYTERHUB_API_TOKEN)",
        "--NotebookApp.trust_xheaders=True",
        "--NotebookApp.allow_origin=*",
        "--NotebookApp.allow_origin_pat=.*",
        "--ServerApp.base_url=$(JUPYTERHUB_SERVICE_PREFIX)",
        "--ServerApp.token=$(JUPYTERHUB_API_TOKEN)",
        "--ServerApp.trust_xheaders=True",
        "--ServerApp.allow_origin=*",
        "--ServerApp.allow_origin_pat=.*",
    )
    # its c.Spawner.start_timeout loses to z2jh's c.KubeSpawner.start_timeout
    assert profile.start_timeout == 600
    assert any("sets Spawner.start_timeout" in n and "outranked" in n for n in notes)


def test_a_binder_hub_with_auth_enabled_keeps_spawner_args(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        """\
        jupyterhub:
          custom: {binderhubUI: {enabled: true}}
          hub:
            config:
              BinderSpawnerMixin: {auth_enabled: true}
              Spawner: {args: [--debug]}
        """,
        chart=BINDER,
    )
    assert profile.args == ("--debug",)


def test_code_is_noted_not_reproduced(tmp_path: Path) -> None:
    profile, _ = _profile(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            lifecycleHooks:
              postStart: {exec: {command: [sh, -c, echo]}}
            initContainers: [{name: fix, image: busybox}]
            nodeSelector: {pool: user}
            extraPodConfig: {}
        """,
    )
    notes = profile.not_evaluated
    assert any(
        n.startswith("lifecycle hooks (postStart, preStop): singleuser.lifecycleHooks (")
        for n in notes
    )
    assert any(n.startswith("init containers: singleuser.initContainers (") for n in notes)
    assert any(
        n.startswith("node selectors, tolerations and affinity: singleuser.nodeSelector (")
        for n in notes
    )
    assert not any("extraPodConfig" in n for n in notes)  # empty: nothing to say


@pytest.mark.parametrize(
    ("values", "note"),
    [
        ("singleuser:\n    extraEnv: [a, b]", "singleuser.extraEnv (config/clusters/test/one"),
        ("singleuser:\n    extraFiles: [x]", "singleuser.extraFiles (config/clusters/test/one"),
        ("singleuser:\n    extraFiles: {a: 3}", "singleuser.extraFiles.a ("),
        ("singleuser:\n    profileList: [1]", "profileList[0] is not a mapping: left out"),
        ("singleuser:\n    uid: x", "singleuser.uid (config/clusters/test/one.values.yaml:3)"),
        ("singleuser:\n    defaultUrl: 5", "singleuser.defaultUrl (config/clusters/test/one"),
        ("singleuser:\n    startTimeout: soon", "singleuser.startTimeout ("),
        ("hub:\n    config: {Spawner: {cmd: {a: 1}}}", "hub.config.Spawner.cmd: {'a': 1} is no"),
        ("hub:\n    config: {Spawner: {args: oops}}", "hub.config.Spawner.args: 'oops' is no"),
        ("hub:\n    config: {KubeSpawner: {http_timeout: x}}", "hub.config.KubeSpawner.http_"),
        ("singleuser:\n    cpu: {limit: 500m}", "singleuser.cpu.limit ("),
        ("singleuser:\n    profileList: [{profile_options: {a: {choices: [1]}}}]", "no profile of"),
    ],
)
def test_unusable_values_become_notes(tmp_path: Path, values: str, note: str) -> None:
    profile, notes = _profile(tmp_path, f"jupyterhub:\n  {values}\n")
    assert any(n.startswith(note) for n in notes), notes
    assert profile.http_timeout in (30, 45)  # and the rest still derived
