import pytest

from hubimage.errors import ImageReferenceError
from hubimage.reference import ImageReference, validate_tag

DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("jupyter/base-notebook", None, "jupyter/base-notebook", None, None),
        ("quay.io/org/img:2024.01.02", "quay.io", "org/img", "2024.01.02", None),
        ("localhost:5000/org/img:1.0", "localhost:5000", "org/img", "1.0", None),
        ("localhost:5000/org/img", "localhost:5000", "org/img", None, None),
        ("localhost/img", "localhost", "img", None, None),
        ("127.0.0.1:5000/a/b/c:t", "127.0.0.1:5000", "a/b/c", "t", None),
        (f"ghcr.io/o/i:t@{DIGEST}", "ghcr.io", "o/i", "t", DIGEST),
        (f"ghcr.io/o/i@{DIGEST}", "ghcr.io", "o/i", None, DIGEST),
        (
            "us-central1-docker.pkg.dev/p/r/i:abc",
            "us-central1-docker.pkg.dev",
            "p/r/i",
            "abc",
            None,
        ),
        ("img:0123456", None, "img", "0123456", None),
    ],
)
def test_parse_splits_on_the_last_colon_after_the_last_slash(
    text: str, registry: str | None, repository: str, tag: str | None, digest: str | None
) -> None:
    ref = ImageReference.parse(text)
    assert (ref.registry, ref.repository, ref.tag, ref.digest) == (
        registry,
        repository,
        tag,
        digest,
    )
    assert str(ref) == text


def test_default_registry_is_quay() -> None:
    ref = ImageReference.parse("org/img")
    assert ref.registry_host == "quay.io"
    assert ref.qualified_name == "quay.io/org/img"


@pytest.mark.parametrize(
    "text",
    [
        "",
        " img",
        "Img/Upper",
        "img:",
        "img:-bad",
        "img:a;rm -rf /",
        "img:tag\nnext",
        "img@sha256:short",
        "org//img",
        "img:$(whoami)",
        "local host:5000/img",
        "a" * 300,
    ],
)
def test_invalid_references_are_rejected(text: str) -> None:
    with pytest.raises(ImageReferenceError):
        ImageReference.parse(text)


def test_with_tag_validates() -> None:
    ref = ImageReference.parse("quay.io/org/img:old")
    assert str(ref.with_tag("new")) == "quay.io/org/img:new"
    with pytest.raises(ImageReferenceError):
        ref.with_tag("bad tag")
    with pytest.raises(ImageReferenceError):
        validate_tag("x" * 129)
