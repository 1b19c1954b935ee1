"""GitHub's published OpenAPI description (npm `@octokit/openapi`), and checks against it.

The stand-in server validates every request it receives and every response it sends here, so a
test fails when our client or the stand-in drifts away from what api.github.com really speaks.

Install (CI runs this once; the fixtures run it when the file is missing):
    python tests/support/github_standin/openapi_spec.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import referencing
import referencing.jsonschema

# Pinned so a new upstream release cannot change what "valid" means under a test run.
OPENAPI_PACKAGE = "@octokit/openapi@23.0.2"
_SPEC_IN_PACKAGE = Path("node_modules/@octokit/openapi/generated/api.github.com.json")
_DOC_URI = "urn:github-openapi"

# GitHub answers these on any operation, although the description lists them on only some.
GITHUB_WIDE_STATUSES = frozenset({401, 403, 404, 429, 500, 502, 503, 504})


def cache_dir() -> Path:
    """Downloaded test tools: $HUBIMAGE_CACHE, else ~/.cache/hubimage (outside the repo)."""
    configured = os.environ.get("HUBIMAGE_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "hubimage"


def ensure_openapi_installed() -> Path:
    """The path of api.github.com.json, running `npm install` into the cache first if missing."""
    prefix = cache_dir() / "openapi"
    spec = prefix / _SPEC_IN_PACKAGE
    if spec.is_file():
        return spec
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(f"npm is needed to install {OPENAPI_PACKAGE} into {prefix}")
    prefix.mkdir(parents=True, exist_ok=True)
    command = [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(prefix)]
    subprocess.run([*command, OPENAPI_PACKAGE], check=True, capture_output=True, text=True)
    if not spec.is_file():
        raise RuntimeError(f"{OPENAPI_PACKAGE} installed but {spec} is missing")
    return spec


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schemas are JSON Schema draft 4 plus `nullable`; rewrite `nullable` away.

    GitHub's `oneOf`s often list alternatives that overlap (e.g. `basic-error` and
    `repository-rule-violation-error`, neither with required fields), so a real GitHub body
    matches several; OpenAPI tools pick one, as `anyOf` does.
    """
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        ("anyOf" if key == "oneOf" and isinstance(value, list) else key): (
            value if key in ("example", "examples") else _to_json_schema(value)
        )
        for key, value in node.items()
    }
    if converted.get("nullable") is True:
        del converted["nullable"]
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    spec: dict[str, Any]


@dataclass(frozen=True)
class MatchedOperation:
    operation: Operation
    params: dict[str, str]  # raw (still percent-encoded) path parameters


class GitHubOpenAPI:
    """Operation lookup by method + path, and schema validation of bodies."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._document = document
        resource = referencing.jsonschema.DRAFT4.create_resource(document)
        self._registry: referencing.Registry[Any] = referencing.Registry().with_resource(
            _DOC_URI, resource
        )
        self._routes: list[tuple[Operation, re.Pattern[str], re.Pattern[str]]] = []
        for template, methods in document["paths"].items():
            for method, spec in methods.items():
                if isinstance(spec, dict) and "operationId" in spec:
                    op = Operation(spec["operationId"], method.upper(), template, spec)
                    self._routes.append((op, _route(template, False), _route(template, True)))
        self._validators: dict[str, jsonschema.Draft4Validator] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> GitHubOpenAPI:
        raw = json.loads(path.read_text(encoding="utf-8"))
        document = {
            "openapi": raw["openapi"],
            "paths": _to_json_schema(raw["paths"]),
            "x-webhooks": _to_json_schema(raw.get("x-webhooks", {})),
            "components": {
                key: _to_json_schema(value)
                for key, value in raw["components"].items()
                if key != "examples"
            },
        }
        return cls(document)

    def match(self, method: str, path: str) -> MatchedOperation | None:
        """The operation for a request path (without any /api/v3 prefix), most specific first."""
        for greedy_last in (False, True):
            candidates = []
            for op, strict, greedy in self._routes:
                if op.method != method:
                    continue
                found = (greedy if greedy_last else strict).fullmatch(path)
                if found:
                    literal = len(re.sub(r"\{[^}]+\}", "", op.template))
                    candidates.append((literal, op, found.groupdict()))
            if candidates:
                _, op, params = max(candidates, key=lambda item: item[0])
                return MatchedOperation(op, params)
        return None

    def request_violations(self, op: Operation, body: Any, has_body: bool) -> list[str]:
        request_body = self._resolve(op.spec.get("requestBody"))
        if request_body is None:
            return [f"{op.operation_id}: takes no request body"] if has_body else []
        if not has_body:
            needed = request_body.get("required", False)
            return [f"{op.operation_id}: request body is required"] if needed else []
        schema = request_body["content"].get("application/json", {}).get("schema")
        return self._violations(f"{op.operation_id} request", schema, body)

    def response_violations(
        self, op: Operation, status: int, body: Any, has_body: bool
    ) -> list[str]:
        declared = self._resolve(op.spec["responses"].get(str(status)))
        where = f"{op.operation_id} response {status}"
        if declared is None:
            if status not in GITHUB_WIDE_STATUSES:
                return [f"{where}: status not in the description"]
            schema: Any = {"$ref": "#/components/schemas/basic-error"}
            return self._violations(where, schema, body) if has_body else []
        content = declared.get("content")
        if not content:
            return [f"{where}: must have no body"] if has_body else []
        media = content.get("application/json") or next(iter(content.values()))
        if not has_body:
            return [f"{where}: body missing"]
        return self._violations(where, media.get("schema"), body)

    def event_violations(self, event: str, action: str, body: Any) -> list[str]:
        """How an event payload (what GitHub writes to GITHUB_EVENT_PATH; the webhook's
        body) differs from the description's webhook `<event>-<action>`."""
        name = f"{event.replace('_', '-')}-{action}"
        webhook = self._document.get("x-webhooks", {}).get(name)
        if webhook is None:
            return [f"{name}: no such webhook in the description"]
        request_body = self._resolve(webhook["post"]["requestBody"])
        schema = request_body["content"]["application/json"]["schema"]
        return self._violations(f"{name} event", schema, body)

    def _resolve(self, node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"].removeprefix("#/").split("/")
            node = self._document
            for part in pointer:
                node = node[part]
        return node

    def _violations(self, where: str, schema: Any, instance: Any) -> list[str]:
        if schema is None:
            return []
        key = json.dumps(schema, sort_keys=True)
        with self._lock:
            validator = self._validators.get(key)
            if validator is None:
                rooted = _rebase_refs(schema)
                validator = jsonschema.Draft4Validator(rooted, registry=self._registry)
                self._validators[key] = validator
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [
            f"{where}: at /{'/'.join(map(str, e.absolute_path))}: {e.message[:300]}"
            for e in errors[:5]
        ]


def _rebase_refs(node: Any) -> Any:
    """Point the top-level schema's local `#/...` refs into the registered document."""
    if isinstance(node, list):
        return [_rebase_refs(item) for item in node]
    if isinstance(node, dict):
        return {
            key: (
                _DOC_URI + value if key == "$ref" and value.startswith("#") else _rebase_refs(value)
            )
            for key, value in node.items()
        }
    return node


# Parameters whose values may contain `/` (file paths, `heads/x/y`, branch names).
_SLASHED_PARAMS = frozenset({"path", "ref", "branch", "basehead"})


def _route(template: str, greedy_last: bool) -> re.Pattern[str]:
    """A regex for a path template; a last `path`/`ref`/`branch` parameter may span slashes."""
    names = re.findall(r"\{([^}]+)\}", template)
    pattern = re.escape(template)
    for index, name in enumerate(names):
        spans = greedy_last and index == len(names) - 1 and name in _SLASHED_PARAMS
        group = f"(?P<{name.replace('-', '_')}>{'.+' if spans else '[^/]+'})"
        pattern = pattern.replace(re.escape("{" + name + "}"), group, 1)
    return re.compile(pattern)


if __name__ == "__main__":
    print(ensure_openapi_installed())
    sys.exit(0)
