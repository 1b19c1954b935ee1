"""Shared fixtures live in pytest plugins under tests/support/ (one module per real part)."""

import os

from hypothesis import settings

pytest_plugins = [
    "support.docker_fixtures",
    "support.buildx_fixtures",
    "support.registry_fixtures",
    "support.github_fixtures",
    "support.hub_config_fixtures",
]

# CI explores the same examples every run (a red CI must mean a regression, not a new draw);
# developers' runs explore new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
