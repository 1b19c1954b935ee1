"""singleuser.extraEnv and KubeSpawner.environment as the pod lists them."""

from __future__ import annotations

from pathlib import Path

from hubimage.check.kubelet import expand_kubelet_env
from hubimage.spawnprofiles.environment import pod_order
from support.spawnprofile_fixtures import applied, basehub_repo, derive

CHART = """\
jupyterhub:
  singleuser:
    extraEnv:
      SHELL: /bin/bash
"""


def _spawn(tmp_path: Path, values: str) -> tuple[dict[str, str], list[str], tuple[str, ...]]:
    entry = basehub_repo(tmp_path, CHART, {"one": ["one.values.yaml"]}, {"one.values.yaml": values})
    [spawn] = derive(tmp_path, entry, ["one"])
    environment = spawn.profiles[0].environment
    return dict(environment), [name for name, _ in environment], spawn.notes


def test_every_form_of_extra_env(tmp_path: Path) -> None:
    environment, _, notes = _spawn(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraEnv:
              PLAIN: text
              EXPLICIT: {value: given}
              NAMED: {name: NAMED, value: "with name"}
              KEY: {name: RENAMED, value: "the mapping's name wins"}
              FROM_SECRET:
                valueFrom:
                  secretKeyRef: {name: hub, key: token}
              PORT: 9125
              ENABLED: true
              EMPTY: {}
        """,
    )
    assert environment == {
        "SHELL": "/bin/bash",
        "PLAIN": "text",
        "EXPLICIT": "given",
        "NAMED": "with name",
        "RENAMED": "the mapping's name wins",
        "FROM_SECRET": "hubimage-value-from-cluster",
        "EMPTY": "",  # an EnvVar with neither value nor valueFrom is empty
    }
    assert any(
        n.startswith("singleuser.extraEnv.FROM_SECRET: valueFrom (secretKeyRef)") for n in notes
    )
    # KubeSpawner's _expand_env keeps strings, lists and mappings only
    assert any(n.startswith("singleuser.extraEnv.PORT (") and "KubeSpawner drops it" for n in notes)
    assert any(n.startswith("singleuser.extraEnv.ENABLED (") for n in notes)


def test_the_pod_lists_variables_in_kubespawners_dependency_order(tmp_path: Path) -> None:
    environment, order, _ = _spawn(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraEnv:
              Z_LAST: "$(A_FIRST)/z"
              SCRATCH: "gs://bucket/$(JUPYTERHUB_USER)"
              A_FIRST: "$(B_BASE)/a"
              B_BASE: /base
              LOOP: "$(UNKNOWN)"
        """,
    )
    # round 1: no references (or only to the spawner's own variables), sorted; then those
    # whose references are listed; what never resolves comes last
    assert order == ["B_BASE", "SCRATCH", "SHELL", "A_FIRST", "Z_LAST", "LOOP"]
    spawner = {"JUPYTERHUB_USER": "ada"}
    expanded = expand_kubelet_env(spawner, list(environment.items()))
    assert expanded["Z_LAST"] == "/base/a/z"
    assert expanded["SCRATCH"] == "gs://bucket/ada"
    assert expanded["LOOP"] == "$(UNKNOWN)"


def test_pod_order_with_a_cycle_puts_the_cycle_last_sorted() -> None:
    assert pod_order({"B": "$(A)", "A": "$(B)", "C": "c"}) == ["C", "A", "B"]


def test_hub_config_environment_replaces_extra_env_whole(tmp_path: Path) -> None:
    environment, _, notes = _spawn(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraEnv:
              FROM_VALUES: lost
          hub:
            config:
              KubeSpawner:
                environment:
                  FROM_HUB_CONFIG: kept
              Spawner:
                environment:
                  OUTRANKED: never
        """,
    )
    # z2jh: c["KubeSpawner"].update(hub.config.KubeSpawner) replaces the key set from extraEnv
    assert environment == {"FROM_HUB_CONFIG": "kept"}
    assert any(n.startswith("hub.config.Spawner.environment (") and "outranked" in n for n in notes)


def test_notebook_dir_becomes_jupyterhub_root_dir(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["one.values.yaml"]},
        {
            "one.values.yaml": (
                "jupyterhub:\n  hub:\n    config:\n      Spawner:\n        notebook_dir: /srv\n"
            )
        },
    )
    [spawn] = derive(tmp_path, entry, ["one"])
    profile = spawn.profiles[0]
    assert dict(profile.environment)["JUPYTERHUB_ROOT_DIR"] == "/srv"
    assert applied(profile, "hub.config.Spawner.notebook_dir").source == (
        "config/clusters/test/one.values.yaml:5"
    )
