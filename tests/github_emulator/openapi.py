"""Validation against GitHub's OpenAPI description (the subset in tests/fixtures).

GitHub validates request bodies against these schemas and answers 422 with
`{"message": "Invalid request.\\n\\n<reason>", "documentation_url": ...}` (reasons such as
`"head_sha" wasn't supplied.`, `No more than 50 items are allowed; 77 were supplied.`,
`Only 65535 characters are allowed; 68338 were supplied.`, `For 'properties/line', "5" is
not an integer.`). The emulator does the same with jsonschema (Draft 4, which OpenAPI 3.0
schemas follow), after turning OpenAPI's `nullable: true` into JSON Schema's `null` type.
Responses can be validated too, which keeps the emulator's own JSON shapes honest.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import jsonschema

SPEC_PATH = Path(__file__).resolve().parent.parent / "fixtures" / "github-openapi-subset.json"
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def to_jsonschema(node):
    """OpenAPI 3.0 schema object -> JSON Schema (draft 4): `nullable: true` becomes a
    `null` type (or a null alternative), recursively; other keywords are kept as they are."""
    if isinstance(node, list):
        return [to_jsonschema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {name: to_jsonschema(s) for name, s in value.items()}
        elif key in _SCHEMA_LISTS or key in ("items", "additionalProperties", "not"):
            out[key] = to_jsonschema(value)
        elif key != "nullable":
            out[key] = value
    if node.get("nullable"):
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        elif "type" not in out:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _date_time(value) -> bool:
    if not isinstance(value, str):
        return True
    if not _RFC3339.match(value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        return False


FORMATS = jsonschema.FormatChecker(formats=())
FORMATS.checks("date-time")(_date_time)

_ARTICLE = {"integer": "an integer", "object": "an object", "array": "an array", "string": "a string",
            "boolean": "a boolean", "number": "a number", "null": "null"}


def _show(value) -> str:
    return "nil" if value is None else json.dumps(value)


def github_message(err: jsonschema.ValidationError) -> str:
    """One reason in GitHub's wording for a jsonschema error."""
    where = "properties/" + "/".join(str(p) for p in err.absolute_path) if err.absolute_path else "items"
    v, inst = err.validator, err.instance
    if v == "required":
        m = re.match(r"^'(.*)' is a required property$", err.message)
        return f'"{m.group(1) if m else err.validator_value[0]}" wasn\'t supplied.'
    if v == "maxItems":
        return f"No more than {err.validator_value} items are allowed; {len(inst)} were supplied."
    if v == "minItems":
        return f"At least {err.validator_value} items are required; {len(inst)} were supplied."
    if v == "maxLength":
        return f"Only {err.validator_value} characters are allowed; {len(inst)} were supplied."
    if v == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        return f"For '{where}', {_show(inst)} is not {' or '.join(_ARTICLE.get(t, t) for t in types)}."
    if v == "enum":
        return f"For '{where}', {_show(inst)} is not one of {json.dumps(err.validator_value)}."
    if v == "format":
        return f"For '{where}', {_show(inst)} is not a {err.validator_value}."
    return f"For '{where}', {err.message}"


@dataclass
class Operation:
    method: str
    path: str  # OpenAPI template, e.g. /repos/{owner}/{repo}/check-runs
    spec: dict

    @property
    def id(self) -> str:
        return self.spec["operationId"]

    @property
    def docs_url(self) -> str:
        return self.spec.get("externalDocs", {}).get("url", "https://docs.github.com/rest")


class OpenAPI:
    def __init__(self, path: Path = SPEC_PATH) -> None:
        self.doc = json.loads(path.read_text())
        comps = self.doc["components"]
        self.components = {"schemas": {k: to_jsonschema(v) for k, v in comps["schemas"].items()}}
        self.ops: dict[tuple[str, str], Operation] = {}
        for p, item in self.doc["paths"].items():
            for method, spec in item.items():
                if isinstance(spec, dict) and "operationId" in spec:
                    self.ops[(method.upper(), p)] = Operation(method.upper(), p, spec)
        self._validators: dict[int, jsonschema.Draft4Validator] = {}

    def operation(self, method: str, template: str) -> Operation | None:
        return self.ops.get((method.upper(), template))

    def _deref(self, node: dict) -> dict:
        while isinstance(node, dict) and "$ref" in node:
            parts = node["$ref"].lstrip("#/").split("/")
            node = self.doc
            for part in parts:
                node = node[part]
        return node

    def _validator(self, schema: dict) -> jsonschema.Draft4Validator:
        key = id(schema)
        if key not in self._validators:
            root = {"allOf": [to_jsonschema(schema)], "components": self.components}
            self._validators[key] = jsonschema.Draft4Validator(root, format_checker=FORMATS)
        return self._validators[key]

    def _errors(self, schema: dict, instance) -> list[str]:
        errors = sorted(self._validator(schema).iter_errors(instance), key=lambda e: list(e.absolute_path))
        return list(dict.fromkeys(github_message(e) for e in errors))

    def validate_body(self, op: Operation, body) -> list[str]:
        """Reasons the JSON body violates the operation's requestBody schema ([] = valid)."""
        rb = self._deref(op.spec.get("requestBody", {}))
        schema = rb.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        if body is None:
            return ["Body is required."] if rb.get("required") else []
        return self._errors(schema, body)

    def validate_query(self, op: Operation, args: dict[str, str]) -> list[str]:
        """Query parameters with simple schemas: integers must parse, enums must match."""
        reasons = []
        for param in (self._deref(p) for p in op.spec.get("parameters", [])):
            if param.get("in") != "query" or param["name"] not in args:
                continue
            schema, raw = param.get("schema", {}), args[param["name"]]
            value: object = raw
            if schema.get("type") == "integer":
                try:
                    value = int(raw)
                except ValueError:
                    reasons.append(f"For 'properties/{param['name']}', {json.dumps(raw)} is not an integer.")
                    continue
            elif schema.get("type") == "boolean":
                value = raw.lower() in ("1", "true")
            if "enum" in schema and value not in schema["enum"]:
                reasons.append(f"For 'properties/{param['name']}', {json.dumps(raw)} is not one of "
                               f"{json.dumps(schema['enum'])}.")
        return reasons

    def validate_response(self, op: Operation, status: int, body) -> list[str]:
        """Reasons a response body does not match the documented schema for its status."""
        resp = op.spec.get("responses", {}).get(str(status))
        if resp is None:
            return [f"status {status} is not documented for {op.id}"] if status < 400 else []
        schema = self._deref(resp).get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            return []
        return [f"{op.id} {status}: {m}" for m in self._errors(schema, body)]
