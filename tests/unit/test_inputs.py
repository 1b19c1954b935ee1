from pathlib import Path

import pytest
from ruamel.yaml import YAML

from hubimage.errors import UsageError
from hubimage.input_specs import INPUTS
from hubimage.inputs import TRUSTED_EVENTS, parse_inputs, read_action_inputs
from hubimage.outcome import RunOutcome
from hubimage.policy import PullRequest, RunPolicy

ACTION = Path(__file__).parents[2] / "action.yml"


def load_action() -> dict:
    return YAML(typ="safe").load(ACTION.read_text())


def test_action_inputs_match_the_input_table() -> None:
    action = load_action()
    assert list(action["inputs"]) == [
        spec.name
        for stage in ("build", "check", "push", "bump", "general")
        for spec in INPUTS
        if spec.stage == stage
    ]
    for spec in INPUTS:
        declared = action["inputs"][spec.name]
        assert declared["description"] == spec.description
        if spec.name != "github-token":
            assert str(declared.get("default", "")) == spec.default


def test_every_input_reaches_the_program_through_env_only() -> None:
    steps = load_action()["runs"]["steps"]
    run_step = next(step for step in steps if step.get("id") == "run")
    env = dict(run_step["env"])
    assert env.pop("HUBIMAGE_PYTHON") == "${{ steps.python.outputs.python-path }}"
    inputs = {name: value for name, value in env.items() if name.startswith("INPUT_")}
    assert inputs == {spec.env_name: "${{ inputs." + spec.name + " }}" for spec in INPUTS}
    # Besides the inputs, only GitHub's cache service variables, from the step that exposes them.
    others = {name: value for name, value in env.items() if name not in inputs}
    assert all(name.startswith("ACTIONS_") for name in others)
    assert all(value.startswith("${{ steps.gha-runtime.outputs.") for value in others.values())
    for step in steps:
        assert "inputs." not in step.get("run", "")


def test_action_outputs_are_the_outcome_outputs() -> None:
    outputs = load_action()["outputs"]
    assert set(outputs) == set(RunOutcome().outputs())
    for name, declared in outputs.items():
        assert declared["value"] == "${{ steps.run.outputs." + name + " }}"


def test_defaults_parse() -> None:
    inputs = parse_inputs(read_action_inputs({}))
    assert inputs.builder == "auto"
    assert inputs.user_id == 1000
    assert inputs.image is None
    assert inputs.bump_mode == "pr"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("builder", "kaniko", "input 'builder'"),
        ("image", "Quay.io/Org/Img", "input 'image'"),
        ("image", "quay.io/org/img:tag", "without a tag"),
        ("tag", "a b", "input 'tag'"),
        ("user-id", "-1", "input 'user-id'"),
        ("force", "maybe", "input 'force'"),
        ("build-args", "NOEQUALS", "input 'build-args'"),
        ("hub-version", "five", "input 'hub-version'"),
        ("bump-repository", "not a repo", "input 'bump-repository'"),
        ("hubs", "ok, bad;name", "input 'hubs'"),
    ],
)
def test_bad_inputs_name_the_input(name: str, value: str, message: str) -> None:
    raw = read_action_inputs({})
    raw[name] = value
    if name == "hubs":
        raw["hub-config"] = "hubs.yaml"
    with pytest.raises(UsageError, match=message):
        parse_inputs(raw)


def test_hub_config_and_hubs_go_together() -> None:
    raw = read_action_inputs({"INPUT_HUB_CONFIG": "hubs.yaml"})
    with pytest.raises(UsageError, match="'hub-config' and 'hubs'"):
        parse_inputs(raw)


@pytest.mark.parametrize(
    ("event", "push_input", "expect_push"),
    [
        ("push", "auto", True),
        ("workflow_dispatch", "auto", True),
        ("schedule", "auto", True),
        ("release", "auto", True),
        ("repository_dispatch", "auto", True),
        ("pull_request", "auto", False),
        ("pull_request_target", "auto", False),
        ("merge_group", "auto", False),
        ("workflow_run", "auto", False),
        ("issue_comment", "auto", False),
        ("an_event_github_adds_next_year", "auto", False),
        ("pull_request_target", "true", True),
        ("pull_request", "false", False),
        ("push", "false", False),
    ],
)
def test_push_policy_follows_the_event(event: str, push_input: str, expect_push: bool) -> None:
    inputs = parse_inputs(
        read_action_inputs({"INPUT_IMAGE": "quay.io/o/i", "INPUT_PUSH": push_input})
    )
    policy = RunPolicy.decide(inputs, {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": event})
    assert policy.push is expect_push
    assert policy.skip_unchanged is (event == "schedule")
    if not expect_push and push_input == "auto":
        assert event in policy.why_not_pushed(inputs) or event == "pull_request"


@pytest.mark.parametrize(
    ("push_input", "action", "same_repository", "expect"),
    [
        ("auto", "opened", True, (True, "pr-7")),  # pr-comment pushes its own branch's image
        ("auto", "synchronize", True, (True, "pr-7")),
        ("auto", "opened", False, (False, None)),  # a fork: never
        ("true", "opened", False, (False, None)),  # not even when push says true
        ("auto", "closed", True, (True, None)),  # closed: only its tag's clean-up follows
    ],
)
def test_pr_comment_pushes_a_branch_of_this_repository_and_never_bumps(
    push_input: str, action: str, same_repository: bool, expect: tuple[bool, str | None]
) -> None:
    raw = {"INPUT_IMAGE": "quay.io/o/i", "INPUT_PUSH": push_input, "INPUT_PR_COMMENT": "true"}
    raw |= {"INPUT_HUB_CONFIG": "/etc/hostname", "INPUT_HUBS": "staging", "INPUT_BUMP_MODE": "file"}
    inputs = parse_inputs(read_action_inputs(raw))
    pull = PullRequest(7, action, same_repository, "pull request #7 comes from somewhere")
    environ = {"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "pull_request"}
    policy = RunPolicy.decide(inputs, environ, pull)
    try_out = policy.try_out.tag if policy.try_out else None
    assert (policy.push, try_out) == expect
    assert policy.bump is False and policy.skip_unchanged is False
    if not same_repository:
        assert "somewhere" in policy.why_not_pushed(inputs)


@pytest.mark.parametrize(("tag", "push"), [("v1", "auto"), ("", "false"), ("", "False")])
def test_pr_comment_refuses_a_tag_or_push_of_its_own(tag: str, push: str) -> None:
    raw = {"INPUT_IMAGE": "quay.io/o/i", "INPUT_PR_COMMENT": "true", "INPUT_TAG": tag}
    with pytest.raises(UsageError, match=r"input '(tag|push)'"):
        parse_inputs(read_action_inputs({**raw, "INPUT_PUSH": push}))


def test_push_auto_outside_actions_pushes_but_a_nameless_event_in_actions_does_not() -> None:
    inputs = parse_inputs(read_action_inputs({"INPUT_IMAGE": "quay.io/o/i"}))
    assert RunPolicy.decide(inputs, {}).push is True  # a person at a terminal
    assert RunPolicy.decide(inputs, {"GITHUB_ACTIONS": "true"}).push is False


def test_readme_event_table_names_every_event_the_policy_knows() -> None:
    readme = (ACTION.parent / "README.md").read_text()
    table = readme[readme.index("### What each event does") :].split("\n\n###")[0]
    for event in (*TRUSTED_EVENTS, "pull_request", "pull_request_target", "merge_group"):
        assert f"`{event}`" in table, event
    assert "`workflow_run`" in table
    assert "any other event" in table
