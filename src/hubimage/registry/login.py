"""Turn any credentials record into a `Login`, doing the network or helper step some need.

`login_for` (pure) handles records that already hold a username and password; AWS keys are
first exchanged for an ECR Public token, and a Docker config is first read (running its
credential helper if it names one). Every secret found on the way is registered for masking.
"""

from __future__ import annotations

import os

from hubimage.errors import RegistryCredentialsError
from hubimage.reference import ImageReference
from hubimage.registry.credentials import (
    AwsCredentials,
    Credentials,
    DockerConfigAuth,
    Login,
    StaticCredentials,
    login_for,
    registry_kind,
    what_to_set,
)
from hubimage.registry.dockerconfig import docker_config_login
from hubimage.registry.ecr import ECR_PUBLIC_ENDPOINT, fetch_authorization_token
from hubimage.secrets import SECRETS

ECR_ENDPOINT_VARIABLE = "HUBIMAGE_ECR_PUBLIC_ENDPOINT"


def resolve_login(
    target: ImageReference,
    credentials: Credentials | None,
    *,
    ecr_endpoint: str | None = None,
) -> Login:
    host = target.registry_host
    if credentials is not None:
        SECRETS.add_all(credentials.secrets())
    static: StaticCredentials | None
    if isinstance(credentials, AwsCredentials):
        if registry_kind(host) != "ecr-public":
            raise RegistryCredentialsError(
                f"AWS credentials work only for ECR Public (public.ecr.aws), not {host}",
                hint=what_to_set(host),
            )
        endpoint = ecr_endpoint or os.environ.get(ECR_ENDPOINT_VARIABLE) or ECR_PUBLIC_ENDPOINT
        static = fetch_authorization_token(credentials, endpoint=endpoint)
    elif isinstance(credentials, DockerConfigAuth):
        static = docker_config_login(host, credentials.config_dir)
    else:
        static = credentials
    login = login_for(target, static)
    SECRETS.add_all(login.secrets())
    return login
