"""Read the files a GitHub Actions runner reads after a step: `$GITHUB_OUTPUT` and friends.

The parser follows the runner's documented format for multiline values
(`name<<DELIMITER`, lines, `DELIMITER`) and `name=value` lines.
"""

from __future__ import annotations

from pathlib import Path


def parse_output_file(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            if name in values:
                raise AssertionError(f"output {name} written twice")
            values[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            values[name] = value
    return values
