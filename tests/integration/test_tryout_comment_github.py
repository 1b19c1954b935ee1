"""The pull request's one comment, kept through GitHub's REST API (the stand-in, which checks
every request and response against GitHub's OpenAPI description)."""

from __future__ import annotations

import pytest
from github import Auth, Github

from hubimage.errors import GitHubError
from hubimage.tryout import MARKER, upsert_comment
from support.github_fixtures import CONFIG_REPO, STANDIN_TOKEN, connect
from support.github_standin import GitHubStandIn

pytestmark = pytest.mark.no_engine

NUMBER = 7
BOT = "hubimage-bot"


def _body(text: str) -> str:
    return f"{MARKER}\n## Try the image\n\n{text}\n"


def _ours(standin: GitHubStandIn) -> list[str]:
    return [c.body for c in standin.comments(CONFIG_REPO, NUMBER) if c.body.startswith(MARKER)]


def test_twice_gives_one_comment_updated(github_standin: GitHubStandIn) -> None:
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    repo = connect(github_standin)
    assert upsert_comment(repo, NUMBER, _body("first push")) == "created"
    assert upsert_comment(repo, NUMBER, _body("second push")) == "updated"
    assert upsert_comment(repo, NUMBER, _body("second push")) == "unchanged"
    assert _ours(github_standin) == [_body("second push")]
    assert len(github_standin.calls("issues/create-comment")) == 1
    assert len(github_standin.calls("issues/update-comment")) == 1


def test_a_body_without_the_marker_gets_it(github_standin: GitHubStandIn) -> None:
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    repo = connect(github_standin)
    assert upsert_comment(repo, NUMBER, "plain text") == "created"
    assert upsert_comment(repo, NUMBER, "plain text, again") == "updated"
    assert _ours(github_standin) == [f"{MARKER}\nplain text, again"]


def test_comments_without_the_marker_are_never_touched(github_standin: GitHubStandIn) -> None:
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    others = {
        "Looks good to me!": "bob",
        f"Quoting the bot:\n> {MARKER}\n> ## Try the image": "carol",  # the marker, quoted
        f"`{MARKER}` is how hubimage finds its comment": "dave",
    }
    for text, author in others.items():
        github_standin.add_comment(CONFIG_REPO, NUMBER, text, author)
    repo = connect(github_standin)
    assert upsert_comment(repo, NUMBER, _body("one")) == "created"
    assert upsert_comment(repo, NUMBER, _body("two")) == "updated"
    comments = github_standin.comments(CONFIG_REPO, NUMBER)
    assert [(c.body, c.author) for c in comments[:3]] == list(others.items())
    assert [(c.body, c.author) for c in comments[3:]] == [(_body("two"), BOT)]
    assert all(c.created_at == c.updated_at for c in comments[:3])


def test_it_pages_through_every_comment(github_standin: GitHubStandIn) -> None:
    """75 comments before ours: in GitHub's pages of 30 it is on the third."""
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    for index in range(75):
        github_standin.add_comment(CONFIG_REPO, NUMBER, f"comment {index}", "bob")
    repo = connect(github_standin)
    assert upsert_comment(repo, NUMBER, _body("one")) == "created"  # read pages 1, 2 and 3
    assert upsert_comment(repo, NUMBER, _body("two")) == "updated"  # found on page 3
    assert _ours(github_standin) == [_body("two")]
    assert len(github_standin.comments(CONFIG_REPO, NUMBER)) == 76
    assert len(github_standin.calls("issues/list-comments")) == 3 + 3
    assert len(github_standin.calls("issues/create-comment")) == 1


def test_a_pygithub_repository_works_too(github_standin: GitHubStandIn) -> None:
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    github = Github(base_url=github_standin.url, auth=Auth.Token(STANDIN_TOKEN), retry=None)
    repo = github.get_repo(CONFIG_REPO)
    assert upsert_comment(repo, NUMBER, _body("one")) == "created"
    assert upsert_comment(repo, NUMBER, _body("two")) == "updated"
    assert _ours(github_standin) == [_body("two")]


def test_secrets_never_reach_the_comment(github_standin: GitHubStandIn) -> None:
    from hubimage.secrets import SECRETS

    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    SECRETS.add("s3cr3t-registry-password-value")
    body = _body("server log: login with s3cr3t-registry-password-value failed")
    assert upsert_comment(connect(github_standin), NUMBER, body) == "created"
    assert _ours(github_standin) == [_body("server log: login with *** failed")]


def test_a_refusal_is_a_github_error_without_the_token(github_standin: GitHubStandIn) -> None:
    github_standin.add_pull(CONFIG_REPO, NUMBER, "add-xarray", "alice")
    github_standin.inject(
        "issues/create-comment", 403, message="Resource not accessible by integration"
    )
    with pytest.raises(GitHubError) as raised:
        upsert_comment(connect(github_standin), NUMBER, _body("one"))
    assert "403" in str(raised.value) and STANDIN_TOKEN not in str(raised.value)
    assert _ours(github_standin) == []
