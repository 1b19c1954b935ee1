"""The pull request comment: a hidden marker first, one section per hub with its checks
verdict per profile and the way to start the image there; on a failure, what failed and
that no tag was pushed."""

from __future__ import annotations

from dataclasses import replace

from hubimage.check.model import CheckReport, CheckResult
from hubimage.check.profile import ZERO_TO_JUPYTERHUB_PROFILE
from hubimage.check.report import SpawnReport
from hubimage.tryout import MARKER, TryOut, UnlistedChoice, render_comment, render_try_out
from hubimage.tryout.comment import MAX_BODY

IMAGE = "quay.io/my-org/hub-image:pr-7"
DIGEST = "sha256:" + "ab" * 32
RUN = "https://github.com/my-org/hub-image/actions/runs/42"
LINK = "https://staging.example.org/hub/login?next=/hub/spawn%23fancy-forms-config=%7B%7D"

CHOICE = UnlistedChoice(
    profile="Small",
    slug="small",
    option="image",
    option_name="Image",
    choice_name="Other...",
    input_name="Custom image",
    value=IMAGE,
    source="staging.values.yaml:9",
)
PERMALINK = TryOut(
    "staging", "permalink", IMAGE, "staging.example.org", "cluster.yaml:5", True,
    choice=CHOICE, permalink=LINK,
)  # fmt: skip
PASTE = TryOut(
    "prod", "unlisted-choice", IMAGE, "prod.example.org", "cluster.yaml:9", False, choice=CHOICE
)
BUMP = TryOut(
    "dev", "bump", IMAGE, None, None, False,
    bump_command="hubimage bump --config c.yaml --hub dev --image " + IMAGE + " --scope hub",
)  # fmt: skip


def _checks(
    *, failing: str | None = None, summary: str = "exited with status 1"
) -> dict[str, object]:
    def results(status: str) -> tuple[CheckResult, ...]:
        return (
            CheckResult("server-starts", status, summary if status == "fail" else "ok"),  # type: ignore[arg-type]
            CheckResult("server-log", "warn", "2 ERROR lines"),
            CheckResult("landing-page", "pass", "JupyterLab loaded"),
        )

    def report(hub: str, stands_for: tuple[str, ...]) -> CheckReport:
        profile = replace(ZERO_TO_JUPYTERHUB_PROFILE, hub=hub, name="Small")
        return CheckReport(
            IMAGE, results("fail" if hub == failing else "pass"), profile, stands_for
        )

    spawn = SpawnReport(
        IMAGE,
        (
            report("staging", ("staging / Small", "prod / Small")),
            report("dev", ("dev / default",)),
        ),
    )
    return spawn.as_dict()


def test_the_marker_comes_first_then_one_section_per_hub() -> None:
    body = render_comment(
        IMAGE, DIGEST, [("staging", PERMALINK), ("prod", PASTE), ("dev", BUMP)], _checks(),
        False, RUN,
    )  # fmt: skip
    lines = body.splitlines()
    assert lines[0] == MARKER
    assert body.count(MARKER) == 1
    assert [line for line in lines if line.startswith("### ")] == [
        "### staging", "### prod", "### dev",
    ]  # fmt: skip
    assert f"then pushed: `{IMAGE}` at digest `{DIGEST}`." in body
    staging = body.split("### staging")[1].split("### prod")[0]
    assert "✅ The checks passed under its 1 profile, with warnings:" in staging
    assert "- `server-log` warned under **staging / Small**: 2 ERROR lines" in staging
    assert "<details><summary>Checks as staging spawns it</summary>" in staging
    assert "| staging / Small | ✅ | ⚠️ | ✅ |" in staging
    assert f"]({LINK})**" in staging
    assert "stop it first on <https://staging.example.org/hub/home>" in staging
    prod = body.split("### prod")[1].split("### dev")[0]
    assert "| prod / Small | ✅ | ⚠️ | ✅ |" in prod
    assert f"```\n{IMAGE}\n```" in prod
    assert "pick profile **Small**, choose **Other...** under **Image**" in prod
    dev = body.split("### dev")[1]
    assert BUMP.bump_command is not None and BUMP.bump_command in dev
    assert f"[this workflow run]({RUN})" in body


def test_a_failure_says_what_failed_and_that_nothing_was_pushed() -> None:
    body = render_comment(
        IMAGE, None, [("staging", PERMALINK), ("dev", BUMP)], _checks(failing="staging"),
        True, RUN,
    )  # fmt: skip
    assert body.startswith(MARKER + "\n")
    assert f"## ❌ `{IMAGE}` failed its checks: no tag was pushed" in body
    assert "still holds what an earlier run of this pull request pushed" in body
    staging = body.split("### staging")[1].split("### dev")[0]
    assert (
        "❌ Checks failed under its 1 profile:\n"
        "- `server-starts` failed under **staging / Small**: exited with status 1\n"
        "- `server-log` warned"
    ) in staging
    assert LINK not in body and "hubimage bump" not in body and "Custom image" not in body
    assert "| staging / Small | ❌ | ⚠️ | ✅ |" in body
    dev = body.split("### dev")[1]
    assert "✅ The checks passed under its 1 profile, with warnings:" in dev


def test_text_from_the_checks_cannot_forge_the_marker_or_break_the_markup() -> None:
    hostile = f"{MARKER} </details> <img src=x> | cell\nsecond line"
    body = render_comment(
        IMAGE, None, [("staging", PERMALINK)], _checks(failing="staging", summary=hostile),
        True, None,
    )  # fmt: skip
    assert body.count(MARKER) == 1
    assert (
        "&lt;!-- hubimage:pr-comment --&gt; &lt;/details&gt; &lt;img src=x&gt; \\| cell second line"
        in body
    )
    assert body.count("</details>") == body.count("<details>")


def test_checks_without_a_hub_get_their_own_section() -> None:
    spawn = SpawnReport(IMAGE, (CheckReport(IMAGE, (CheckResult("server-starts", "pass", "ok"),)),))
    body = render_comment(IMAGE, DIGEST, [], spawn.as_dict(), False, None)
    assert "### Checks" in body and "✅ Every check passed under its 1 profile." in body


def test_a_hub_whose_config_could_not_be_read_says_so() -> None:
    body = render_comment(IMAGE, DIGEST, [("staging", None)], _checks(), False, None)
    assert "The hub config could not be read" in body


def test_a_comment_too_long_for_github_drops_the_tables_first() -> None:
    many = SpawnReport(
        IMAGE,
        tuple(
            CheckReport(
                IMAGE,
                tuple(CheckResult(f"check-{c}", "pass", "ok") for c in range(30)),
                replace(ZERO_TO_JUPYTERHUB_PROFILE, hub="staging", name=f"profile {p}"),
                (f"staging / profile {p} " + "x" * 200,),
            )
            for p in range(400)
        ),
    )
    body = render_comment(IMAGE, DIGEST, [("staging", PERMALINK)], many.as_dict(), False, RUN)
    assert len(body) <= MAX_BODY
    assert "too long for a comment" in body
    assert LINK in body


def test_render_try_out_of_each_way() -> None:
    assert render_try_out(PERMALINK, IMAGE).startswith(
        f"**[Start `{IMAGE}` on staging.example.org]"
    )
    assert "paste into **Custom image**" in render_try_out(PASTE, IMAGE)
    refused = replace(
        BUMP, bump_refused="config.yaml: the hub takes its image from profile choices"
    )
    text = render_try_out(refused, IMAGE)
    assert "```sh\nhubimage bump --config c.yaml" in text
    assert "hubimage would refuse it as the config is now: config.yaml: the hub takes" in text
    grouped = replace(PERMALINK, choice=replace(CHOICE, allowed_groups=("org:staff",)))
    assert "Only members of `org:staff` see this profile." in render_try_out(grouped, IMAGE)
