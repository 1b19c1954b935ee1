# hubimage as a container image, for CI systems other than GitHub Actions.
# Run it with the Docker socket mounted:
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock -v "$PWD:/work" -w /work \
#     -e HUBIMAGE_REGISTRY_PASSWORD quay.io/hubimage/hubimage run --image quay.io/org/img
ARG BASE_IMAGE=python:3.12-slim
FROM ${BASE_IMAGE}

# git computes content tags; no docker CLI is needed (the Engine API is used through the SDK).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && git config --system --add safe.directory '*'

COPY pyproject.toml README.md /src/hubimage/
COPY src /src/hubimage/src
RUN python3 -m venv /opt/hubimage \
 && /opt/hubimage/bin/pip install --no-cache-dir --disable-pip-version-check /src/hubimage \
 && rm -rf /src/hubimage

ENV PATH=/opt/hubimage/bin:$PATH
ENTRYPOINT ["hubimage"]
CMD ["--help"]
