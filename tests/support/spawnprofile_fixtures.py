"""Small hand-written hub config repositories for the spawn-profile tests.

`write_tree(root, {path: text})` writes files (dedented); `basehub_repo` lays out a 2i2c-style
repository with a basehub chart (its values.yaml given) and one cluster whose hubs list their
values files; `derive` reads a repository through a reader of paths relative to its root.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from hubimage.check.profile import Applied, SpawnProfile
from hubimage.reference import ImageReference
from hubimage.spawnprofiles import HubSpawn, derive_spawn_profiles

BASEHUB_CHART = """\
apiVersion: v2
name: basehub
version: "0.1.0"
dependencies:
  - name: jupyterhub
    version: 4.3.3
    repository: https://jupyterhub.github.io/helm-chart/
"""

DASKHUB_CHART = """\
apiVersion: v2
name: daskhub
version: "0.1.0"
dependencies:
  - name: basehub
    version: "0.1.0"
    repository: file://../basehub
"""


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def cluster_yaml(hubs: Mapping[str, Sequence[str]], chart: str = "basehub") -> str:
    lines = ["name: test", "provider: gcp", "hubs:"]
    for hub, files in hubs.items():
        lines += [f"  - name: {hub}", f"    helm_chart: {chart}"]
        if files:  # a hub without values files has an empty inline config
            lines += ["    helm_chart_values_files:", *(f"      - {file}" for file in files)]
    return "\n".join(lines) + "\n"


def basehub_repo(
    root: Path,
    chart_values: str,
    hubs: Mapping[str, Sequence[str]],
    files: Mapping[str, str],
    chart: str = "basehub",
) -> str:
    """A repository with helm-charts/basehub (and daskhub) and config/clusters/test; the
    cluster.yaml's path (relative to `root`)."""
    tree = {
        "helm-charts/basehub/Chart.yaml": BASEHUB_CHART,
        "helm-charts/basehub/values.yaml": chart_values,
        "helm-charts/daskhub/Chart.yaml": DASKHUB_CHART,
        "config/clusters/test/cluster.yaml": cluster_yaml(hubs, chart),
    }
    tree.update({f"config/clusters/test/{name}": text for name, text in files.items()})
    write_tree(root, tree)
    return "config/clusters/test/cluster.yaml"


def derive(
    root: Path,
    entry: str,
    hubs: Sequence[str] = (),
    image: str | None = None,
    **options: str,
) -> tuple[HubSpawn, ...]:
    reference = ImageReference.parse(image) if image is not None else None
    return derive_spawn_profiles(entry, files_under(root), hubs, reference, **options)


def files_under(root: Path) -> Callable[[str], str | None]:
    """A reader of files relative to `root`: None for what is not a file (a folder too)."""

    def read(name: str) -> str | None:
        file = root / name
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return read


def only_profile(spawns: Sequence[HubSpawn]) -> SpawnProfile:
    [spawn] = spawns
    [profile] = spawn.profiles
    return profile


def applied(profile: SpawnProfile, setting: str) -> Applied:
    found = [entry for entry in profile.applied if entry.setting == setting]
    assert found, f"{setting} not among {[entry.setting for entry in profile.applied]}"
    return found[-1]
