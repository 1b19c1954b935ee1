"""Tags from real git repositories: content, sha, date, templates, dirty trees, no git."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from hubimage.errors import BadInputError, BuildInputError, UsageError
from hubimage.imagebuild.tags import compute_tag, extend_hash, reads_as_non_string
from support.gitrepo import commit_files, git, init_repo

NOW = dt.datetime(2026, 3, 9, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with an image folder and a docs folder, each committed once."""
    repo = init_repo(tmp_path / "repo")
    commit_files(repo, {"image/requirements.txt": "six\n"}, "image")
    commit_files(repo, {"docs/index.md": "# docs\n"}, "docs")
    return repo


# --- the hash extension rule, on given hashes ---------------------------------------------


@pytest.mark.parametrize(
    ("full_hash", "expected"),
    [
        ("3f2a9c41d0be77aa10b2c3d4e5f60718293a4b5c", "3f2a9c41d0be"),
        ("1234567890123a5c0000000000000000000000ff", "1234567890123a"),  # all digits at 12
        ("1234567890124567a9990000000000000000aaaa", "1234567890124567a"),
        ("12345e678901234b0000000000000000000000ff", "12345e678901234b"),  # 12345e6789012 = float
        ("0e12345678ab00000000000000000000000000ff", "0e12345678ab"),
    ],
)
def test_extend_hash_until_yaml_reads_a_string(full_hash: str, expected: str) -> None:
    assert extend_hash(full_hash) == expected
    assert not reads_as_non_string(expected)


def test_extend_hash_respects_a_shorter_minimum() -> None:
    assert extend_hash("abcdef1234567890abcdef1234567890abcdef12", 7) == "abcdef1"
    assert extend_hash("1234567a90abcdef1234567890abcdef12345678", 7) == "1234567a"


def test_a_hash_of_only_digits_never_becomes_a_number() -> None:
    tag = extend_hash("1" * 40)
    assert not reads_as_non_string(tag)


@pytest.mark.parametrize("text", ["123456789012", "1e10", "12e34", "0x1f", "1.5", "on", "null"])
def test_yaml_non_strings(text: str) -> None:
    assert reads_as_non_string(text)


@pytest.mark.parametrize("text", ["3f2a9c41d0be", "2026.03.10", "1e10a", "latest", "v1.2"])
def test_yaml_strings(text: str) -> None:
    assert not reads_as_non_string(text)


# --- content and sha from real repositories ----------------------------------------------


def test_content_tag_is_the_last_commit_that_touched_the_context(repo: Path) -> None:
    image_commit = git(repo, "log", "-1", "--format=%H", "--", "image")
    head = git(repo, "rev-parse", "HEAD")
    assert image_commit != head  # the docs commit came later
    tag = compute_tag(repo / "image")
    assert tag == extend_hash(image_commit)
    assert image_commit.startswith(tag) and len(tag) >= 12


def test_content_tag_moves_only_when_the_context_changes(repo: Path) -> None:
    before = compute_tag(repo / "image")
    commit_files(repo, {"docs/more.md": "more\n"}, "more docs")
    assert compute_tag(repo / "image") == before
    touched = commit_files(repo, {"image/postBuild": "#!/bin/sh\n"}, "image again")
    after = compute_tag(repo / "image")
    assert after != before and touched.startswith(after)


def test_sha_tag_is_head(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    assert compute_tag(repo / "image", "sha") == extend_hash(head)


def test_dirty_context_gets_a_marked_tag_named_by_its_files(repo: Path) -> None:
    clean = compute_tag(repo / "image")
    (repo / "image" / "requirements.txt").write_text("six\ntoolz\n")
    dirty = compute_tag(repo / "image")
    assert re.fullmatch(rf"{clean}-dirty-[0-9a-f]{{8}}", dirty)
    assert compute_tag(repo / "image") == dirty  # same files, same tag
    (repo / "image" / "apt.txt").write_text("tree\n")  # untracked files count too
    assert compute_tag(repo / "image") != dirty
    (repo / "image" / "apt.txt").unlink()
    (repo / "image" / "requirements.txt").write_text("six\n")
    assert compute_tag(repo / "image") == clean


def test_changes_outside_the_context_do_not_make_it_dirty(repo: Path) -> None:
    clean = compute_tag(repo / "image")
    (repo / "docs" / "index.md").write_text("changed\n")
    assert compute_tag(repo / "image") == clean


def test_ignored_files_do_not_make_it_dirty(repo: Path) -> None:
    clean = compute_tag(repo / "image")
    commit_files(repo, {".gitignore": "*.pyc\n"}, "ignore")
    (repo / "image" / "cache.pyc").write_text("x")
    assert compute_tag(repo / "image") == clean


def test_context_outside_git_is_named_by_its_files(tmp_path: Path) -> None:
    context = tmp_path / "plain"
    context.mkdir()
    (context / "requirements.txt").write_text("six\n")
    tag = compute_tag(context)
    assert re.fullmatch(r"dirty-[0-9a-f]{12}", tag)
    (context / "requirements.txt").write_text("toolz\n")
    assert compute_tag(context) != tag


def test_sha_outside_git_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(BuildInputError, match="not in a git repository"):
        compute_tag(tmp_path, "sha")


# --- date, latest, templates ------------------------------------------------------------


def test_date_is_the_utc_day() -> None:
    assert compute_tag(Path("."), "date", now=NOW) == "2026.03.10"  # 23:30 at -05:00


def test_latest_only_by_name() -> None:
    assert compute_tag(Path("."), "latest") == "latest"


def test_template_with_date_and_short_sha(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD")
    tag = compute_tag(repo / "image", "{date}-{sha:7}", now=NOW)
    assert tag == f"2026.03.10-{extend_hash(head, 7)}"
    assert len(tag) >= len("2026.03.10-") + 7


def test_template_content_field(repo: Path) -> None:
    image_commit = git(repo, "log", "-1", "--format=%H", "--", "image")
    assert compute_tag(repo / "image", "r-{content:8}") == f"r-{extend_hash(image_commit, 8)}"


@pytest.mark.parametrize(
    ("scheme", "message"),
    [
        ("weekly", "unknown tag scheme"),
        ("{branch}", "unknown fields: branch"),
        ("{sha:x}", "not a length"),
        ("{date", "malformed"),
        ("{date}/x", "invalid image tag"),
    ],
)
def test_bad_schemes_are_usage_errors(repo: Path, scheme: str, message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        compute_tag(repo / "image", scheme, now=NOW)


def test_template_that_reads_as_a_number_is_refused(repo: Path) -> None:
    with pytest.raises(UsageError, match="reads as a number"):
        compute_tag(repo / "image", "12345{date:.0}", now=NOW)  # an empty date
