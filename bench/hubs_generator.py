"""Synthetic cluster files with N hubs, shaped like the 2022 per-cluster files.

Every hub has a homepage block, an authenticator with an anchored user list, and (for
two hubs in three) an image block; every third hub is a daskhub (image one level deeper,
under `basehub`). Deterministic for a given N, so timings compare like with like.
"""

from __future__ import annotations

import argparse
import sys


def hub_name(index: int) -> str:
    return f"hub-{index:05d}"


def _basehub_lines(index: int, indent: str, with_image: bool) -> list[str]:
    lines = [
        f"{indent}jupyterhub:",
        f"{indent}  custom:",
        f"{indent}    homepage:",
        f"{indent}      templateVars:",
        f"{indent}        org:",
        f"{indent}          name: Hub number {index}",
        f"{indent}          url: https://hub{index}.example.org",
        "",
        f"{indent}  singleuser:",
        f"{indent}    # users get {index % 4 + 1}G",
        f"{indent}    memory:",
        f"{indent}      limit: {index % 4 + 1}G",
    ]
    if with_image:
        lines += [
            f"{indent}    image:",
            f"{indent}      name: quay.io/example/image-{index % 7}",
            f'{indent}      tag: "{index:07d}"',
        ]
    lines += [
        f"{indent}  hub:",
        f"{indent}    config:",
        f"{indent}      Authenticator:",
        f"{indent}        allowed_users: &users_{index}",
        f"{indent}          - user{index}@example.org",
        f"{indent}          - admin@example.org",
        f"{indent}        admin_users: *users_{index}",
    ]
    return lines


def generate_cluster(hub_count: int) -> str:
    """The text of a cluster file with `hub_count` hubs (LF line endings)."""
    lines = ["name: synthetic", "provider: gcp", "hubs:"]
    for index in range(hub_count):
        daskhub = index % 3 == 2
        lines += [
            f"  - name: {hub_name(index)}",
            f"    domain: {hub_name(index)}.example.org",
            f"    helm_chart: {'daskhub' if daskhub else 'basehub'}",
            "    config:",
        ]
        with_image = index % 3 != 1
        if daskhub:
            lines += ["      basehub:", *_basehub_lines(index, "        ", with_image)]
        else:
            lines += _basehub_lines(index, "      ", with_image)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("hubs", type=int, help="number of hubs")
    args = parser.parse_args(argv)
    sys.stdout.write(generate_cluster(args.hubs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
