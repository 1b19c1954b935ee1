"""Reading an image's config and labels from the real registry, without pulling it."""

from __future__ import annotations

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import RegistryError
from hubimage.reference import ImageReference
from hubimage.registry import RegistryClient, push_image, resolve_login
from hubimage.registry.client import verify_digest
from support.registry_fixtures import RunningRegistry

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("auth", ["htpasswd", "token"])
def test_labels_are_read_back_as_the_engine_has_them(
    auth: str,
    request: pytest.FixtureRequest,
    docker_engine: DockerEngine,
    scratch_image: str,
    unique_repository: str,
) -> None:
    registry: RunningRegistry = request.getfixturevalue(f"registry_{auth}")
    labels = {"io.hubimage.checks": '{"passed":true}', "org.example.note": "hello"}
    labelled = docker_engine.add_labels(scratch_image, labels)
    target = ImageReference.parse(f"{registry.host}/{unique_repository}")
    pushed = push_image(docker_engine, labelled, target, ["v1"], registry.credentials)

    with RegistryClient(registry.host, resolve_login(target, registry.credentials)) as client:
        by_tag = client.image_labels(unique_repository, "v1")
        by_digest = client.image_config(unique_repository, pushed.digest)
        missing = client.image_labels(unique_repository, "no-such-tag")

    local = docker_engine.require_image(labelled)["Config"]["Labels"]
    assert by_tag == local
    assert by_tag is not None and by_tag["org.example.note"] == "hello"
    assert by_digest is not None and by_digest["config"]["Labels"] == local
    assert missing is None


EMPTY_OBJECT = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"  # b"{}"


def test_content_that_does_not_match_its_digest_is_refused() -> None:
    verify_digest(b"{}", EMPTY_OBJECT, "x")
    with pytest.raises(RegistryError, match="digest"):
        verify_digest(b"{} ", EMPTY_OBJECT, "x")
