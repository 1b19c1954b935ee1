"""Take an image's package inventory with one short container run.

One `/bin/sh` script lists, as far as the image has them:
- apt: installed dpkg packages (`dpkg-query`), when dpkg is there;
- conda: every conda environment's `conda-meta/<name>-<version>-<build>.json` file names (conda
  and mamba name them so, which saves reading the JSON and needs no conda binary), looked for
  next to each `bin` directory on PATH, in $NB_PYTHON_PREFIX, $KERNEL_PYTHON_PREFIX,
  $CONDA_PREFIX, and in the roots $CONDA_DIR, $MAMBA_ROOT_PREFIX, /opt/conda, /srv/conda
  with their `envs/*`;
- pip: the distributions each Python on PATH sees (importlib.metadata), minus those that conda
  or apt installed, which their own ecosystem lists already.
Every data line starts with a marker, so stderr noise or a chatty profile script cannot be
mistaken for a package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hubimage.engine import ContainerEngine
from hubimage.errors import ImageNotFoundError, OperationError
from hubimage.inventory.model import PackageInventory, normalize_name, qualify

MARKER = "#hubimage-inventory"
# Debian's own dist-packages directory belongs to apt, which lists those packages already.
APT_PYTHON_DIRS = ("/usr/lib/python3/dist-packages",)

# Run by every python on PATH; prints one line per distribution it can import.
PYTHON_SNIPPET = f"""\
import os, sys
sys.path[:] = [p for p in sys.path if p]  # never the working directory
try:
    from importlib import metadata
except ImportError:
    raise SystemExit(0)
prefix = os.path.realpath(sys.prefix)
print("{MARKER}\\tpython\\t" + prefix)
for dist in metadata.distributions():
    try:
        name, version = dist.metadata["Name"], dist.version
        installer = (dist.read_text("INSTALLER") or "").strip()
        where = str(dist.locate_file(""))
    except Exception:
        continue
    if name and version:
        print("\\t".join(("{MARKER}", "pip", prefix, name, version, installer, where)))
"""

SHELL_SCRIPT = f"""\
exec 2>/dev/null
py_snippet=$1
M='{MARKER}'
if command -v dpkg-query >/dev/null; then
  printf '%s\\tdpkgarch\\t%s\\n' "$M" "$(dpkg --print-architecture)"
  fields='${{db:Status-Abbrev}}\\t${{Package}}\\t${{Architecture}}\\t${{Version}}'
  dpkg-query -W -f "$M"'\\tapt\\t'"$fields"'\\n'
fi
seen='|'
conda_env() {{
  [ -d "$1/conda-meta" ] || return 0
  p=$(cd "$1" && pwd -P) || return 0
  case "$seen" in *"|$p|"*) return 0;; esac
  seen="$seen$p|"
  printf '%s\\tcondaenv\\t%s\\n' "$M" "$p"
  for f in "$p"/conda-meta/*.json; do
    [ -f "$f" ] && printf '%s\\tconda\\t%s\\t%s\\n' "$M" "$p" "${{f##*/}}"
  done
}}
set -f
old_ifs=$IFS; IFS=:; set -- $PATH; IFS=$old_ifs
set +f
bins='|'
for d in "$@"; do
  [ -n "$d" ] || continue
  r=$(cd "$d" && pwd -P) || continue
  case "$bins" in *"|$r|"*) continue;; esac
  bins="$bins$r|"
  for py in python3 python; do
    if [ -x "$r/$py" ]; then "$r/$py" -c "$py_snippet"; break; fi
  done
  conda_env "$r/.."
done
for p in "$NB_PYTHON_PREFIX" "$KERNEL_PYTHON_PREFIX" "$CONDA_PREFIX"; do
  [ -n "$p" ] && conda_env "$p"
done
for root in "$CONDA_DIR" "$MAMBA_ROOT_PREFIX" /opt/conda /srv/conda; do
  [ -n "$root" ] || continue
  conda_env "$root"
  for e in "$root"/envs/*/; do [ -d "$e" ] && conda_env "${{e%/}}"; done
done
exit 0
"""


@dataclass
class PipDistribution:
    prefix: str
    name: str
    version: str
    installer: str
    location: str


@dataclass
class ProbeResult:
    """The probe's output, grouped. The first of `conda_envs` and of `pythons` (in PATH
    order) is the image's main environment of its kind."""

    apt: dict[str, str] = field(default_factory=dict)
    conda_envs: list[str] = field(default_factory=list)
    conda: dict[str, dict[str, str]] = field(default_factory=dict)  # prefix -> name -> ver
    pythons: list[str] = field(default_factory=list)
    pip: list[PipDistribution] = field(default_factory=list)


def parse_probe_output(text: str) -> ProbeResult:
    """Group the probe's marked lines; anything else in the output is ignored."""
    result = ProbeResult()
    native_arch = ""
    for line in text.splitlines():
        kind, *fields = line.split("\t")[1:] if line.startswith(MARKER + "\t") else [""]
        if kind == "dpkgarch" and fields:
            native_arch = fields[0]
        elif kind == "apt" and len(fields) == 4:
            status, name, arch, version = fields
            if status[1:2] == "i" and name and version:  # "ii", "hi": installed
                foreign = bool(native_arch) and arch not in ("all", native_arch, "")
                result.apt[f"{name}:{arch}" if foreign else name] = version
        elif kind == "condaenv" and fields:
            result.conda_envs.append(fields[0])
            result.conda.setdefault(fields[0], {})
        elif kind == "conda" and len(fields) == 2:
            _add_conda_record(result, *fields)
        elif kind == "python" and fields and fields[0] not in result.pythons:
            result.pythons.append(fields[0])
        elif kind == "pip" and len(fields) == 5:
            result.pip.append(PipDistribution(*fields))
    return result


def _add_conda_record(result: ProbeResult, prefix: str, filename: str) -> None:
    parts = filename.removesuffix(".json").rsplit("-", 2)
    if len(parts) == 3 and all(parts):
        name, version, build = parts
        result.conda.setdefault(prefix, {})[name] = f"{version}={build}"


def inventory_from_probe(probe: ProbeResult, size_bytes: int) -> PackageInventory:
    conda_main = probe.conda_envs[0] if probe.conda_envs else None
    conda: dict[str, str] = {}
    for prefix in probe.conda_envs:
        for name, version in probe.conda[prefix].items():
            conda[qualify(name, None if prefix == conda_main else prefix)] = version
    return PackageInventory(
        packages={"apt": probe.apt, "conda": conda, "pip": _pip_packages(probe)},
        size_bytes=size_bytes,
    )


def _pip_packages(probe: ProbeResult) -> dict[str, str]:
    """Distributions pip (or uv, or setup.py) installed, by the python that sees them first."""
    main = probe.pythons[0] if probe.pythons else None
    conda_records = {
        prefix: {
            (normalize_name("pip", name), version.split("=", 1)[0])
            for name, version in names.items()
        }
        for prefix, names in probe.conda.items()
    }
    packages: dict[str, str] = {}
    for dist in probe.pip:
        name = normalize_name("pip", dist.name)
        if dist.installer == "conda" or dist.location.startswith(APT_PYTHON_DIRS):
            continue  # listed by conda or apt already
        if (name, dist.version) in conda_records.get(dist.prefix, ()):
            # An old conda package without an INSTALLER file: a conda record of the same name
            # (compared the PEP 503 way: conda says ruamel.yaml) and version owns it.
            continue
        key = qualify(name, None if dist.prefix == main else dist.prefix)
        packages.setdefault(key, dist.version)  # the first on sys.path is the one imported
    return packages


def take_inventory(
    engine: ContainerEngine, image: str, *, cpu_shares: int | None = None
) -> PackageInventory:
    """Run one container of `image` (as its default user) and list its packages.

    Needs /bin/sh in the image; dpkg, conda environments and Python are each optional.
    `cpu_shares` weighs the container against others under contention (Docker's default
    1024): taken beside the checks, it yields to the server they time.
    """
    info = engine.inspect_image(image)
    if info is None:
        raise ImageNotFoundError(f"image {image} is not in the local image store")
    result = engine.run(
        image,
        ["hubimage-inventory", PYTHON_SNIPPET],
        entrypoint=["/bin/sh", "-c", SHELL_SCRIPT],
        timeout=120,
        cpu_shares=cpu_shares,
    )
    if result.exit_code != 0:
        tail = "\n".join(_unmarked(result.output.splitlines())[-10:])
        raise OperationError(
            f"listing the packages of {image} failed (exit code {result.exit_code})",
            hint=f"the image needs a working /bin/sh; its output ended with:\n{tail}",
        )
    return inventory_from_probe(parse_probe_output(result.output), int(info.get("Size") or 0))


def _unmarked(lines: Iterable[str]) -> list[str]:
    return [line for line in lines if not line.startswith(MARKER)]
