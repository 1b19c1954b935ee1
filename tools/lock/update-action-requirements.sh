#!/bin/bash
# Write requirements/action.txt: every package the action installs (hubimage's runtime
# dependencies with the `lab` extra (Playwright, for lab-loads), its build backend, the
# default repo2docker), at exact versions with the sha256 of every file PyPI has for
# them, for CPython 3.10 and later on every platform
# (markers pick per Python). The action installs it with `pip --require-hashes`.
#
# Run it after changing [project] dependencies or the default repo2docker-version, from an
# environment where the tests pass, so the lock holds the versions the tests ran with:
#   pip install uv && bash tools/lock/update-action-requirements.sh
# (extra arguments go to uv, e.g. --upgrade to move every pin to the newest release).
set -euo pipefail
cd "$(dirname "$0")/../.."
constraints=$(mktemp)
trap 'rm -f "$constraints"' EXIT
python3 -m pip freeze --exclude-editable | grep -v ' @ ' >"$constraints" || true
uv pip compile pyproject.toml requirements/action.in --extra lab \
  --universal --python-version 3.10 --generate-hashes \
  --constraint "$constraints" \
  --custom-compile-command "bash tools/lock/update-action-requirements.sh" \
  --output-file requirements/action.txt "$@"
