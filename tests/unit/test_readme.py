"""The README documents every action input and output, and its two commands stay true."""

from pathlib import Path

from ruamel.yaml import YAML

from hubimage.input_specs import INPUTS

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()


def test_every_input_is_documented() -> None:
    missing = [spec.name for spec in INPUTS if f"| `{spec.name}` |" not in README]
    assert not missing, f"inputs missing from the README: {missing}"


def test_every_output_is_documented() -> None:
    outputs = YAML(typ="safe").load((ROOT / "action.yml").read_text())["outputs"]
    missing = [name for name in outputs if f"`{name}`" not in README]
    assert not missing, f"outputs missing from the README: {missing}"


def test_the_two_commands_name_real_things() -> None:
    assert "hubimage run --context examples/image" in README
    assert (ROOT / "examples" / "image" / "Dockerfile").is_file()
    assert "python3 -m pytest" in README
    assert "python3 -m pytest" in (ROOT / ".ci" / "run").read_text()
