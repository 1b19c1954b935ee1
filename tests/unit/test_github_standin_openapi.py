"""The stand-in's checks against GitHub's OpenAPI description really catch mismatches."""

from __future__ import annotations

import base64
from pathlib import Path

import requests

from support.github_fixtures import CONFIG_PATH, CONFIG_REPO, HUBS_YAML, STANDIN_TOKEN
from support.github_standin import GitHubOpenAPI, GitHubStandIn, payloads


def _op(api: GitHubOpenAPI, method: str, path: str) -> str:
    matched = api.match(method, path)
    assert matched is not None
    return matched.operation.operation_id


def test_paths_match_the_most_specific_operation(github_openapi: GitHubOpenAPI) -> None:
    assert _op(github_openapi, "PUT", "/repos/o/r/contents/a/b/c.yaml") == (
        "repos/create-or-update-file-contents"
    )
    assert _op(github_openapi, "GET", "/repos/o/r/git/ref/heads/hubimage/a%2Bb") == "git/get-ref"
    assert _op(github_openapi, "POST", "/repos/o/r/pulls/7/requested_reviewers") == (
        "pulls/request-reviewers"
    )
    assert _op(github_openapi, "PATCH", "/repos/o/r/pulls/7") == "pulls/update"
    assert github_openapi.match("PUT", "/repos/o/r/no-such-thing") is None


def test_a_response_missing_a_nested_required_field_is_a_violation(
    github_openapi: GitHubOpenAPI,
) -> None:
    site = payloads.Site(root="http://127.0.0.1:1", api="http://127.0.0.1:1")
    body = payloads.repository(site, "o/r", "main")
    op = github_openapi.match("GET", "/repos/o/r")
    assert op is not None
    assert github_openapi.response_violations(op.operation, 200, body, True) == []

    del body["owner"]["login"]
    problems = github_openapi.response_violations(op.operation, 200, body, True)

    assert problems
    assert "/owner" in problems[0]
    assert "'login' is a required property" in problems[0]


def test_nullable_fields_accept_null_and_others_do_not(github_openapi: GitHubOpenAPI) -> None:
    site = payloads.Site(root="http://127.0.0.1:1", api="http://127.0.0.1:1")
    op = github_openapi.match("GET", "/repos/o/r")
    assert op is not None
    body = payloads.repository(site, "o/r", "main")
    assert body["description"] is None  # nullable in the description
    body["name"] = None
    (problem,) = github_openapi.response_violations(op.operation, 200, body, True)
    assert "/name" in problem


def test_bad_requests_and_unknown_routes_are_recorded(
    github_openapi: GitHubOpenAPI, tmp_path: Path
) -> None:
    standin = GitHubStandIn(github_openapi, tmp_path).start()
    try:
        standin.add_token(STANDIN_TOKEN)
        standin.add_repo(CONFIG_REPO, {CONFIG_PATH: HUBS_YAML})
        headers = {"Authorization": f"token {STANDIN_TOKEN}"}
        url = f"{standin.url}/repos/{CONFIG_REPO}"
        content = base64.b64encode(b"x").decode()
        no_message = requests.put(
            f"{url}/contents/{CONFIG_PATH}", json={"content": content}, headers=headers, timeout=10
        )
        unknown = requests.get(f"{url}/no-such-endpoint", headers=headers, timeout=10)
    finally:
        standin.stop()

    assert unknown.status_code == 404
    assert no_message.status_code != 200
    assert any("'message' is a required property" in v for v in standin.violations)
    assert any("no such operation" in v for v in standin.violations)
