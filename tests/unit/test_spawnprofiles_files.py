"""singleuser.extraFiles: the bytes z2jh's Secret holds and the modes Helm reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubimage.spawnprofiles.extrafiles import block_text, helm_integer
from hubimage.spawnprofiles.serialize import go_json, go_toml, go_yaml
from support.spawnprofile_fixtures import applied, basehub_repo, derive, only_profile

CHART = "jupyterhub:\n  singleuser:\n    cmd: jupyterhub-singleuser\n"


def _files(tmp_path: Path, values: str) -> tuple[dict[str, tuple[bytes, int]], tuple[str, ...]]:
    entry = basehub_repo(tmp_path, CHART, {"one": ["one.values.yaml"]}, {"one.values.yaml": values})
    [spawn] = derive(tmp_path, entry, ["one"])
    [profile] = spawn.profiles
    return {f.mount_path: (f.content, f.mode) for f in profile.files}, spawn.notes


def test_modes_are_read_as_helm_reads_them(tmp_path: Path) -> None:
    files, notes = _files(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraFiles:
              octal: {mountPath: /a, stringData: x, mode: 0755}
              prefixed: {mountPath: /b, stringData: x, mode: 0o700}
              decimal: {mountPath: /c, stringData: x, mode: 420}
              unset: {mountPath: /d, stringData: x}
              quoted: {mountPath: /e, stringData: x, mode: "0755"}
        """,
    )
    assert {path: mode for path, (_, mode) in files.items()} == {
        "/a": 0o755,
        "/b": 0o700,
        "/c": 0o644,
        "/d": 0o644,  # a Secret volume's default mode
        "/e": 0o644,
    }
    assert any(note.startswith("singleuser.extraFiles.quoted.mode (") for note in notes)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0755", 0o755),
        ("0o755", 0o755),
        ("0x1ED", 493),
        ("0b111101101", 493),
        ("493", 493),
        ("0_755", 0o755),
        ("-0755", -493),
        ("0", 0),
        ("08", None),
        ("7.5", None),
        ("rwx", None),
    ],
)
def test_helm_integer_reads_plain_scalars_as_go_yaml_does(text: str, number: int | None) -> None:
    assert helm_integer(text) == number


def test_data_is_serialized_by_the_mount_paths_extension(tmp_path: Path) -> None:
    files, notes = _files(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraFiles:
              json:
                mountPath: /etc/config.json
                data: {b: 1, a: {x: true, y: "<&>"}, c: 0.5}
              yaml:
                mountPath: /etc/config.yaml
                data:
                  b: [1, two]
                  a10: x
                  a2: y
                  a: {d: 0.5, c: "yes"}
              toml:
                mountPath: /etc/config.toml
                data: {name: x, count: 3, nested: {on: true}}
              text:
                mountPath: /etc/config.txt
                data: {a: 1}
        """,
    )
    assert files["/etc/config.json"][0] == (
        b'{"a":{"x":true,"y":"\\u003c\\u0026\\u003e"},"b":1,"c":0.5}\n'
    )
    assert files["/etc/config.yaml"][0] == (
        # go-yaml v2 reads y and n as booleans (YAML 1.1): it quotes them
        b'a:\n  c: "yes"\n  d: 0.5\na2: "y"\na10: x\nb:\n- 1\n- two\n'
    )
    assert files["/etc/config.toml"][0] == b'count = 3.0\nname = "x"\n\n[nested]\n  on = true\n'
    assert "/etc/config.txt" not in files
    assert any("data needs a mountPath ending .yaml, .yml, .json or .toml" in n for n in notes)


def test_string_data_keeps_one_final_newline_and_binary_data_is_decoded(tmp_path: Path) -> None:
    files, _ = _files(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraFiles:
              bare: {mountPath: /bare, stringData: "no newline"}
              blank: {mountPath: /blank, stringData: "lines\\n\\nend\\n\\n\\n"}
              binary: {mountPath: /bin, binaryData: "aGVs\\n  bG8="}
        """,
    )
    assert files["/bare"][0] == b"no newline\n"
    assert files["/blank"][0] == b"lines\n\nend\n"
    assert files["/bin"][0] == b"hello"


def test_an_entry_needs_exactly_one_content_field(tmp_path: Path) -> None:
    files, notes = _files(
        tmp_path,
        """\
        jupyterhub:
          singleuser:
            extraFiles:
              both: {mountPath: /both, stringData: a, binaryData: YQ==}
              nowhere: {stringData: a}
        """,
    )
    assert files == {}
    assert any("needs exactly one of data, stringData and binaryData" in n for n in notes)
    assert any(
        n.startswith("singleuser.extraFiles.nowhere (") and "no mountPath" in n for n in notes
    )


def test_a_files_applied_entry_says_size_and_mode_not_content(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["one.values.yaml"]},
        {
            "one.values.yaml": """\
                jupyterhub:
                  singleuser:
                    extraFiles:
                      script:
                        mountPath: /usr/local/bin/start
                        mode: 0755
                        stringData: |
                          #!/bin/sh
                          exec "$@"
            """
        },
    )
    profile = only_profile(derive(tmp_path, entry, ["one"]))
    shown = applied(profile, "singleuser.extraFiles.script")
    assert shown.value == "20 bytes, mode 0755, at /usr/local/bin/start"
    assert shown.source == "config/clusters/test/one.values.yaml:7"


def test_a_volume_mount_at_a_files_path_is_left_to_the_file(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["one.values.yaml"]},
        {
            "one.values.yaml": """\
                jupyterhub:
                  singleuser:
                    extraFiles:
                      gitconfig: {mountPath: /etc/gitconfig, stringData: "[user]"}
                    storage:
                      extraVolumeMounts:
                        - {name: secret, mountPath: /etc/gitconfig, subPath: gitconfig}
                        - {name: data, mountPath: /data, readOnly: true}
            """
        },
    )
    profile = only_profile(derive(tmp_path, entry, ["one"]))
    assert [file.mount_path for file in profile.files] == ["/etc/gitconfig"]
    assert [(m.mount_path, m.read_only) for m in profile.volume_mounts] == [("/data", True)]


def test_encrypted_file_content_is_a_placeholder(tmp_path: Path) -> None:
    entry = basehub_repo(
        tmp_path,
        CHART,
        {"one": ["enc-one.secret.values.yaml"]},
        {
            "enc-one.secret.values.yaml": """\
                jupyterhub:
                  singleuser:
                    extraFiles:
                      key.pem:
                        mountPath: /etc/key.pem
                        stringData: ENC[AES256_GCM,data:LS0tLQ==,iv:a=,tag:b==,type:str]
                sops:
                  version: 3.7.3
            """
        },
    )
    [spawn] = derive(tmp_path, entry, ["one"])
    [file] = spawn.profiles[0].files
    assert file.content == b"hubimage-encrypted-value\n"
    assert (
        "singleuser.extraFiles.key.pem.stringData: encrypted in enc-one.secret.values.yaml; a "
        "placeholder was used"
    ) in spawn.notes


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (3600, "3600"),
        (3600.0, "3600"),
        (0.5, "0.5"),
        (-0.25, "-0.25"),
        (1e21, "1e+21"),
        (1e-7, "1e-7"),
        (123456789.5, "123456789.5"),
    ],
)
def test_json_numbers_are_gos(value: float, text: str) -> None:
    assert go_json(value) == text


def test_yaml_writes_floats_as_go_yaml_and_quotes_what_yaml_11_reads_otherwise() -> None:
    assert go_yaml({"f": 1234567.5, "g": 0.00001, "s": "on", "t": "a: b", "n": None}) == (
        'f: 1.2345675e+06\ng: 1e-05\n"n": null\ns: "on"\nt: \'a: b\''
    )
    assert go_yaml({"m": [[1, 2], {"k": "v", "j": "w"}], "e": {}}) == (
        "e: {}\nm:\n- - 1\n  - 2\n- j: w\n  k: v"
    )
    assert go_yaml({"script": "line\nnext\n"}) == "script: |\n  line\n  next"


def test_toml_tables_and_arrays_of_tables_are_burntsushis() -> None:
    assert go_toml({"z": [1, 2], "items": [{"id": 1}], "t": {"a": "x", "n": {"m": 'q"'}}}) == (
        'z = [1.0, 2.0]\n\n[[items]]\n  id = 1.0\n\n[t]\n  a = "x"\n  [t.n]\n    m = "q\\""\n'
    )


@pytest.mark.parametrize(
    ("given", "kept"),
    [("a", "a\n"), ("a\n", "a\n"), ("a\n\n", "a\n"), ("\n\na\n", "\n\na\n"), ("\n", "")],
)
def test_a_literal_block_keeps_one_final_newline(given: str, kept: str) -> None:
    assert block_text(given) == kept
