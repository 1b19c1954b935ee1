# hubimage as a container image, for CI systems other than GitHub Actions.
# Run it with the Docker socket mounted:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/work" -w /work \
#     -e HUBIMAGE_REGISTRY_PASSWORD quay.io/hubimage/hubimage run --image quay.io/org/img
# BASE_IMAGE: Debian 13 (trixie) or later with Python >= 3.10, as python:3.12-slim is: its
# own suite has Docker's CLI and buildx (on a Debian 12 base, add the trixie suite first).
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# git computes content tags. The docker CLI with buildx makes BuildKit the builder, as on
# GitHub's runners (RUN --mount, COPY --chmod, heredocs, the registry cache); it talks to the
# mounted engine's socket, and the Engine API (through the SDK) does the rest.
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates docker-cli docker-buildx \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'

# The dependencies in a layer of their own that depends on the lock only, so a change to the
# source rebuilds in seconds. The lock is the action's: exact versions, every file's sha256,
# hubimage's build backend included (so hubimage itself installs without build isolation).
COPY requirements/action.txt /src/hubimage/requirements/
RUN python3 -m venv /opt/hubimage \
 && /opt/hubimage/bin/pip install --no-cache-dir --disable-pip-version-check \
        --require-hashes --no-deps -r /src/hubimage/requirements/action.txt

COPY pyproject.toml README.md /src/hubimage/
COPY src /src/hubimage/src
RUN /opt/hubimage/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps \
        --no-build-isolation /src/hubimage \
 && rm -rf /src/hubimage

ENV PATH=/opt/hubimage/bin:$PATH
ENTRYPOINT ["hubimage"]
CMD ["--help"]
