"""What each registry kind is sent, for each credentials record (the pure rules)."""

from __future__ import annotations

import base64
import json

import pytest

from hubimage.errors import BadInputError, RegistryCredentialsError
from hubimage.reference import ImageReference
from hubimage.registry.credentials import (
    DOCKER_HUB_WARNING,
    AwsCredentials,
    DockerConfigAuth,
    EcrPublicAuthorizationToken,
    GcpAccessToken,
    GcpServiceAccountKey,
    GitHubToken,
    Login,
    UsernamePassword,
    credentials_from_environment,
    login_for,
    registry_kind,
)

SA_KEY = json.dumps(
    {
        "type": "service_account",
        "client_email": "pusher@project.iam.gserviceaccount.com",
        "private_key": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
        "-----END PRIVATE KEY-----\n",
    }
)


def ref(text: str) -> ImageReference:
    return ImageReference.parse(text)


def sent(login: Login) -> tuple[str, str | None, str | None]:
    return login.registry, login.username, login.password


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("quay.io", "quay"),
        ("ghcr.io", "ghcr"),
        ("us-central1-docker.pkg.dev", "gar"),
        ("europe-docker.pkg.dev", "gar"),
        ("gcr.io", "gar"),
        ("eu.gcr.io", "gar"),
        ("public.ecr.aws", "ecr-public"),
        ("docker.io", "docker-hub"),
        ("index.docker.io", "docker-hub"),
        ("registry-1.docker.io", "docker-hub"),
        ("127.0.0.1:5000", "generic"),
        ("registry.example.org", "generic"),
        ("docker.pkg.dev.example.org", "generic"),
    ],
)
def test_registry_kind_by_host(host: str, kind: str) -> None:
    assert registry_kind(host) == kind


def test_quay_is_the_default_and_takes_a_robot_account() -> None:
    login = login_for(ref("org/image:1"), UsernamePassword("org+pusher", "ROBOTTOKEN123"))
    assert sent(login) == ("quay.io", "org+pusher", "ROBOTTOKEN123")
    assert login.warnings == ()
    assert login.auth_config() == {
        "username": "org+pusher",
        "password": "ROBOTTOKEN123",
        "serveraddress": "quay.io",
    }


def test_quay_personal_login_is_sent_with_a_robot_warning() -> None:
    login = login_for(ref("quay.io/org/image"), UsernamePassword("alice", "pw-123456"))
    assert sent(login) == ("quay.io", "alice", "pw-123456")
    assert len(login.warnings) == 1 and "robot" in login.warnings[0]


def test_ghcr_sends_the_actor_and_the_token() -> None:
    login = login_for(ref("ghcr.io/org/image"), GitHubToken(actor="octocat", token="ghs_abcdef"))
    assert sent(login) == ("ghcr.io", "octocat", "ghs_abcdef")


def test_ghcr_without_actor_is_bad_input() -> None:
    with pytest.raises(RegistryCredentialsError, match="GITHUB_ACTOR"):
        login_for(ref("ghcr.io/org/image"), GitHubToken(actor="", token="ghs_abcdef"))


def test_gar_json_key_is_sent_raw_as_json_key() -> None:
    login = login_for(ref("us-docker.pkg.dev/p/r/image"), GcpServiceAccountKey(SA_KEY))
    assert sent(login) == ("us-docker.pkg.dev", "_json_key", SA_KEY)


def test_gar_base64_key_is_sent_as_json_key_base64() -> None:
    encoded = base64.b64encode(SA_KEY.encode()).decode()
    login = login_for(ref("gcr.io/p/image"), GcpServiceAccountKey(encoded, base64_encoded=True))
    assert sent(login) == ("gcr.io", "_json_key_base64", encoded)


def test_gar_access_token_is_sent_as_oauth2accesstoken() -> None:
    login = login_for(ref("europe-docker.pkg.dev/p/r/i"), GcpAccessToken("ya29.token-value"))
    assert sent(login) == ("europe-docker.pkg.dev", "oauth2accesstoken", "ya29.token-value")


@pytest.mark.parametrize(
    "key",
    [
        GcpServiceAccountKey("not json"),
        GcpServiceAccountKey(json.dumps({"type": "service_account"})),
        GcpServiceAccountKey("%%%not-base64", base64_encoded=True),
    ],
)
def test_gar_malformed_key_is_bad_input(key: GcpServiceAccountKey) -> None:
    with pytest.raises(RegistryCredentialsError):
        login_for(ref("us-docker.pkg.dev/p/r/image"), key)


def test_gar_rejects_an_ordinary_username() -> None:
    with pytest.raises(RegistryCredentialsError, match="_json_key"):
        login_for(ref("us-docker.pkg.dev/p/r/i"), UsernamePassword("alice", "secret-pw"))


def test_ecr_public_token_decodes_to_aws_and_password() -> None:
    token = base64.b64encode(b"AWS:ecr-password-value").decode()
    login = login_for(ref("public.ecr.aws/alias/image"), EcrPublicAuthorizationToken(token))
    assert sent(login) == ("public.ecr.aws", "AWS", "ecr-password-value")


def test_ecr_public_token_of_another_shape_is_bad_input() -> None:
    token = base64.b64encode(b"someone:pw").decode()
    with pytest.raises(RegistryCredentialsError, match="AWS:<password>"):
        login_for(ref("public.ecr.aws/alias/image"), EcrPublicAuthorizationToken(token))


def test_ecr_public_password_from_a_prior_login_step_needs_user_aws() -> None:
    login = login_for(ref("public.ecr.aws/a/i"), UsernamePassword("AWS", "prior-password"))
    assert sent(login) == ("public.ecr.aws", "AWS", "prior-password")
    with pytest.raises(RegistryCredentialsError, match="'AWS'"):
        login_for(ref("public.ecr.aws/a/i"), UsernamePassword("bob", "prior-password"))


@pytest.mark.parametrize("host", ["docker.io", "index.docker.io", "registry-1.docker.io"])
def test_docker_hub_works_with_a_rate_limit_warning(host: str) -> None:
    login = login_for(ref(f"{host}/org/image"), UsernamePassword("hubuser", "dckr_pat_x"))
    assert (login.username, login.password) == ("hubuser", "dckr_pat_x")
    assert login.warnings == (DOCKER_HUB_WARNING,)
    assert "quay.io" in DOCKER_HUB_WARNING and "rate" in DOCKER_HUB_WARNING
    assert login.server_address == "https://index.docker.io/v1/"


def test_docker_hub_warns_even_when_anonymous() -> None:
    login = login_for(ref("docker.io/org/image"), None)
    assert login.anonymous and login.warnings == (DOCKER_HUB_WARNING,)


def test_generic_registry_takes_username_and_password() -> None:
    login = login_for(ref("registry.example.org:5000/team/i"), UsernamePassword("u", "pw-1234"))
    assert sent(login) == ("registry.example.org:5000", "u", "pw-1234")
    assert login.warnings == ()


def test_no_credentials_is_anonymous() -> None:
    login = login_for(ref("registry.example.org/team/i"), None)
    assert login.anonymous and login.auth_config() is None


@pytest.mark.parametrize(
    ("target", "credentials"),
    [
        ("quay.io/org/i", GitHubToken("octocat", "ghs_x")),
        ("ghcr.io/org/i", GcpAccessToken("ya29.x")),
        ("registry.example.org/i", EcrPublicAuthorizationToken("QVdTOnB3")),
        ("docker.io/org/i", GcpServiceAccountKey(SA_KEY)),
    ],
)
def test_credentials_of_another_kind_are_bad_input(target: str, credentials: object) -> None:
    with pytest.raises(RegistryCredentialsError, match="do not work for") as raised:
        login_for(ref(target), credentials)  # type: ignore[arg-type]
    assert isinstance(raised.value, BadInputError)


def test_empty_password_is_bad_input_naming_what_to_set() -> None:
    with pytest.raises(RegistryCredentialsError, match="empty") as raised:
        login_for(ref("quay.io/org/i"), UsernamePassword("org+robot", ""))
    assert "HUBIMAGE_REGISTRY_PASSWORD" in str(raised.value)


def test_records_keep_secrets_out_of_repr() -> None:
    records = [
        UsernamePassword("u", "SECRET-1"),
        GitHubToken("a", "SECRET-2"),
        GcpServiceAccountKey("SECRET-3"),
        GcpAccessToken("SECRET-4"),
        EcrPublicAuthorizationToken("SECRET-5"),
        AwsCredentials("AKID", "SECRET-6", "SECRET-7"),
        Login("quay.io", "u", "SECRET-8"),
    ]
    for record in records:
        assert "SECRET" not in repr(record)


def test_secrets_include_derived_base64_forms() -> None:
    values = UsernamePassword("org+robot", "tok3n-value").secrets()
    assert "tok3n-value" in values
    assert base64.b64encode(b"org+robot:tok3n-value").decode() in values
    key_values = GcpServiceAccountKey(SA_KEY).secrets()
    assert "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC" in key_values  # a PEM line printed on its own
    token = base64.b64encode(b"AWS:ecr-pass").decode()
    assert {"ecr-pass", token} <= set(EcrPublicAuthorizationToken(token).secrets())


# --- which record the environment gives -------------------------------------------------


def test_environment_explicit_username_password_wins() -> None:
    env = {
        "HUBIMAGE_REGISTRY_USERNAME": "org+robot",
        "HUBIMAGE_REGISTRY_PASSWORD": "tok",
        "GITHUB_TOKEN": "ghs_x",
    }
    assert credentials_from_environment(ref("ghcr.io/o/i"), env) == UsernamePassword(
        "org+robot", "tok"
    )


def test_environment_ghcr_uses_github_token_and_actor() -> None:
    env = {"GITHUB_TOKEN": "ghs_x", "GITHUB_ACTOR": "octocat"}
    assert credentials_from_environment(ref("ghcr.io/o/i"), env) == GitHubToken("octocat", "ghs_x")
    # GITHUB_TOKEN is for GHCR only: quay.io falls through to a Docker config.
    assert credentials_from_environment(ref("quay.io/o/i"), env) == DockerConfigAuth(None)


def test_environment_gar_variables() -> None:
    target = ref("us-docker.pkg.dev/p/r/i")
    assert credentials_from_environment(
        target, {"HUBIMAGE_GCP_JSON_KEY": SA_KEY}
    ) == GcpServiceAccountKey(SA_KEY)
    assert credentials_from_environment(
        target, {"HUBIMAGE_GCP_JSON_KEY_BASE64": "e30="}
    ) == GcpServiceAccountKey("e30=", base64_encoded=True)
    assert credentials_from_environment(
        target, {"HUBIMAGE_GCP_ACCESS_TOKEN": "ya29.t"}
    ) == GcpAccessToken("ya29.t")


def test_environment_ecr_public_uses_aws_keys() -> None:
    env = {"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "sk", "AWS_SESSION_TOKEN": "st"}
    found = credentials_from_environment(ref("public.ecr.aws/a/i"), env)
    assert found == AwsCredentials("AKID", "sk", "st")


def test_environment_without_credentials_points_at_docker_config() -> None:
    found = credentials_from_environment(ref("quay.io/o/i"), {"DOCKER_CONFIG": "/tmp/cfg"})
    assert found == DockerConfigAuth("/tmp/cfg")
