"""Shared fixtures live in pytest plugins under tests/support/ (one module per real part)."""

pytest_plugins = [
    "support.docker_fixtures",
    "support.registry_fixtures",
    "support.github_fixtures",
    "support.hub_config_fixtures",
]
