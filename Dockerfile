# hubimage as a container image, for CI systems other than GitHub Actions.
# Run it with the Docker socket mounted:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/work" -w /work \
#     -e HUBIMAGE_REGISTRY_PASSWORD quay.io/hubimage/hubimage run --image quay.io/org/img
# BASE_IMAGE needs Python >= 3.11 (tomllib reads the dependency list below).
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# git computes content tags; no docker CLI is needed (the Engine API is used through the SDK).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'

# The dependencies in a layer of their own that depends on pyproject.toml only, so a change
# to the source rebuilds in seconds instead of reinstalling repo2docker, docker, PyGithub...
COPY pyproject.toml /src/hubimage/
RUN python3 -m venv /opt/hubimage \
 && python3 -c 'import sys, tomllib; \
print("\n".join(tomllib.load(open(sys.argv[1], "rb"))["project"]["dependencies"]))' \
        /src/hubimage/pyproject.toml > /tmp/hubimage-requirements.txt \
 && /opt/hubimage/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /tmp/hubimage-requirements.txt \
 && rm /tmp/hubimage-requirements.txt

COPY README.md /src/hubimage/
COPY src /src/hubimage/src
RUN /opt/hubimage/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        /src/hubimage \
 && rm -rf /src/hubimage

ENV PATH=/opt/hubimage/bin:$PATH
ENTRYPOINT ["hubimage"]
CMD ["--help"]
