"""ECR Public: SigV4 against AWS's published example, and the token exchange end to end."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from hubimage.errors import RegistryAuthError, RegistryCredentialsError, RegistryError
from hubimage.reference import ImageReference
from hubimage.registry.credentials import AwsCredentials
from hubimage.registry.ecr import fetch_authorization_token, sign, signing_key
from hubimage.registry.login import resolve_login
from support.ecr_standin import EcrPublicStandIn, running_ecr_public

# AWS's worked example of a SigV4 signature (IAM ListUsers, 2015-08-30), as published in the
# "Create a signed AWS API request" documentation.
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def test_sigv4_matches_the_published_aws_example() -> None:
    parts = sign(
        method="GET",
        path="/",
        query="Action=ListUsers&Version=2010-05-08",
        headers={
            "Host": "iam.amazonaws.com",
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "X-Amz-Date": "20150830T123600Z",
        },
        payload=b"",
        access_key_id="AKIDEXAMPLE",
        secret_access_key=EXAMPLE_SECRET,
        region="us-east-1",
        service="iam",
        amz_date="20150830T123600Z",
    )
    assert (
        hashlib.sha256(parts.canonical_request.encode()).hexdigest()
        == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59"
    )
    assert (
        signing_key(EXAMPLE_SECRET, "20150830", "us-east-1", "iam").hex()
        == "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
    )
    assert parts.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
    assert parts.authorization.startswith(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date, Signature="
    )


@pytest.fixture
def ecr_public() -> Iterator[EcrPublicStandIn]:
    stand_in = EcrPublicStandIn("AKIATESTKEY", "test/secret+key", "registry-pw-42", "sess-tok")
    with running_ecr_public(stand_in) as running:
        yield running


def test_token_exchange_is_signed_correctly(ecr_public: EcrPublicStandIn) -> None:
    keys = AwsCredentials("AKIATESTKEY", "test/secret+key", "sess-tok")
    token = fetch_authorization_token(keys, endpoint=ecr_public.url)
    assert ecr_public.verdicts == ["ok"]
    assert token.token == ecr_public.authorization_token


def test_resolve_login_turns_aws_keys_into_the_registry_password(
    ecr_public: EcrPublicStandIn,
) -> None:
    keys = AwsCredentials("AKIATESTKEY", "test/secret+key", "sess-tok")
    target = ImageReference.parse("public.ecr.aws/alias/image:1")
    login = resolve_login(target, keys, ecr_endpoint=ecr_public.url)
    assert (login.registry, login.username, login.password) == (
        "public.ecr.aws",
        "AWS",
        "registry-pw-42",
    )


def test_wrong_secret_key_is_an_auth_error_without_the_secret(
    ecr_public: EcrPublicStandIn,
) -> None:
    keys = AwsCredentials("AKIATESTKEY", "wrong-secret-value", "sess-tok")
    with pytest.raises(RegistryAuthError, match="InvalidSignatureException") as raised:
        fetch_authorization_token(keys, endpoint=ecr_public.url)
    assert ecr_public.verdicts == ["signature mismatch"]
    assert "wrong-secret-value" not in str(raised.value)


def test_missing_session_token_is_refused(ecr_public: EcrPublicStandIn) -> None:
    with pytest.raises(RegistryAuthError):
        fetch_authorization_token(
            AwsCredentials("AKIATESTKEY", "test/secret+key"), endpoint=ecr_public.url
        )
    assert ecr_public.verdicts == ["wrong or missing session token"]


def test_unreachable_endpoint_is_a_registry_error() -> None:
    keys = AwsCredentials("AKIATESTKEY", "test/secret+key")
    with pytest.raises(RegistryError, match="cannot reach ECR Public"):
        fetch_authorization_token(keys, endpoint="http://127.0.0.1:9/", timeout=2)


def test_aws_keys_for_another_registry_are_bad_input() -> None:
    keys = AwsCredentials("AKIATESTKEY", "test/secret+key")
    with pytest.raises(RegistryCredentialsError, match="ECR Public"):
        resolve_login(ImageReference.parse("quay.io/org/image"), keys)
