"""Dockerfiles are checked before the engine sees them; errors name the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.errors import BuildInputError
from hubimage.imagebuild.strategies.dockerfile import check_target, parse_dockerfile, stage_names


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Dockerfile"
    path.write_text(text)
    return path


def test_unknown_instruction_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "FROM debian\nRUN true \\\n  && true\nRUNN echo\n")
    with pytest.raises(BuildInputError, match=r"line 4: unknown instruction 'RUNN'") as caught:
        parse_dockerfile(path)
    assert str(path) in caught.value.message
    assert caught.value.location is not None
    assert (caught.value.location.file, caught.value.location.line) == (str(path), 4)


def test_continuations_comments_and_lower_case_are_fine(tmp_path: Path) -> None:
    text = (
        "# a comment\nARG BASE=debian\nfrom ${BASE} as build\nRUN apt-get update \\\n"
        "# a comment inside\n    && apt-get install -y tree\n\nCOPY --chown=1000:100 . /srv\n"
    )
    instructions = parse_dockerfile(write(tmp_path, text))
    assert [i.keyword for i in instructions] == ["ARG", "FROM", "RUN", "COPY"]
    assert instructions[2].line == 4
    assert "apt-get install -y tree" in instructions[2].arguments


def test_escape_directive(tmp_path: Path) -> None:
    text = "# escape=`\nFROM debian\nRUN echo a `\n  b\n"
    assert [i.keyword for i in parse_dockerfile(write(tmp_path, text))] == ["FROM", "RUN"]


def test_must_start_with_from(tmp_path: Path) -> None:
    with pytest.raises(BuildInputError, match="must start with FROM"):
        parse_dockerfile(write(tmp_path, "RUN true\nFROM debian\n"))


def test_onbuild_cannot_trigger_from(tmp_path: Path) -> None:
    with pytest.raises(BuildInputError, match="ONBUILD cannot trigger 'FROM'"):
        parse_dockerfile(write(tmp_path, "FROM debian\nONBUILD FROM x\n"))


@pytest.mark.parametrize(
    "line", ["COPY --chmod=0755 a /a", "RUN --mount=type=cache,target=/c true", "ADD --link a /a"]
)
def test_buildkit_only_flags_are_refused(tmp_path: Path, line: str) -> None:
    with pytest.raises(BuildInputError, match="needs BuildKit"):
        parse_dockerfile(write(tmp_path, f"FROM debian\n{line}\n"))


def test_targets(tmp_path: Path) -> None:
    path = write(tmp_path, "FROM debian AS base\nFROM base AS Final\n")
    instructions = parse_dockerfile(path)
    assert stage_names(instructions) == ["base", "final"]
    check_target(path, instructions, "final")
    with pytest.raises(BuildInputError, match="'test' is not a stage") as caught:
        check_target(path, instructions, "test")
    assert caught.value.hint is not None and "base, final" in caught.value.hint
