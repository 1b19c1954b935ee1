"""Labels from real git repositories: OCI source/revision/created and the build record."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from hubimage.imagebuild.gitinfo import public_url
from hubimage.imagebuild.labels import BUILD, CREATED, REVISION, SOURCE, build_labels
from support.gitrepo import commit_files, git, init_repo

NOW = dt.datetime(2026, 3, 9, 12, 0, 5, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@github.com:org/hub-image.git", "https://github.com/org/hub-image"),
        ("https://x-access-token:ghs_secret@github.com/org/img.git", "https://github.com/org/img"),
        (
            "ssh://git@gitlab.example.org:2222/org/img.git",
            "https://gitlab.example.org:2222/org/img",
        ),
        ("https://github.com/org/img", "https://github.com/org/img"),
    ],
)
def test_public_url_has_no_credentials(url: str, expected: str) -> None:
    assert public_url(url) == expected


def test_labels_from_a_repository(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    head = commit_files(repo, {"image/requirements.txt": "six\n"})
    git(repo, "remote", "add", "origin", "https://oauth2:glpat-secret@gitlab.example.org/o/i.git")
    labels = build_labels(
        repo / "image",
        "repo2docker",
        "binder",
        {"buildpack": "PythonBuildPack"},
        now=NOW,
        environ={},
    )
    assert labels[SOURCE] == "https://gitlab.example.org/o/i"
    assert "secret" not in json.dumps(labels)
    assert labels[REVISION] == head
    assert labels[CREATED] == "2026-03-09T12:00:05Z"
    record = json.loads(labels[BUILD])
    assert record["builder"] == "repo2docker"
    assert record["config"] == "binder"
    assert record["context"] == "image"
    assert record["dirty"] is False
    assert record["buildpack"] == "PythonBuildPack"


def test_github_actions_variables_give_the_source(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo")
    commit_files(repo, {"Dockerfile": "FROM x\n"})
    environ = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "org/hub"}
    labels = build_labels(repo, "dockerfile", ".", {}, now=NOW, environ=environ)
    assert labels[SOURCE] == "https://github.com/org/hub"


def test_outside_git_there_is_no_source_or_revision(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    labels = build_labels(tmp_path, "dockerfile", ".", {}, now=NOW, environ={})
    assert SOURCE not in labels and REVISION not in labels
    assert json.loads(labels[BUILD])["dirty"] is None
