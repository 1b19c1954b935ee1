"""ECR Public: exchange AWS keys for a registry password, signed with AWS Signature Version 4.

ECR Public's GetAuthorizationToken lives in us-east-1 whatever region the user works in. The
call is one JSON POST, so SigV4 is implemented here with hmac/hashlib instead of pulling in
boto3. The endpoint can be pointed elsewhere (HUBIMAGE_ECR_PUBLIC_ENDPOINT), which is how the
tests reach a local stand-in that recomputes the signature.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import requests

from hubimage.errors import RegistryAuthError, RegistryError
from hubimage.registry.credentials import AwsCredentials, EcrPublicAuthorizationToken
from hubimage.secrets import SECRETS

ECR_PUBLIC_REGION = "us-east-1"
ECR_PUBLIC_SERVICE = "ecr-public"
ECR_PUBLIC_ENDPOINT = "https://api.ecr-public.us-east-1.amazonaws.com"
GET_AUTHORIZATION_TOKEN = "SpencerFrontendService.GetAuthorizationToken"  # noqa: S105
_ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class SignedRequestParts:
    """The inputs of a SigV4 signature, kept apart so they can be checked one by one."""

    canonical_request: str
    string_to_sign: str
    signature: str
    authorization: str


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def signing_key(secret_access_key: str, date: str, region: str, service: str) -> bytes:
    key = _hmac(f"AWS4{secret_access_key}".encode(), date)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def sign(
    *,
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    payload: bytes,
    access_key_id: str,
    secret_access_key: str,
    region: str,
    service: str,
    amz_date: str,
) -> SignedRequestParts:
    """Sign a request whose `headers` already include host and x-amz-date (all are signed).

    `query` must already be in canonical form (sorted, URI-encoded); `path` is encoded here.
    """
    canonical_headers = {name.lower(): " ".join(value.split()) for name, value in headers.items()}
    signed_headers = ";".join(sorted(canonical_headers))
    canonical_request = "\n".join(
        [
            method,
            quote(path or "/", safe="/-_.~"),
            query,
            "".join(f"{name}:{canonical_headers[name]}\n" for name in sorted(canonical_headers)),
            signed_headers,
            _sha256_hex(payload),
        ]
    )
    scope = f"{amz_date[:8]}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join(
        [_ALGORITHM, amz_date, scope, _sha256_hex(canonical_request.encode())]
    )
    key = signing_key(secret_access_key, amz_date[:8], region, service)
    signature = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    authorization = (
        f"{_ALGORITHM} Credential={access_key_id}/{scope}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return SignedRequestParts(canonical_request, string_to_sign, signature, authorization)


def fetch_authorization_token(
    credentials: AwsCredentials,
    *,
    endpoint: str = ECR_PUBLIC_ENDPOINT,
    now: dt.datetime | None = None,
    timeout: float = 30,
) -> EcrPublicAuthorizationToken:
    """Call ECR Public GetAuthorizationToken and return its (base64 `AWS:<password>`) token."""
    moment = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    amz_date = moment.strftime("%Y%m%dT%H%M%SZ")
    url = urlsplit(endpoint)
    payload = b"{}"
    headers = {
        "Host": url.netloc,
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Date": amz_date,
        "X-Amz-Target": GET_AUTHORIZATION_TOKEN,
    }
    if credentials.session_token:
        headers["X-Amz-Security-Token"] = credentials.session_token
    parts = sign(
        method="POST",
        path=url.path or "/",
        query="",
        headers=headers,
        payload=payload,
        access_key_id=credentials.access_key_id,
        secret_access_key=credentials.secret_access_key,
        region=ECR_PUBLIC_REGION,
        service=ECR_PUBLIC_SERVICE,
        amz_date=amz_date,
    )
    try:
        response = requests.post(
            endpoint,
            data=payload,
            headers={**headers, "Authorization": parts.authorization},
            timeout=timeout,
        )
    except requests.RequestException as error:
        raise RegistryError(
            f"cannot reach ECR Public at {url.netloc}: {type(error).__name__}"
        ) from error
    return _token_from_response(response)


def _token_from_response(response: requests.Response) -> EcrPublicAuthorizationToken:
    if response.status_code in (400, 401, 403):
        # AWS error bodies name the problem (bad signature, expired token, no permission)
        # without echoing secrets; the type is enough to act on.
        kind = _aws_error_type(response)
        raise RegistryAuthError(
            f"ECR Public refused the AWS credentials ({response.status_code} {kind})",
            hint="check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), and "
            "that the identity may call ecr-public:GetAuthorizationToken and "
            "sts:GetServiceBearerToken",
        )
    if response.status_code != 200:
        raise RegistryError(f"ECR Public GetAuthorizationToken answered {response.status_code}")
    try:
        token = response.json()["authorizationData"]["authorizationToken"]
    except (ValueError, KeyError, TypeError) as error:
        raise RegistryError("ECR Public answered without an authorization token") from error
    if not isinstance(token, str):
        raise RegistryError("ECR Public answered without an authorization token")
    record = EcrPublicAuthorizationToken(token)
    SECRETS.add_all(record.secrets())
    return record


def _aws_error_type(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return "error"
    name = body.get("__type", "error") if isinstance(body, dict) else "error"
    return str(name).rpartition("#")[2][:80]
