"""Hub config repositories as the tests write them, laid out as real ones are.

- `two_i2c_tree`: 2i2c's layout: `helm-charts/basehub/{Chart.yaml,values.yaml}` (the chart's
  own defaults: the wrapper start command mounted by `singleuser.extraFiles`, a 1G memory
  limit, `http_timeout` 120, /lab), `helm-charts/daskhub/Chart.yaml` (wrapping basehub), and
  `config/clusters/test/cluster.yaml` listing each hub's values files.
- `hubploy_tree`: berkeley-dsep-infra/datahub's: the hub chart in `hub/` (a `jupyterhub`
  dependency), `deployments/<hub>/hubploy.yaml` and its `config/{common,staging,prod}.yaml`.

Each hub's own values are given as YAML text, so a test reads like the file it stands for.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from pathlib import Path

from support.gitrepo import commit_files, init_repo
from support.spawnprofile_fixtures import BASEHUB_CHART, DASKHUB_CHART

# As basehub's: a Python wrapper in front of jupyterhub-singleuser (2i2c's checks a package
# for a vulnerability first), mounted from singleuser.extraFiles, mode 0755 read as octal.
WRAPPER = '''\
#!/usr/bin/env python3
"""Start the server the hub asked for (a stand-in for 2i2c's check-patch-run)."""
import os
import sys

print("wrapper: starting", " ".join(sys.argv[1:]), file=sys.stderr, flush=True)
os.execvp(sys.argv[1], sys.argv[1:])
'''

BASEHUB_VALUES = f"""\
jupyterhub:
  hub:
    config:
      KubeSpawner:
        working_dir: /home/jovyan
        http_timeout: 120
  singleuser:
    cmd:
      - /mnt/hubimage-test/run
      - jupyterhub-singleuser
    extraFiles:
      wrapper:
        mountPath: /mnt/hubimage-test/run
        mode: 0755
        stringData: |
{textwrap.indent(WRAPPER, " " * 10)}
    extraEnv:
      SHELL: /bin/bash
    defaultUrl: /lab
    memory:
      guarantee: 256M
      limit: 1G
    storage:
      extraVolumeMounts:
        - name: home
          mountPath: /home/jovyan/shared
          subPath: _shared
          readOnly: true
"""


def two_i2c_tree(root: Path, hubs: Mapping[str, str], chart: str = "basehub") -> Path:
    """A config repository with one cluster whose hubs have these own values; returns the
    path of its cluster.yaml. Each hub lists `common.values.yaml` (empty) and its own."""
    files = {
        "helm-charts/basehub/Chart.yaml": BASEHUB_CHART,
        "helm-charts/basehub/values.yaml": BASEHUB_VALUES,
        "helm-charts/daskhub/Chart.yaml": DASKHUB_CHART,
        "config/clusters/test/common.values.yaml": "{}\n",
    }
    entries = []
    for hub, values in hubs.items():
        files[f"config/clusters/test/{hub}.values.yaml"] = textwrap.dedent(values) or "{}\n"
        entries.append(
            f"- name: {hub}\n  domain: {hub}.example.org\n  helm_chart: {chart}\n"
            f"  helm_chart_values_files:\n  - common.values.yaml\n  - {hub}.values.yaml\n"
        )
    files["config/clusters/test/cluster.yaml"] = "name: test\nhubs:\n" + "".join(entries)
    init_repo(root)
    commit_files(root, files, "a hub config repository")
    return root / "config/clusters/test/cluster.yaml"


HUB_CHART_VALUES = """\
jupyterhub:
  singleuser:
    cmd:
      - jupyterhub-singleuser
    extraEnv:
      JUPYTERHUB_SINGLEUSER_APP: "jupyter_server.serverapp.ServerApp"
    memory:
      limit: 2G
"""


def hubploy_tree(root: Path, hubs: Mapping[str, str]) -> Path:
    """A hubploy repository (hub chart in hub/) with these deployments, each with `common`
    values as given and empty staging and prod files; returns the deployments folder."""
    files = {
        "hub/Chart.yaml": "apiVersion: v1\nname: hub\nversion: 0.1.0\n",
        "hub/requirements.yaml": (
            "dependencies:\n - name: jupyterhub\n   version: 3.3.8\n"
            "   repository: https://jupyterhub.github.io/helm-chart/\n"
        ),
        "hub/values.yaml": HUB_CHART_VALUES,
    }
    for hub, common in hubs.items():
        files[f"deployments/{hub}/hubploy.yaml"] = (
            f"images:\n  images:\n    - name: quay.io/example/{hub}-image:abc123\n"
        )
        files[f"deployments/{hub}/config/common.yaml"] = textwrap.dedent(common) or "{}\n"
        files[f"deployments/{hub}/config/staging.yaml"] = "{}\n"
        files[f"deployments/{hub}/config/prod.yaml"] = "{}\n"
    init_repo(root)
    commit_files(root, files, "a hubploy repository")
    return root / "deployments"
