"""The `hubimage` command line: a thin entry point.

Parsing lives here and in `inputs.py`; each verb is a function in `commands.py`; the whole
pipeline is `pipeline.py`. Exceptions become exit codes in one place (`errors.exit_code_for`):
0 success, 1 a check or an operation failed, 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
import tempfile
from collections.abc import MutableMapping, Sequence
from pathlib import Path

from hubimage import __version__
from hubimage.errors import EXIT_BAD_INPUT, HubimageError, exit_code_for
from hubimage.gha import Reporter
from hubimage.input_specs import INPUTS
from hubimage.values import KERNEL_TIMEOUT, LANDING_TIMEOUT


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        """Usage errors exit 2 with the usage line, as the contract says."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"hubimage: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="hubimage", description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--version", action="version", version=f"hubimage {__version__}")
    verbs = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    build = verbs.add_parser("build", help="build the image")
    build.add_argument("context", nargs="?", default=".")
    build.add_argument("--image", required=True, help="image name without tag")
    build.add_argument("--tag", help="explicit tag (default: computed by --tag-scheme)")
    build.add_argument("--tag-scheme", help="content (default), sha, date, latest or a template")
    build.add_argument("--builder", help="auto (default), repo2docker, pangeo or dockerfile")
    build.add_argument("--build-arg", action="append", default=[], metavar="KEY=VALUE")
    build.add_argument("--target")
    build.add_argument("--pangeo-base-tag")
    build.add_argument("--cache-from", action="append", default=[], metavar="IMAGE")
    build.add_argument(
        "--build-secret",
        action="append",
        default=[],
        metavar="ID=env:NAME",
        help="BuildKit build secret (repeatable): id=env:NAME (or id=value)",
    )
    build.add_argument(
        "--build-backend",
        "--build-engine",  # its old name, still taken
        help="auto (default: buildx where it runs), buildx or legacy",
    )
    build.add_argument("--buildx-builder", help="the buildx builder to build with")

    check = verbs.add_parser("check", help="check the image as each hub will spawn it")
    check.add_argument("image")
    check.add_argument(
        "--hub-config",
        help="the hubs' config (cluster.yaml, a values file, hubploy.yaml) in a local checkout",
    )
    check.add_argument(
        "--hub", action="append", default=[], help="hub whose spawn to check under (repeatable)"
    )
    check.add_argument("--chart", help="the hubs' chart where the config names none")
    check.add_argument("--uid", help="uid the hub runs the image as (without --hub-config)")
    check.add_argument(
        "--gid", type=int, default=None, help="fsGid the hub adds (without --hub-config)"
    )
    check.add_argument(
        "--http-timeout", help="seconds the hub waits for the server (without --hub-config)"
    )
    check.add_argument(
        "--default-url", help="where users land, e.g. /lab, /tree (without --hub-config)"
    )
    check.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="CHECK",
        help="run only this check (repeatable)",
    )
    check.add_argument("--hub-version")
    check.add_argument("--context", help="image repository (for image-tests/)")
    check.add_argument("--size-warning-gb", type=float, default=None)
    check.add_argument(
        "--skip", action="append", default=[], metavar="CHECK", help="leave out this check"
    )
    check.add_argument("--max-image-size", help="uncompressed size budget, e.g. 6GB")
    check.add_argument("--previous-image", help="the image the hub runs now (size change)")
    check.add_argument("--kernel-timeout", type=float, default=KERNEL_TIMEOUT)
    check.add_argument("--all-kernels", action="store_true", help="run every kernelspec")
    check.add_argument(
        "--landing-timeout",
        "--lab-timeout",  # its old name, still taken
        type=float,
        default=LANDING_TIMEOUT,
        help="seconds the page users land on may take",
    )
    check.add_argument("--artifacts-dir", help="folder for landing-page's screenshots")
    check.add_argument("--browser", help="Chromium or Chrome executable for landing-page")
    # Old flags, still taken: --lab-url is --default-url without its /; the two timeouts
    # are no longer used (the hub's http_timeout counts), and say so.
    check.add_argument("--lab-url", help=argparse.SUPPRESS)
    check.add_argument("--server-timeout", help=argparse.SUPPRESS)
    check.add_argument("--spawn-timeout", help=argparse.SUPPRESS)

    push = verbs.add_parser("push", help="push the image and verify its digest in the registry")
    push.add_argument("image", metavar="IMAGE:TAG")
    push.add_argument("--also-tag", action="append", default=[], metavar="TAG")
    push.add_argument("--username", help="registry user (password from HUBIMAGE_REGISTRY_PASSWORD)")
    push.add_argument("--require-public", action="store_true")

    bump = verbs.add_parser("bump", help="point hubs at the new image in their config")
    bump.add_argument("--config", required=True, help="hub config file")
    bump.add_argument("--hub", action="append", required=True, help="hub name (repeatable)")
    bump.add_argument("--image", required=True, metavar="NAME:TAG")
    bump.add_argument("--path", help="explicit dotted path of the image value")
    bump.add_argument("--mode", default="file", choices=("file", "commit", "pr"))
    bump.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    bump.add_argument("--allow-shared", action="store_true")
    bump.add_argument("--update-references", action="store_true")
    bump.add_argument("--repository", help="owner/name for commit and pr modes")
    bump.add_argument("--branch", help="base branch for commit and pr modes")
    bump.add_argument("--github-api-url", default=None)
    bump.add_argument(
        "--scope",
        help="source: edit where the hubs' image is set; hub: write an override for the "
        "named hubs only, in each one's last values file (staging first)",
    )
    bump.add_argument(
        "--pin-digest", metavar="sha256:DIGEST", help="write tag@DIGEST (the pushed digest)"
    )
    bump.add_argument(
        "--chart", help="the hub's chart (basehub, daskhub) where the config names none"
    )
    bump.add_argument("--create", action="store_true", help="create --path where it is missing")

    run = verbs.add_parser("run", help="build, check, push and bump (the GitHub Action)")
    for spec in INPUTS:
        if spec.secret:
            continue  # secrets come only from the environment, never argv
        run.add_argument(f"--{spec.name}", dest=spec.name, default=None, help=spec.description)

    for sub in (build, check, push, bump, run):
        sub.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    return parser


def _without_location(error: HubimageError) -> str:
    """The message without its leading `file:line:` when the annotation prints the location."""
    location = error.location
    if location is None or not location.line:
        return error.message
    prefix = re.match(rf"{re.escape(location.file)}(?::\d+)*(?::\s*|\s+)", error.message)
    return error.message[prefix.end() :] if prefix else error.message


def scratch_under_runner_temp(environ: MutableMapping[str, str]) -> None:
    """On GitHub's runners, every scratch folder (the scrubbed context's copy, buildx's
    metadata, the extraFiles of a spawn, the browser's profile, repo2docker's clones) goes
    under RUNNER_TEMP: the workspace's disk, where hard links from the checkout work, not
    /tmp, which on ubuntu-latest is a small RAM disk. TMPDIR carries it to child processes."""
    runner_temp = environ.get("RUNNER_TEMP")
    if not runner_temp:
        return
    scratch = Path(runner_temp) / "hubimage-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    environ["TMPDIR"] = str(scratch)
    tempfile.tempdir = str(scratch)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    reporter = Reporter()
    from hubimage import commands  # (start-up: --help and usage errors need no verb)
    from hubimage.secrets import SECRETS  # (start-up: as above)

    SECRETS.subscribe(reporter.mask)  # every secret, from wherever it comes, is masked
    scratch_under_runner_temp(os.environ)

    handler = {
        "build": commands.build_command,
        "check": commands.check_command,
        "push": commands.push_command,
        "bump": commands.bump_command,
        "run": commands.run_command,
    }[args.verb]
    try:
        payload, code = handler(args, reporter)
    except HubimageError as error:
        code = exit_code_for(error)
        reporter.annotate(
            "error",
            _without_location(error),
            title=f"hubimage {args.verb}",
            location=error.location,
        )
        if error.hint:
            reporter.info(f"hint: {error.hint}")
        payload = {"error": error.message, "hint": error.hint, "exit_code": code}
    except Exception as error:  # a bug: still redact, still exit 1, keep the traceback
        code = exit_code_for(error)
        import traceback  # only after a bug: not on every start-up

        reporter.info(reporter.redact(traceback.format_exc()))
        reporter.annotate("error", f"internal error: {error!r}", title=f"hubimage {args.verb}")
        payload = {"error": f"internal error: {error!r}", "exit_code": code}
    finally:
        reporter.flush()
    if args.json:
        sys.stdout.write(reporter.redact(json.dumps(payload, indent=2, sort_keys=True)) + "\n")
    return code


def entry() -> int:
    """The `hubimage` command and `python -m hubimage`: `main`, then a quick exit."""
    code = main()
    # The interpreter's last garbage collection walks every object the imports made: 30 ms of
    # a 0.35 s run that finds its tag published. Nothing a run leaves needs it (outputs are
    # written and flushed; atexit handlers and reference counting still run), so it is
    # skipped. Only here, not in `main`, which tests call in their own process.
    gc.freeze()
    return code
