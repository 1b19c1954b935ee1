"""requirements/action.txt, what the action installs, stays in step with pyproject.toml.

Every runtime dependency of pyproject.toml is pinned there with `==` at a version its
specifier allows, for each Python the action may run on (3.10 to 3.12 on Linux; actions/
setup-python gives 3.12), with sha256 hashes; the build backend too (the action installs
hubimage with --no-build-isolation), and repo2docker at the action's default version.
Regenerate with `bash tools/lock/update-action-requirements.sh`.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from hubimage.input_specs import INPUTS_BY_NAME

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest itself needs tomli there
    import tomli as tomllib

REPO = Path(__file__).parents[2]
LOCK = REPO / "requirements" / "action.txt"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
PYTHONS = ("3.10", "3.11", "3.12")


@dataclass(frozen=True)
class Pin:
    name: str
    version: Version
    marker: Marker | None
    hashes: tuple[str, ...]


def read_lock() -> list[Pin]:
    text = LOCK.read_text().replace("\\\n", " ")
    pins = []
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        hashes = tuple(re.findall(r"--hash=sha256:([0-9a-f]{64})", line))
        requirement = Requirement(line.split("--hash")[0].strip().rstrip(";").strip())
        (spec,) = requirement.specifier
        assert spec.operator == "==", f"{line!r} is not an exact pin"
        pins.append(
            Pin(
                canonicalize_name(requirement.name),
                Version(spec.version),
                requirement.marker,
                hashes,
            )
        )
    return pins


def environment(python: str) -> dict[str, str]:
    return {
        "python_version": python,
        "python_full_version": f"{python}.0",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": "",
    }


def pins_for(python: str) -> dict[str, Pin]:
    env = environment(python)
    chosen: dict[str, Pin] = {}
    for pin in read_lock():
        if pin.marker is None or pin.marker.evaluate(env):
            assert pin.name not in chosen, f"{pin.name} pinned twice for Python {python}"
            chosen[pin.name] = pin
    return chosen


def test_every_pin_is_exact_and_hashed() -> None:
    pins = read_lock()
    assert pins
    assert not [pin.name for pin in pins if not pin.hashes]


@pytest.mark.parametrize("python", PYTHONS)
def test_every_runtime_and_lab_dependency_is_pinned_within_its_range(python: str) -> None:
    pins = pins_for(python)
    env = environment(python)
    # The action installs hubimage[lab]: Playwright drives the runner's Chrome for lab-loads.
    wanted = [
        *PYPROJECT["project"]["dependencies"],
        *PYPROJECT["project"]["optional-dependencies"]["lab"],
    ]
    for text in wanted:
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(env):
            continue
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None, f"{requirement.name} is not in {LOCK.name} for Python {python}"
        assert requirement.specifier.contains(pin.version, prereleases=True), (
            f"{LOCK.name} pins {pin.name}=={pin.version}, outside pyproject's {requirement}"
        )


@pytest.mark.parametrize("python", PYTHONS)
def test_the_build_backend_and_the_default_repo2docker_are_pinned(python: str) -> None:
    pins = pins_for(python)
    for text in PYPROJECT["build-system"]["requires"]:
        requirement = Requirement(text)
        pin = pins.get(canonicalize_name(requirement.name))
        assert pin is not None and requirement.specifier.contains(pin.version), requirement
    default = INPUTS_BY_NAME["repo2docker-version"].default
    assert pins["jupyter-repo2docker"].version == Version(default)


def test_the_lock_names_the_command_that_writes_it() -> None:
    assert "bash tools/lock/update-action-requirements.sh" in LOCK.read_text()
    assert (REPO / "tools" / "lock" / "update-action-requirements.sh").is_file()
