"""The Dockerfile strategy: the user's own Dockerfile, from binder/ (or .binder/) or the top.

The Dockerfile is checked before anything is sent to the engine, so that an unknown
instruction or a missing `--target` stage is reported as bad input with its line. Under
buildx everything BuildKit's built-in frontend reads is accepted (`RUN --mount`,
`COPY --chmod/--link`, heredocs); the legacy builder refuses those with the line and a hint
to install buildx.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from hubimage.engine import LogSink
from hubimage.errors import BuildInputError, SourceLocation
from hubimage.imagebuild.backends import BuildBackend
from hubimage.imagebuild.context import BuildContext
from hubimage.imagebuild.request import BuildRequest
from hubimage.imagebuild.strategies.steps import StepLog, reporting_failed_step

INSTRUCTIONS = frozenset(
    [
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    ]
)
# Flags only BuildKit knows; the legacy builder refuses them.
_BUILDKIT_FLAGS = {
    "RUN": {"--mount", "--network", "--security"},
    "COPY": {"--chmod", "--link", "--parents", "--exclude"},
    "ADD": {"--chmod", "--link", "--checksum", "--keep-git-dir", "--exclude"},
}
_DIRECTIVE_RE = re.compile(r"#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$")
_STAGE_RE = re.compile(r"\bAS\s+(\S+)\s*$", re.IGNORECASE)
_HEREDOC_RE = re.compile(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}


@dataclass(frozen=True)
class Instruction:
    keyword: str  # upper case
    arguments: str
    line: int  # 1-based line where the instruction starts


def parse_dockerfile(path: Path, *, buildkit: bool = False) -> list[Instruction]:
    """Split a Dockerfile into instructions; raise BuildInputError on unknown ones.

    With `buildkit` False (the legacy builder), BuildKit-only flags and heredocs are refused.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BuildInputError(f"cannot read Dockerfile {path}: {error}") from error
    escape = _escape_character(text)
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    heredoc_ends: list[str] = []  # the words that close the heredocs still open
    for number, raw in enumerate(text.splitlines(), start=1):
        if heredoc_ends:
            if raw.strip() == heredoc_ends[0]:
                heredoc_ends.pop(0)
            continue  # a heredoc's body is data, not instructions
        line = raw.strip()
        if not line or line.startswith("#"):
            continue  # comments and blank lines may sit inside a continued instruction
        if not pending:
            start = number
        if line.endswith(escape):
            pending.append(line[:-1])
            continue
        pending.append(line)
        instruction = _instruction(path, " ".join(pending), start, buildkit)
        instructions.append(instruction)
        heredoc_ends = _heredoc_words(path, instruction, buildkit)
        pending = []
    if pending:
        instructions.append(_instruction(path, " ".join(pending), start, buildkit))
    _check_structure(path, instructions)
    return instructions


def _escape_character(text: str) -> str:
    """The `# escape=` parser directive, which must come before anything else."""
    for raw in text.splitlines():
        match = _DIRECTIVE_RE.fullmatch(raw.strip())
        if not match:
            break
        if match.group(1).lower() == "escape":
            return match.group(2)
    return "\\"


def _heredoc_words(path: Path, instruction: Instruction, buildkit: bool) -> list[str]:
    if instruction.keyword not in _HEREDOC_KEYWORDS:
        return []
    words = [match.group(3) for match in _HEREDOC_RE.finditer(instruction.arguments)]
    if words and not buildkit:
        _refuse(path, instruction.line, f"{instruction.keyword} <<{words[0]} (a heredoc)")
    return words


def _refuse(path: Path, line: int, what: str) -> None:
    raise BuildInputError(
        f"{path}: line {line}: {what} needs BuildKit, and this build uses the legacy "
        "builder because docker buildx is not available (or build-backend: legacy was set)",
        hint="install the buildx plugin (Debian/Ubuntu: apt-get install docker-buildx; "
        "GitHub Actions: docker/setup-buildx-action) and build again, or rewrite the line "
        "without it",
        location=SourceLocation(str(path), line),
    )


def _instruction(path: Path, text: str, line: int, buildkit: bool = False) -> Instruction:
    keyword, _, arguments = text.partition(" ")
    upper = keyword.upper()
    if upper not in INSTRUCTIONS:
        raise BuildInputError(
            f"{path}: line {line}: unknown instruction {keyword!r}",
            location=SourceLocation(str(path), line),
        )
    if upper == "ONBUILD":
        inner = arguments.strip().partition(" ")[0].upper()
        if inner not in INSTRUCTIONS - {"ONBUILD", "FROM", "MAINTAINER"}:
            raise BuildInputError(
                f"{path}: line {line}: ONBUILD cannot trigger {inner or 'nothing'!r}",
                location=SourceLocation(str(path), line),
            )
    if not buildkit:
        _check_classic_flags(path, upper, arguments, line)
    return Instruction(upper, arguments.strip(), line)


def _check_classic_flags(path: Path, keyword: str, arguments: str, line: int) -> None:
    flags = []
    for word in arguments.split():
        if not word.startswith("--"):
            break
        flags.append(word.split("=", 1)[0])
    unsupported = [flag for flag in flags if flag in _BUILDKIT_FLAGS.get(keyword, set())]
    if unsupported:
        _refuse(path, line, f"{keyword} {unsupported[0]}")


def _check_structure(path: Path, instructions: list[Instruction]) -> None:
    first = next((i for i in instructions if i.keyword != "ARG"), None)
    if first is None or first.keyword != "FROM":
        raise BuildInputError(
            f"{path}: a Dockerfile must start with FROM (only ARG may come before it)",
            location=SourceLocation(str(path), first.line if first else None),
        )


def stage_names(instructions: list[Instruction]) -> list[str]:
    names = []
    for instruction in instructions:
        match = _STAGE_RE.search(instruction.arguments) if instruction.keyword == "FROM" else None
        if match:
            names.append(match.group(1).lower())
    return names


def check_target(path: Path, instructions: list[Instruction], target: str | None) -> None:
    if target is not None and target.lower() not in stage_names(instructions):
        raise BuildInputError(
            f"build target {target!r} is not a stage of {path}",
            hint=f"stages: {', '.join(stage_names(instructions)) or 'none (no FROM ... AS name)'}",
        )


@dataclass(frozen=True)
class PreparedDockerfileBuild:
    request: BuildRequest
    context: BuildContext
    dockerfile: Path
    warnings: tuple[str, ...]

    @property
    def inputs(self) -> Mapping[str, object]:
        return {
            "dockerfile": self.context.relative(self.dockerfile),
            "build_args": sorted(self.request.build_args),  # names only: values may be secret
            "target": self.request.target,
        }

    def rebased(self, context: BuildContext) -> PreparedDockerfileBuild:
        dockerfile = context.root / self.context.relative(self.dockerfile)
        return replace(self, context=context, dockerfile=dockerfile)

    def run(self, backend: BuildBackend, labels: Mapping[str, str], log: LogSink) -> str:
        step_log = StepLog(log)
        spec = self.request.spec(
            context_dir=str(self.context.root),
            dockerfile=self.context.relative(self.dockerfile),
            labels=labels,
        )
        with reporting_failed_step(step_log, self.dockerfile):
            return backend.build(spec, step_log)


class DockerfileStrategy:
    """A Dockerfile where the configuration lives (binder/, .binder/ or the top)."""

    name = "dockerfile"

    def detect(self, context: BuildContext) -> bool:
        return context.config_file("Dockerfile") is not None

    def prepare(
        self, request: BuildRequest, context: BuildContext, *, buildkit: bool = True
    ) -> PreparedDockerfileBuild:
        # Asked for explicitly, a Dockerfile at the top also counts when binder/ exists.
        dockerfile = context.config_file("Dockerfile") or _file(context.root / "Dockerfile")
        if dockerfile is None:
            raise BuildInputError(
                f"no Dockerfile in {context.config_dir} for the dockerfile builder",
                hint="add a Dockerfile, or choose another builder (auto, repo2docker, pangeo)",
            )
        instructions = parse_dockerfile(dockerfile, buildkit=buildkit)
        check_target(dockerfile, instructions, request.target)
        return PreparedDockerfileBuild(request, context, dockerfile, warnings=())


def _file(path: Path) -> Path | None:
    return path if path.is_file() else None
