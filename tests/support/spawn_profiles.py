"""Spawn profiles the real-hub tests spawn under, on a real JupyterHub and in hubimage's checks."""

from __future__ import annotations

from hubimage.check.profile import MountedFile, SpawnProfile, VolumeMount

GIB = 1024**3
WRAPPER = "/usr/local/bin/hubimage-start"
# A 2i2c-style profile: the server started through a wrapper script mounted from the hub
# config, an extraEnv that refers to the spawner's own variables, a memory limit, JupyterLab
# as the landing page and a patient http_timeout.
TWO_I_TWO_C = SpawnProfile(
    hub="2i2c-style",
    cmd=(WRAPPER, "jupyterhub-singleuser"),
    files=(MountedFile(WRAPPER, b'#!/bin/sh\nexec "$@"\n', 0o755),),
    environment=(
        ("SCRATCH_BUCKET", "gs://scratch-bucket/$(JUPYTERHUB_USER)"),
        ("PRICE", "$$5 for $(NOT_A_VARIABLE)"),
    ),
    memory_limit=GIB,
    cpu_limit=2.0,
    volume_mounts=(VolumeMount("/home/jovyan/shared", read_only=True),),
    default_url="/lab",
    http_timeout=120,
)
STARTUP_AND_HANDSHAKE = [
    "GET /hub/api",  # the server asks the hub's version at start-up
    "GET /hub/api/oauth2/authorize",  # the browser, sent there by the server
    "POST /hub/api/oauth2/token",  # the server swaps the code for a token
    "GET /hub/api/user",  # and asks whose token it is
]
