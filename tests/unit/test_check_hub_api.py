"""The hub API stand-in, spoken to over real HTTP the way jupyterhub-singleuser does."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from hubimage.check.hub_api import HubApiStandIn, serving
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE
from hubimage.check.spawn import spawner_environment


def call(url: str, method: str = "GET", token: str | None = None) -> tuple[int, dict, str]:
    headers = {"Authorization": f"token {token}"} if token else {}
    response = requests.request(
        method, url, headers=headers, json={} if method == "POST" else None, timeout=5
    )
    return response.status_code, response.json(), response.headers["X-JupyterHub-Version"]


def test_version_user_and_activity() -> None:
    hub = HubApiStandIn(version="6.1.1", user="alice")
    with serving(hub):
        assert hub.url.startswith("http://127.0.0.1:") and hub.url.endswith("/hub/api")
        assert call(hub.url) == (200, {"version": "6.1.1"}, "6.1.1")

        status, user, _ = call(f"{hub.url}/user", token=hub.token)
        assert status == 200
        assert user["name"] == "alice"
        assert "access:servers!server=alice/" in user["scopes"]

        assert call(f"{hub.url}/user", token="not-the-token")[0] == 403
        assert call(f"{hub.url}/user")[0] == 403
        assert call(f"{hub.url}/users/alice/activity", method="POST", token=hub.token)[0] == 200
        assert call(f"{hub.url}/users/bob/activity", method="POST")[0] == 404
    assert "GET /hub/api" in hub.requests
    assert "POST /hub/api/users/alice/activity" in hub.requests


def test_it_stops_listening_after_the_block() -> None:
    hub = HubApiStandIn(version="5.0.0")
    with serving(hub):
        url = hub.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=2)


def test_spawner_environment_points_the_server_at_the_stand_in() -> None:
    hub = HubApiStandIn(version="6.1.1", user="alice", url="http://127.0.0.1:9/hub/api")
    env = spawner_environment(hub, 8888, ZERO_TO_JUPYTERHUB_PROFILE)
    assert env["JUPYTERHUB_API_URL"] == hub.url
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == "/user/alice/"
    assert env["JUPYTERHUB_SERVICE_URL"] == "http://127.0.0.1:8888/user/alice/"
    assert env["JUPYTERHUB_OAUTH_CALLBACK_URL"] == "/user/alice/oauth_callback"
    assert env["JUPYTERHUB_ACTIVITY_URL"] == "http://127.0.0.1:9/hub/api/users/alice/activity"
    assert json.loads(env["JUPYTERHUB_OAUTH_ACCESS_SCOPES"]) == hub.access_scopes
    assert env["JUPYTERHUB_API_TOKEN"] == hub.token and len(hub.token) >= 32


def test_oauth_code_flow_as_a_single_user_server_and_a_browser_use_it() -> None:
    hub = HubApiStandIn(version="6.1.1", user="alice", origin="http://127.0.0.1:8888")
    with serving(hub):
        # The browser, sent by the server to the hub's authorize page on JUPYTERHUB_HOST:
        authorize = requests.get(
            f"{hub.hub_origin}/hub/api/oauth2/authorize",
            params={
                "client_id": hub.client_id,
                "redirect_uri": "/user/alice/oauth_callback",
                "response_type": "code",
                "state": "s123",
            },
            allow_redirects=False,
            timeout=5,
        )
        assert authorize.status_code == 302
        location = urlsplit(authorize.headers["Location"])
        assert f"{location.scheme}://{location.netloc}" == hub.origin  # back to the server
        assert location.path == "/user/alice/oauth_callback"
        query = parse_qs(location.query)
        assert query["state"] == ["s123"]
        # The server swaps the code for the user's token, with its own token as the secret.
        form = {
            "code": query["code"][0],
            "client_id": hub.client_id,
            "client_secret": hub.token,
            "grant_type": "authorization_code",
            "redirect_uri": "/user/alice/oauth_callback",
        }
        token = requests.post(f"{hub.url}/oauth2/token", data=form, timeout=5)
        assert token.status_code == 200
        access = token.json()["access_token"]
        assert access != hub.token
        assert call(f"{hub.url}/user", token=access)[1]["name"] == "alice"
        # A code works once, and only with the server's secret.
        again = requests.post(f"{hub.url}/oauth2/token", data=form, timeout=5)
        assert again.status_code == 403
        wrong_client = requests.get(
            f"{hub.hub_origin}/hub/api/oauth2/authorize",
            params={"client_id": "someone-else", "redirect_uri": "/x"},
            allow_redirects=False,
            timeout=5,
        )
        assert wrong_client.status_code == 400


def test_spawner_environment_sends_browsers_to_the_stand_ins_oauth_pages() -> None:
    hub = HubApiStandIn(version="6.1.1", user="alice", url="http://127.0.0.1:9/hub/api")
    hub.hub_origin = "http://127.0.0.1:9"
    env = spawner_environment(hub, 8888, ZERO_TO_JUPYTERHUB_PROFILE)
    assert env["JUPYTERHUB_HOST"] == "http://127.0.0.1:9"
    assert env["JUPYTERHUB_CLIENT_ID"] == "jupyterhub-user-alice"
