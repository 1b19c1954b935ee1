"""The pangeo strategy end to end, against a local stand-in for pangeo/base-image.

pangeo/base-image cannot be pulled here. The stand-in carries the same ONBUILD behaviour
as pangeo-docker-images' base-image/Dockerfile (copy the context to /home/jovyan, read
binder/ or .binder/, apt.txt as root, jupyter_notebook_config.py to /etc/jupyter, then as
jovyan: the environment, requirements.txt with the environment's pip, postBuild, and `start`
to /srv/start, the entrypoint), with a pip venv in place of conda.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hubimage.engine import DockerEngine
from hubimage.errors import EngineError
from hubimage.imagebuild import BuildRequest, build_image, inspect_context, registry_list_tags
from hubimage.imagebuild.strategies.pangeo import GENERATED_DOCKERFILE, PangeoStrategy
from support.fixture_images import build_cached
from support.registry_fixtures import build_scratch_image, running_registry

# The legacy builder: buildx made unavailable to the process (tests/support/buildx_fixtures.py).
pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("no_buildx")]
IMAGE = "hie-test/pangeo"

# Each trigger enters binder/ or .binder/ when present, as pangeo's do.
_CD = "cd /home/jovyan; if [ -d binder ]; then cd binder; elif [ -d .binder ]; then cd .binder; fi"
STANDIN_DOCKERFILE = f"""\
FROM @BASE@
USER root
ENV NB_USER=jovyan NB_UID=1000 CONDA_ENV=notebook NB_PYTHON_PREFIX=/opt/venv
RUN groupadd --gid 1000 jovyan && chown -R jovyan /opt/venv /srv
USER jovyan
WORKDIR /home/jovyan
ENTRYPOINT ["/srv/start"]
ONBUILD USER root
ONBUILD COPY --chown=jovyan:jovyan . /home/jovyan
ONBUILD RUN {_CD}; echo "configuration from $(pwd)"
ONBUILD RUN {_CD}; if [ -f apt.txt ]; then apt-get update -q > /dev/null \\
    && xargs -a apt.txt apt-get install -y -q > /dev/null && rm -rf /var/lib/apt/lists/*; fi
ONBUILD RUN {_CD}; if [ -f jupyter_notebook_config.py ]; then mkdir -p /etc/jupyter \\
    && cp jupyter_notebook_config.py /etc/jupyter/; fi
ONBUILD USER ${{NB_USER}}
ONBUILD RUN {_CD}; if [ -f conda-lock.yml ] || [ -f environment.yml ]; then \\
    echo "stand-in: no conda here"; exit 1; fi
ONBUILD RUN {_CD}; if [ -f requirements.txt ]; then \\
    ${{NB_PYTHON_PREFIX}}/bin/pip install --no-cache -r requirements.txt; fi
ONBUILD RUN {_CD}; if [ -f postBuild ]; then chmod +x postBuild && ./postBuild; fi
ONBUILD RUN {_CD}; if [ -f start ]; then chmod +x start && cp start /srv/start; fi
"""


@pytest.fixture(scope="module")
def pangeo_standin(docker_engine: DockerEngine, singleuser_image: str) -> tuple[str, str]:
    """(name, tag) of a stand-in for pangeo/base-image:<tag>."""
    ref = build_cached(
        docker_engine, "hie-pangeo-standin", STANDIN_DOCKERFILE.replace("@BASE@", singleuser_image)
    )
    name, tag = ref.rsplit(":", 1)
    return name, tag


def test_pangeo_build_runs_every_trigger(
    docker_engine: DockerEngine,
    pangeo_standin: tuple[str, str],
    tmp_path: Path,
    images: list[str],
) -> None:
    base_name, base_tag = pangeo_standin
    files = {
        "binder/requirements.txt": "six==1.16.0\n",
        "binder/apt.txt": "tree\n",
        "binder/postBuild": "#!/bin/sh\necho postBuild-ran > /srv/postbuild-marker\n",
        "binder/start": '#!/bin/bash\nexport PANGEO_ENV=hie-test\nexec "$@"\n',
        "notebooks/intro.ipynb": "{}",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    images.append(f"{IMAGE}:e2e")
    lines: list[str] = []
    result = build_image(
        docker_engine,
        BuildRequest(
            context=tmp_path,
            image=IMAGE,
            tag="e2e",
            builder="pangeo",
            base_image=base_name,
            base_tag=base_tag,
        ),
        lines.append,
    )
    assert result.builder == "pangeo" and result.warnings == ()
    assert "configuration from /home/jovyan/binder" in lines
    script = (
        "id -u; echo $PANGEO_ENV; python -c 'import six; print(six.__version__)'; "
        "command -v tree; cat /srv/postbuild-marker; ls -a /home/jovyan"
    )
    output = docker_engine.run(result.image, ["sh", "-c", script]).output.split()
    assert output[:5] == ["1000", "hie-test", "1.16.0", "/usr/bin/tree", "postBuild-ran"]
    home = output[5:]
    assert "notebooks" in home and "binder" in home
    assert GENERATED_DOCKERFILE not in home and ".dockerignore" not in home
    record = json.loads(
        docker_engine.require_image(result.image)["Config"]["Labels"]["io.hubimage.build"]
    )
    assert record["base"] == f"{base_name}:{base_tag}"
    assert record["files"] == ["requirements.txt", "apt.txt", "postBuild", "start"]


def test_newest_calendar_tag_is_built_from(
    docker_engine: DockerEngine,
    pangeo_standin: tuple[str, str],
    tmp_path: Path,
    images: list[str],
) -> None:
    base_name, base_tag = pangeo_standin
    docker_engine.tag(f"{base_name}:{base_tag}", base_name, "2026.01.21")
    images.append(f"{base_name}:2026.01.21")
    (tmp_path / "postBuild").write_text("#!/bin/sh\ntouch /srv/built\n")
    images.append(f"{IMAGE}:dated")
    result = build_image(
        docker_engine,
        BuildRequest(
            context=tmp_path, image=IMAGE, tag="dated", builder="pangeo", base_image=base_name
        ),
        lambda _: None,
        list_tags=lambda _repo: ["master", "2025.12.30", "2026.01.21", "latest"],
    )
    assert any("no 'start' file" in warning for warning in result.warnings)
    record = json.loads(result.labels["io.hubimage.build"])
    assert record["base"] == f"{base_name}:2026.01.21"
    run = docker_engine.run(result.image, ["test", "-e", "/srv/built"], entrypoint=[])
    assert run.exit_code == 0
    with pytest.raises(EngineError, match="/srv/start"):  # what the warning is about
        docker_engine.run(result.image, ["true"])


def test_base_tag_resolved_by_the_registry_client(
    docker_engine: DockerEngine, tmp_path: Path, images: list[str]
) -> None:
    """The default tag lister is hubimage's registry client, asking anonymously."""
    with running_registry("none") as registry:
        repository = f"{registry.host}/pangeo/base-image"
        scratch = build_scratch_image(docker_engine, "base\n")
        images.append(scratch)
        for tag in ("2025.12.30", "2026.01.21", "2026.01.09", "master"):
            docker_engine.tag(scratch, repository, tag)
            images.append(f"{repository}:{tag}")
            for event in docker_engine.client.api.push(repository, tag, stream=True, decode=True):
                assert "error" not in event, event
        assert sorted(registry_list_tags(repository)) == [
            "2025.12.30",
            "2026.01.09",
            "2026.01.21",
            "master",
        ]
        (tmp_path / "start").write_text('#!/bin/sh\nexec "$@"\n')
        request = BuildRequest(context=tmp_path, image=IMAGE, tag="t", base_image=repository)
        prepared = PangeoStrategy(registry_list_tags).prepare(request, inspect_context(tmp_path))
        assert prepared.base == f"{repository}:2026.01.21"
