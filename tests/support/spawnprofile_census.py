"""How many hubs of a config repository set each setting a spawn profile reproduces.

    PYTHONPATH=src:tests python -m support.spawnprofile_census ROOT [--berkeley]

ROOT is a 2i2c-style repository (`config/clusters/*/cluster.yaml`), or with --berkeley a
hubploy one (`deployments/*/hubploy.yaml`). Each hub is derived alone (no image is started):
first with no image, then with the image its first profile offers, to count the profiles
and choices that run it. Prints markdown tables: settings, notes by kind, failures.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from hubimage.bump.document import parse_document
from hubimage.bump.layout import find_layout
from hubimage.check.profile import ZERO_TO_JUPYTERHUB, SpawnProfile
from hubimage.errors import HubimageError, ImageReferenceError
from hubimage.reference import ImageReference
from hubimage.spawnprofiles import HubSpawn, derive_spawn_profiles

# Settings always listed (0 included), in this order; defaultUrl values are added as found.
SETTINGS = [
    "cmd: a wrapper mounted by extraFiles",
    "cmd: another command",
    "args",
    "extraFiles",
    "extraEnv (or KubeSpawner.environment)",
    "JUPYTERHUB_SINGLEUSER_APP",
    "defaultUrl set by a profile or choice",
    "defaultUrl differs between profiles/choices",
    "memory limit",
    "cpu limit",
    "extraVolumeMounts",
    "storage none (no home)",
    "working_dir",
    "several profiles/choices",
]

# The kind of a note, by what it starts with or says (first match wins).
NOTE_KINDS = [
    ("hub.extraConfig snippets not evaluated", r"^hub\.extraConfig \("),
    ("daskhubSetup default URL (reproduced)", r"^hub\.extraConfig\.[^:]+: custom\.daskhubSetup"),
    ("BinderHub spawner (reproduced)", r"custom\.binderhubUI\.enabled: BinderHub|spawner mixin"),
    ("jupyterhub-fancy-profiles (same spawn)", r"fancy-profiles"),
    ("binder arguments with $(VAR) references", r"^binder hub: "),
    ("binderhub-service builds images (same spawn)", r"^binderhub-service is enabled"),
    ("values.jsonnet not evaluated", r"values\.jsonnet"),
    ("encrypted value: placeholder", r"encrypted in .*placeholder"),
    ("valueFrom: placeholder", r"valueFrom .*placeholder"),
    ("Spawner setting outranked by KubeSpawner's", r"is outranked by KubeSpawner"),
    ("networkPolicy not reproduced", r"^singleuser\.networkPolicy"),
    ("image not offered under that name", r"does not offer .* under that name"),
    ("image offered only by unlisted_choice", r"only through unlisted_choice"),
    ("profile lets users type an image", r"also lets users type an image"),
    ("chart values not found", r"were not found in the repository|no chart listing"),
    ("listed values file missing", r"listed for hub .* but does not exist"),
    ("hubploy secrets file absent", r"secrets/.*not in the repository"),
    ("unusable value", r"is not a size|is not a number|is not seconds|is not an id|"
     r"is no command|is not text|KubeSpawner drops it|Helm refuses|not a file mode"),
    ("KubeSpawner fills {username} fields", r"\{username\}-style"),
    ("profile left out: an option needs a typed value", r"an option has no default"),
]  # fmt: skip
_KIND_PREFIX = re.compile(r"^([a-z][^:(]*?)(?: \(|: )")


def note_kind(note: str) -> str:
    for kind, pattern in NOTE_KINDS:
        if re.search(pattern, note):
            return kind
    prefix = _KIND_PREFIX.match(note)
    return f"{prefix.group(1)} not reproduced" if prefix else "other"


def hubs_2i2c(root: Path) -> Iterator[tuple[str, str, str]]:
    """(label, entry, hub) of every hub of every cluster.yaml."""
    for cluster in sorted(root.glob("config/clusters/*/cluster.yaml")):
        entry = str(cluster.relative_to(root))
        try:
            document = parse_document(cluster.read_text(encoding="utf-8"), entry)
        except HubimageError as error:
            yield f"{cluster.parent.name} (cluster.yaml)", entry, f"!{error}"
            continue
        for hub in find_layout(document).hubs:
            yield f"{cluster.parent.name}/{hub.name}", entry, hub.name


def hubs_hubploy(root: Path) -> Iterator[tuple[str, str, str]]:
    for file in sorted(root.glob("deployments/*/hubploy.yaml")):
        yield file.parent.name, str(file.relative_to(root)), file.parent.name


def reader(root: Path):  # type: ignore[no-untyped-def]
    def read(name: str) -> str | None:
        file = root / name
        return file.read_text(encoding="utf-8") if file.is_file() else None

    return read


def derive_hub(root: Path, entry: str, hub: str) -> tuple[HubSpawn, HubSpawn | None]:
    """The hub derived with no image, and with the image it offers first (None if none)."""
    [spawn] = derive_spawn_profiles(entry, reader(root), [hub], None)
    offered = next((p.image for p in spawn.profiles if p.image), None)
    try:
        image = ImageReference.parse(offered) if offered else None
    except ImageReferenceError:
        image = None
    if image is None:
        return spawn, None
    [running] = derive_spawn_profiles(entry, reader(root), [hub], image)
    return spawn, running


def _set_by_file(profile: SpawnProfile, last: str) -> bool:
    return any(
        a.source != ZERO_TO_JUPYTERHUB and a.setting.split(".")[-1] == last for a in profile.applied
    )


def hub_settings(profiles: list[SpawnProfile]) -> set[str]:  # noqa: C901 (one test per setting counted, as the table lists them)
    """The reproduced settings this hub sets (in any of its profiles)."""
    found: set[str] = set()
    for profile in profiles:
        mounted = {file.mount_path for file in profile.files}
        if profile.cmd and profile.cmd[0] in mounted:
            found.add("cmd: a wrapper mounted by extraFiles")
        elif _set_by_file(profile, "cmd"):
            found.add("cmd: another command")
        if profile.args:
            found.add("args")
        if profile.files:
            found.add("extraFiles")
        if profile.environment:
            found.add("extraEnv (or KubeSpawner.environment)")
        if any(name == "JUPYTERHUB_SINGLEUSER_APP" for name, _ in profile.environment):
            found.add("JUPYTERHUB_SINGLEUSER_APP")
        if profile.default_url:
            found.add(f"defaultUrl {_url(profile.default_url)}")
        if any(a.setting.endswith("kubespawner_override.default_url") for a in profile.applied):
            found.add("defaultUrl set by a profile or choice")
        if profile.memory_limit is not None:
            found.add("memory limit")
        if profile.cpu_limit is not None:
            found.add("cpu limit")
        if profile.volume_mounts:
            found.add("extraVolumeMounts")
        if profile.home_mount_path is None:
            found.add("storage none (no home)")
        if profile.working_dir:
            found.add("working_dir")
    if len({profile.default_url for profile in profiles}) > 1:
        found.add("defaultUrl differs between profiles/choices")
    if len(profiles) > 1:
        found.add("several profiles/choices")
    return found


def _url(url: str) -> str:
    for known in ("/lab", "/tree", "/rstudio", "/desktop", "/git-pull"):
        if url == known or (known == "/git-pull" and url.startswith(known)):
            return url if known != "/git-pull" else "/git-pull?..."
    return "(another path)"


def census(root: Path, berkeley: bool) -> str:
    listing = hubs_hubploy(root) if berkeley else hubs_2i2c(root)
    settings: Counter[str] = Counter()
    notes: Counter[str] = Counter()
    timeouts: Counter[str] = Counter()
    apps: Counter[str] = Counter()
    failures: list[str] = []
    hubs = profiles = running = 0
    for label, entry, hub in listing:
        if hub.startswith("!"):
            failures.append(f"{label}: {hub[1:]}")
            continue
        try:
            spawn, with_image = derive_hub(root, entry, hub)
        except Exception as error:  # the census counts every failure, of any kind
            failures.append(f"{label}: {type(error).__name__}: {error}")
            continue
        hubs += 1
        profiles += len(spawn.profiles)
        both = list(spawn.profiles) + list(with_image.profiles if with_image else ())
        every = list({profile.name: profile for profile in both}.values())
        running += len(with_image.profiles) if with_image else 0
        settings.update(hub_settings(every))
        notes.update({note_kind(note) for note in spawn.notes})
        timeouts.update({f"{p.http_timeout:g}" for p in every})
        apps.update({v for p in every for n, v in p.environment if n.endswith("_APP")})
    return _tables(hubs, profiles, running, settings, notes, timeouts, apps, failures)


def _tables(
    hubs: int,
    profiles: int,
    running: int,
    settings: Counter[str],
    notes: Counter[str],
    timeouts: Counter[str],
    apps: Counter[str],
    failures: list[str],
) -> str:
    lines = [
        f"{hubs} hubs derived, {len(failures)} failed; {profiles} profiles with no image given, "
        f"{running} profiles/choices running each hub's own first image",
        "",
        "| setting | hubs |",
        "|---|---|",
    ]
    names = SETTINGS + sorted(name for name in settings if name not in SETTINGS)
    lines += [f"| {name} | {settings[name]} |" for name in names]
    lines += [f"| http_timeout {value} s | {count} |" for value, count in sorted(timeouts.items())]
    lines += [f"| JUPYTERHUB_SINGLEUSER_APP={app} | {n} |" for app, n in sorted(apps.items())]
    lines += ["", "| not evaluated / noted | hubs |", "|---|---|"]
    lines += [f"| {kind} | {count} |" for kind, count in notes.most_common()]
    if failures:
        lines += ["", "| failed hub | error |", "|---|---|"]
        lines += [f"| {line.split(': ', 1)[0]} | {line.split(': ', 1)[1]} |" for line in failures]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--berkeley", action="store_true", help="a hubploy repository")
    options = parser.parse_args(argv)
    print(census(options.root, options.berkeley))
    return 0


if __name__ == "__main__":
    sys.exit(main())
