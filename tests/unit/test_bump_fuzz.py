"""Fuzz the hub-config reader and editor through the CLI (issue 12): random and hostile YAML.

Every input ends in exit 0 with a valid edit (the file parses and the hub's image is the
new one) or exit 2 with the file byte-identical, each within hypothesis' one-second
deadline. Bounded (max_examples) and, in CI, derandomized like the other property tests.
At b3ac158, alias bombs ran for minutes and deep nesting or a recursive alias crashed
(exit 1, RecursionError).
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from hubimage.bump.current import current_hub_image
from hubimage.bump.document import parse_document
from hubimage.cli import main

IMAGE = "quay.io/org/image:fuzzed"

keys = st.sampled_from(["jupyterhub", "singleuser", "image", "name", "tag", "basehub", "x", "a b"])
plain = st.sampled_from(["1", "0123", "yes", "~", "''", '"q"', "quay.io/org/image:old", "[1, 2]"])


@st.composite
def block_yaml(draw: st.DrawFn, depth: int = 0) -> str:
    """A block mapping, maybe holding an image block, with anchors and aliases."""
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(keys)
        indent = "  " * depth
        kind = draw(
            st.sampled_from(["scalar", "map", "seq", "image", "alias"] if depth < 4 else ["scalar"])
        )
        if kind == "scalar":
            lines.append(f"{indent}{key}: {draw(plain)}")
        elif kind == "map":
            lines.append(f"{indent}{key}: &n{depth}")
            lines.append(draw(block_yaml(depth + 1)))
        elif kind == "seq":
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}- {draw(plain)}" for _ in range(draw(st.integers(0, 3)))]
        elif kind == "image":
            lines += [
                f"{indent}image:",
                f"{indent}  name: quay.io/org/image",
                f"{indent}  tag: old",
            ]
        else:
            lines.append(f"{indent}{key}: *n{max(depth - 1, 0)}")
    return "\n".join(lines)


def alias_bomb(levels: int, fan_out: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * fan_out)}]" for i in range(1, levels)]
    return (
        "\n".join(lines)
        + "\njupyterhub:\n  singleuser:\n    image: {name: quay.io/org/image, tag: old}\n"
    )


def deep(levels: int, flow: bool) -> str:
    if flow:
        return "jupyterhub: " + "[" * levels + "]" * levels + "\n"
    return (
        "jupyterhub:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels)) + "  x: 1\n"
    )


hostile = st.one_of(
    st.builds(alias_bomb, st.integers(1, 12), st.integers(1, 10)),
    st.builds(deep, st.integers(1, 3000), st.booleans()),
    st.integers(1, 1_000_000).map(
        lambda size: (
            "jupyterhub:\n  singleuser:\n    image:\n      name: quay.io/org/image\n"
            f"      tag: old\n  huge: {'x' * size}\n"
        )
    ),
    st.just("a: &a\n  b: *a\njupyterhub: {}\n"),
)
texts = st.one_of(
    block_yaml(),
    hostile,
    st.text(max_size=200),
    st.builds(lambda a, b: f"jupyterhub:\n{a}\n---\n{b}\n", block_yaml(1), block_yaml()),
)


@st.composite
def file_bytes(draw: st.DrawFn) -> bytes:
    text = draw(texts)
    newline = draw(st.sampled_from(["\n", "\r\n", "\r", "mixed"]))
    if newline == "mixed":
        lines = text.split("\n")
        ends = draw(
            st.lists(
                st.sampled_from(["\n", "\r\n", "\r"]), min_size=len(lines), max_size=len(lines)
            )
        )
        text = "".join(line + end for line, end in zip(lines, ends, strict=True))
    else:
        text = text.replace("\n", newline)
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.booleans()) and draw(st.booleans()):  # a quarter: bytes that are not UTF-8
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"]))
            + data[at:]
        )
    return data


@settings(
    max_examples=150,
    deadline=1000,  # ms: each input within a second
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(file_bytes(), st.sampled_from([[], ["--path", "jupyterhub.singleuser.image"]]))
def test_every_input_ends_in_a_valid_edit_or_exit_2_with_the_file_kept(
    data: bytes, extra: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "values.yaml"
        file.write_bytes(data)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["bump", "--config", str(file), "--hub", "h", "--image", IMAGE, *extra])
        assert code in (0, 2), err.getvalue()[-2000:]
        event(f"exit {code}")
        if code == 2:
            assert file.read_bytes() == data
            return
        text = file.read_text(encoding="utf-8")
        parse_document(text, "values.yaml")
        path = extra[1] if extra else None
        if path or text != data.decode("utf-8"):
            assert current_hub_image(str(file), "h", path) == IMAGE
