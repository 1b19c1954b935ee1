"""`docker buildx build` as a child process: its argv, its environment, its output.

What is secret never reaches argv, where any user of the machine can read it (`ps`):
build-arg values and build secrets go into the child's environment (`--build-arg NAME` and
`--secret id=ID,env=VAR` read them from there), and registry credentials for the cache reach
buildx through a credential helper that answers from the environment too (`registry_auth`).
The child gets a small environment of its own, not every variable of the runner (which holds
the action's inputs, the registry password among them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

from hubimage.engine import BuildSpec, LogSink
from hubimage.errors import BuildError, EngineError
from hubimage.secrets import SECRETS

_PASSED_ENV = re.compile(
    r"(PATH|HOME|USER|TMPDIR|LANG|LC_.*|XDG_.*|DOCKER_.*|BUILDX_.*|BUILDKIT_.*|"
    r"(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|SSL_CERT_.*|"
    r"ACTIONS_RUNTIME_TOKEN|ACTIONS_CACHE_URL|ACTIONS_RESULTS_URL|ACTIONS_CACHE_SERVICE_V2)"
)
AUTH_VARIABLE = "HUBIMAGE_BUILDX_AUTH"
_HELPER_NAME = "hubimage"
_HELPER = """#!{python} -IS
# docker-credential-hubimage: answers `get` from ${variable}; stores nothing.
# (-IS: no site-packages, no PYTHON* variables: it starts in a third of the time)
import json, os, sys
if sys.argv[1:] != ["get"]:
    sys.exit(0 if sys.argv[1:] in (["store"], ["erase"], ["list"]) else 1)
server = sys.stdin.read().strip()
auth = json.loads(os.environ.get("{variable}", "{{}}")).get(server)
if auth is None:
    print("credentials not found in native keychain")
    sys.exit(1)
print(json.dumps({{"ServerURL": server, "Username": auth[0], "Secret": auth[1]}}))
"""


def passed_through(name: str) -> bool:
    """Whether a variable of this name is part of the child's own environment."""
    return bool(_PASSED_ENV.fullmatch(name)) or name == AUTH_VARIABLE


def docker_cli() -> str | None:
    return shutil.which("docker")


def child_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str]:
    return {name: value for name, value in environ.items() if _PASSED_ENV.fullmatch(name)}


def buildx_command(  # noqa: C901 (one `if` per optional flag, read top to bottom as the command line)
    docker: str, spec: BuildSpec, iidfile: Path, *, host_network: bool = True
) -> tuple[list[str], dict[str, str]]:
    """The argv and the extra environment (secret values) of one build.

    No provenance attestation: the image stays one manifest, as the legacy builder makes it,
    and build-arg values stay out of the registry.
    """
    argv = [docker, "buildx", "build", "--progress", "plain"]
    if host_network:  # like the legacy builder's network_mode="host" (the docker driver)
        argv += ["--network", "host"]
    # --file is relative to the working directory for a folder, to the tar's top for stdin
    dockerfile = spec.dockerfile
    if spec.context_tar is None:
        dockerfile = str(Path(str(spec.context_dir)) / spec.dockerfile)
    argv += ["--provenance", "false", "--file", dockerfile, "--iidfile", str(iidfile)]
    env: dict[str, str] = {}
    if spec.output == "load":
        argv += ["--load", "--tag", spec.tag]
    elif spec.output == "push":  # straight to the registry (when, see builders.py)
        argv += ["--push", "--metadata-file", str(iidfile.with_name("metadata.json"))]
        for tag in spec.push_tags or (spec.tag,):
            argv += ["--tag", tag]
    else:
        argv += ["--output", "type=cacheonly"]
    for name, value in sorted(spec.buildargs.items()):
        if passed_through(name):
            argv += ["--build-arg", f"{name}={value}"]  # PATH, proxies: needed as they are
        else:
            env[name] = value  # `--build-arg NAME` takes the value from the environment
            argv += ["--build-arg", name]
    for index, secret in enumerate(spec.secrets):
        variable = f"HUBIMAGE_BUILD_SECRET_{index}"
        env[variable] = secret.value
        argv += ["--secret", f"id={secret.id},env={variable}"]
    for name, value in sorted(spec.labels.items()):
        argv += ["--label", f"{name}={value}"]
    if spec.target:
        argv += ["--target", spec.target]
    if spec.pull:
        argv.append("--pull")
    if spec.no_cache:  # every step runs again; --cache-to below still writes the cache
        argv.append("--no-cache")
    for source in () if spec.no_cache else spec.cache_imports:
        argv += ["--cache-from", source]
    for image in () if spec.no_cache else spec.cache_from:
        argv += ["--cache-from", f"type=registry,ref={image}"]
    for export in spec.cache_exports:
        argv += ["--cache-to", export]
    argv.append("-" if spec.context_tar is not None else str(spec.context_dir))
    return argv, env


def run_buildx(
    spec: BuildSpec,
    log: LogSink,
    *,
    extra_env: Mapping[str, str] | None = None,
    host_network: bool = True,
) -> str:
    """Run one build; stream its output to `log`; return the image id ("" for cacheonly).

    For output "push" the return value is the manifest digest buildx pushed, from its
    metadata file (`containerimage.digest`): what the caller then asks the registry for.
    """
    docker = docker_cli()
    if docker is None:
        raise EngineError("the docker command is not on PATH; buildx needs it")
    with tempfile.TemporaryDirectory(prefix="hubimage-buildx-") as scratch:
        iidfile = Path(scratch) / "iid"
        argv, secret_env = buildx_command(docker, spec, iidfile, host_network=host_network)
        # BUILDX_GIT_INFO feeds only provenance, which is off: skip its seven git calls
        # (a user's own setting still wins).
        env = {"BUILDX_GIT_INFO": "false", **child_environment(), **(extra_env or {})}
        env.update(secret_env)
        _stream(argv, env, spec, log)
        if spec.output == "push":
            return pushed_digest(iidfile.with_name("metadata.json"))
        if spec.output != "load":
            return ""
        image_id = iidfile.read_text().strip() if iidfile.is_file() else ""
    if not image_id:
        raise BuildError("docker buildx build finished without an image id")
    return image_id


def pushed_digest(metadata_file: Path) -> str:
    try:
        metadata = json.loads(metadata_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BuildError(f"docker buildx build --push left no metadata file: {error}") from error
    digest = metadata.get("containerimage.digest") if isinstance(metadata, dict) else None
    if not isinstance(digest, str) or not digest.startswith("sha256:"):
        raise BuildError("docker buildx build --push reported no containerimage.digest")
    return digest


def _stream(argv: Sequence[str], env: Mapping[str, str], spec: BuildSpec, log: LogSink) -> None:
    tail: deque[str] = deque(maxlen=60)
    errors: list[str] = []
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.PIPE if spec.context_tar is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=dict(env),
    )
    feeder = None
    if spec.context_tar is not None and process.stdin is not None:
        feeder = threading.Thread(target=_feed, args=(spec.context_tar, process.stdin))
        feeder.start()
    assert process.stdout is not None
    for raw in process.stdout:
        line = SECRETS.redact(raw.decode("utf-8", "replace").rstrip("\r\n"))
        if not line.strip():
            continue
        tail.append(line)
        if line.startswith("ERROR:") or " ERROR: " in line:
            errors.append(line)
        log(line)
    code = process.wait()
    if feeder is not None:
        feeder.join()
    if code != 0:
        detail = errors[-1].split("ERROR:", 1)[-1].strip() if errors else f"exit {code}"
        raise BuildError(f"build failed: {detail}", log_tail="\n".join(tail))


def _feed(source: IO[bytes], sink: IO[bytes]) -> None:
    # buildx may stop reading (it failed): its exit code says why
    with suppress(BrokenPipeError):
        shutil.copyfileobj(source, sink)
    with suppress(BrokenPipeError):
        sink.close()


def buildx_available(environ: Mapping[str, str] = os.environ) -> tuple[bool, str]:
    """Whether `docker buildx` runs here, and the reason, for the log."""
    docker = docker_cli()
    if docker is None:
        return False, "the docker command is not on PATH"
    try:
        done = subprocess.run(
            [docker, "buildx", "version"],
            capture_output=True,
            env=child_environment(environ),
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return False, f"docker buildx version failed: {error}"
    if done.returncode != 0:
        first = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        return False, f"docker buildx is not installed ({first[0] if first else 'no output'})"
    return True, done.stdout.decode("utf-8", "replace").strip()


def buildx_driver(environ: Mapping[str, str] = os.environ) -> str:
    """The driver of the builder `docker buildx build` uses now (docker, docker-container...)."""
    docker = docker_cli() or "docker"
    try:
        done = subprocess.run(
            [docker, "buildx", "inspect"],
            capture_output=True,
            env=child_environment(environ),
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "Driver":
            return value.strip()
    return "unknown"


@contextmanager
def registry_auth(logins: Mapping[str, tuple[str, str]]) -> Iterator[dict[str, str]]:
    """Environment for buildx that gives it these credentials, keyed by server address.

    A temporary DOCKER_CONFIG names a credential helper (a short script in the same temporary
    folder) for each server; the helper answers from an environment variable, so no password
    is written to a file. The rest of the user's Docker config is kept: config.json's other
    settings, and each other entry of the folder linked in, so buildx still finds the user's
    builders (`buildx/`, where docker/setup-buildx-action puts its docker-container builder),
    contexts (`contexts/`), CLI plugins and the TLS files DOCKER_TLS_VERIFY reads there.
    """
    if not logins:
        yield {}
        return
    original = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    config = _read_config(original / "config.json")
    helpers = dict(config.get("credHelpers") or {})
    auths = dict(config.get("auths") or {})
    for server in logins:
        helpers[server] = _HELPER_NAME
        auths.pop(server, None)
    config.update(credHelpers=helpers, auths=auths)
    with tempfile.TemporaryDirectory(prefix="hubimage-docker-config-") as folder:
        root = Path(folder)
        _link_config_entries(original, root, keep_out=("config.json", "bin"))
        (root / "config.json").write_text(json.dumps(config), encoding="utf-8")
        helper = root / "bin" / f"docker-credential-{_HELPER_NAME}"
        helper.parent.mkdir()
        helper.write_text(_HELPER.format(python=sys.executable, variable=AUTH_VARIABLE))
        helper.chmod(0o700)
        path = f"{helper.parent}{os.pathsep}{os.environ.get('PATH', '')}"
        yield {
            "DOCKER_CONFIG": str(root),
            "PATH": path,
            AUTH_VARIABLE: json.dumps({server: list(pair) for server, pair in logins.items()}),
        }


def _link_config_entries(original: Path, copy: Path, keep_out: tuple[str, ...]) -> None:
    """Link each entry of the user's Docker config folder into `copy`, but those in
    `keep_out` (written here instead). Links, not copies: buildx records its builders'
    state and build history there, as it would without hubimage."""
    try:
        entries = sorted(original.iterdir())
    except OSError:
        return  # no Docker config folder yet: nothing to keep
    for entry in entries:
        if entry.name not in keep_out:
            (copy / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
