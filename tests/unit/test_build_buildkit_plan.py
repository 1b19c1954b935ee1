"""The buildx command line, the cache plan, secrets parsing, credential scrubbing, heredocs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.engine import BuildSecret, BuildSpec
from hubimage.errors import BuildError, BuildInputError, UsageError
from hubimage.imagebuild.buildx import buildx_command, pushed_digest
from hubimage.imagebuild.cache import plan_cache
from hubimage.imagebuild.scrub import credential_findings, scrub_git_config
from hubimage.imagebuild.strategies.dockerfile import parse_dockerfile
from hubimage.imagebuild.strategies.steps import StepLog
from hubimage.input_values import parse_build_secrets
from hubimage.secrets import SECRETS


def spec(**fields: object) -> BuildSpec:
    return BuildSpec(tag="img:1", context_dir="/ctx", **fields)  # type: ignore[arg-type]


def test_secret_and_build_arg_values_never_reach_argv() -> None:
    argv, env = buildx_command(
        "docker",
        spec(
            buildargs={"PIP_INDEX_URL": "https://user:hunter22@pypi.example/simple"},
            secrets=(BuildSecret("tok", "s3cr3t-value"),),
        ),
        Path("/tmp/iid"),
    )
    text = " ".join(argv)
    assert "hunter22" not in text and "s3cr3t-value" not in text
    assert argv[argv.index("--build-arg") :][:2] == ["--build-arg", "PIP_INDEX_URL"]
    assert "id=tok,env=HUBIMAGE_BUILD_SECRET_0" in argv
    assert env == {
        "PIP_INDEX_URL": "https://user:hunter22@pypi.example/simple",
        "HUBIMAGE_BUILD_SECRET_0": "s3cr3t-value",
    }


@pytest.mark.parametrize("output", ["load", "cacheonly"])
def test_a_build_never_pushes(output: str) -> None:
    argv, _ = buildx_command(
        "docker", spec(output=output, cache_exports=("type=inline",)), Path("/tmp/iid")
    )
    assert "--push" not in argv and not any("type=registry" in word for word in argv)
    assert ("--load" in argv) == (output == "load")
    assert argv[argv.index("--file") + 1] == "/ctx/Dockerfile"  # relative to the context


def test_the_push_output_tags_every_name_and_asks_for_the_pushed_digest() -> None:
    names = ("quay.io/o/i:2026.01.02", "quay.io/o/i:latest")
    argv, _ = buildx_command("docker", spec(output="push", push_tags=names), Path("/scratch/iid"))
    assert "--push" in argv and "--load" not in argv
    assert argv[argv.index("--metadata-file") + 1] == "/scratch/metadata.json"
    tags = [argv[i + 1] for i, word in enumerate(argv) if word == "--tag"]
    assert tags == list(names)


def test_a_push_without_a_digest_in_the_metadata_fails(tmp_path: Path) -> None:
    metadata = tmp_path / "metadata.json"
    metadata.write_text('{"containerimage.config.digest": "sha256:' + "a" * 64 + '"}')
    with pytest.raises(BuildError, match=r"containerimage\.digest"):
        pushed_digest(metadata)
    metadata.write_text('{"containerimage.digest": "sha256:' + "b" * 64 + '"}')
    assert pushed_digest(metadata) == "sha256:" + "b" * 64


def test_registry_cache_is_read_always_and_written_only_after_the_push() -> None:
    plan = plan_cache(
        "registry", "quay.io/o/i", ("quay.io/o/i:old",), buildkit=True, can_export=True, environ={}
    )
    assert plan.imports == ("type=registry,ref=quay.io/o/i:buildcache",)
    assert plan.images == ("quay.io/o/i:old",)
    assert plan.build_exports == ("type=inline",)
    assert plan.after_push_exports[0].startswith(
        "type=registry,ref=quay.io/o/i:buildcache,mode=max"
    )
    assert plan.note is None


@pytest.mark.parametrize(
    ("mode", "buildkit", "can_export", "environ", "note"),
    [
        ("registry", True, False, {}, "docker driver exports cache only with the containerd"),
        ("gha", True, True, {}, "needs ACTIONS_RUNTIME_TOKEN"),
        ("registry", False, False, {}, "needs buildx"),
    ],
)
def test_cache_falls_back_to_inline_and_says_why(
    mode: str, buildkit: bool, can_export: bool, environ: dict[str, str], note: str
) -> None:
    plan = plan_cache(mode, "q/i", (), buildkit=buildkit, can_export=can_export, environ=environ)  # type: ignore[arg-type]
    assert plan.mode == "inline" and not plan.after_push_exports
    assert plan.note is not None and note in plan.note


def test_gha_cache_with_the_runtime_variables() -> None:
    environ = {"ACTIONS_RUNTIME_TOKEN": "t", "ACTIONS_CACHE_URL": "https://cache/"}
    plan = plan_cache("gha", "quay.io/o/i", (), buildkit=True, can_export=True, environ=environ)
    assert plan.imports == ("type=gha,scope=hubimage-quay.io-o-i",)
    assert plan.after_push_exports == ("type=gha,scope=hubimage-quay.io-o-i,mode=max",)


def test_no_cache() -> None:
    plan = plan_cache("none", "q/i", ("q/i:1",), buildkit=True, can_export=True, environ={})
    assert plan == type(plan)("none")


def test_build_secrets_parsing_masks_first_and_names_no_value() -> None:
    parsed = parse_build_secrets("a=env:TOK\nb=literal-value\n", {"TOK": "from-the-env"})
    assert parsed == (("a", "from-the-env"), ("b", "literal-value"))
    assert "from-the-env" in SECRETS.values() and "literal-value" in SECRETS.values()
    with pytest.raises(UsageError, match="reads \\$MISSING") as caught:
        parse_build_secrets("a=env:MISSING", {})
    with pytest.raises(UsageError, match="line 1 is not id=value") as bad:
        parse_build_secrets("just-a-token-value", {})
    assert "just-a-token-value" not in str(bad.value) + str(caught.value)


def test_git_config_scrubbed_of_every_credential(tmp_path: Path) -> None:
    config = (
        "[core]\n\tbare = false\n"
        '[remote "origin"]\n\turl = https://x-access-token:ghs_a@github.com/o/r\n'
        '[http "https://github.com/"]\n\textraheader = AUTHORIZATION: basic Zm9v\n'
        '[includeIf "gitdir:/w/.git"]\n\tpath = /runner/_temp/git-credentials-1.config\n'
        "[credential]\n\thelper = store\n"
    )
    scrubbed = scrub_git_config(config)
    assert "ghs_a" not in scrubbed and "Zm9v" not in scrubbed and "credentials" not in scrubbed
    assert "[core]" in scrubbed and "url = https://github.com/o/r" in scrubbed
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]\n\tbare = false\n")
    assert credential_findings(tmp_path) == []
    (tmp_path / ".git" / "config").write_text(config)
    (tmp_path / ".git-credentials").write_text("https://u:p@h\n")
    assert credential_findings(tmp_path) == [".git-credentials", ".git/config"]


def test_heredocs_are_read_under_buildkit_and_refused_by_the_legacy_builder(
    tmp_path: Path,
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM x\nRUN <<EOF\nnot-an-instruction here\nEOF\nUSER 1000\n")
    assert [i.keyword for i in parse_dockerfile(path, buildkit=True)] == ["FROM", "RUN", "USER"]
    with pytest.raises(BuildInputError, match="line 2: RUN <<EOF \\(a heredoc\\) needs BuildKit"):
        parse_dockerfile(path)


def test_a_failed_buildx_step_is_named_with_its_own_lines() -> None:
    log = StepLog(lambda _line: None)
    for line in (
        "#5 [2/3] RUN echo earlier",
        "#6 [3/3] RUN echo one && false",
        "#5 0.101 earlier",
        "#6 0.120 one",
        "#6 ERROR: process did not complete successfully: exit code: 1",
        "ERROR: failed to solve: exit code: 1",
    ):
        log(line)
    assert log.step == "[3/3] RUN echo one && false"
    assert next(iter(log.tail)) == "one" and "earlier" not in log.tail  # that step's lines only
    assert log.errors == ["failed to solve: exit code: 1"]
