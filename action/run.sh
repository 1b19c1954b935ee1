#!/bin/bash
# The composite action's step after Python is set up: check the inputs, install, run.
#
# 1. Inputs first, with the bare Python of actions/setup-python (hubimage.inputs needs no
#    third-party package): a bad input fails here, before pip sees any of it.
# 2. Install from requirements/action.txt: exact versions with the sha256 of every file, so
#    a changed or replaced package on PyPI fails the install instead of running.
# 3. Run. Every INPUT_* reaches hubimage through the environment, never through this script.
set -euo pipefail
python="${HUBIMAGE_PYTHON:?the path of the Python set up for hubimage}"
action="${GITHUB_ACTION_PATH:?}"
lock="$action/requirements/action.txt"

"$python" -I -c '
import os, sys
sys.path.insert(0, sys.argv[1])
from hubimage.inputs import check_action_inputs
sys.exit(check_action_inputs(os.environ, sys.stderr))
' "$action/src"

venv="$RUNNER_TEMP/hubimage-venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input)
"${pip[@]}" --require-hashes --no-deps -r "$lock"
"${pip[@]}" --no-deps --no-build-isolation "$action"
locked=$(sed -n 's/^jupyter-repo2docker==\([^ ;]*\).*/\1/p' "$lock")
wanted="${INPUT_REPO2DOCKER_VERSION:-}"
if [ -n "$wanted" ] && [ "$wanted" != "$locked" ]; then
  # Validated above as a version: it cannot be a pip option or another package.
  echo "::warning title=hubimage::repo2docker-version $wanted is not the hash-pinned $locked; installing it from PyPI by version only"
  "${pip[@]}" "jupyter-repo2docker==$wanted"
fi
exec "$venv/bin/hubimage" run
