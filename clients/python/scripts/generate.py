"""Writes microwork_client/_generated.py from microwork's OpenAPI document: a TypedDict per
schema and a typed method per operation (plus an `iter_` method for each paginated list).

    python clients/python/scripts/generate.py                 # the document of this checkout
    python clients/python/scripts/generate.py --openapi URL   # or a running server's
    python clients/python/scripts/generate.py --check         # exit 1 if the file is stale

The server's tests (tests/test_python_client.py) fail when the committed file no longer
matches the document, so an API change comes with its client."""

from __future__ import annotations

import argparse
import json
import keyword
import os
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

TARGET = Path(__file__).resolve().parent.parent / "microwork_client" / "_generated.py"

# Operation ids are "<module>_<function>"; the function's name is the method's, except where
# it would not say enough outside its module.
RENAMED = {
    "microwork_work_api_projects": "work_projects",
    "microwork_work_api_claim": "work_claim",
    "microwork_work_api_leave": "work_leave",
    "microwork_work_api_notify": "work_notify",
    "microwork_work_api_draft": "work_draft",
    "microwork_work_api_submit": "work_submit",
    "microwork_work_api_skip": "work_skip",
    "microwork_work_api_give_back": "work_give_back",
    "microwork_work_api_history": "work_history",
    "microwork_privacy_api_give": "consent_give",
    "microwork_privacy_api_withdraw": "consent_withdraw",
    "microwork_ledger_api_balance": "money_balance",
    "microwork_ledger_api_methods": "payout_methods",
    "microwork_ledger_api_payouts": "payouts",
    "microwork_ledger_api_deposit": "deposit_create",
    "microwork_ledger_api_deposits": "deposits",
    "microwork_ledger_api_statement": "money_statement",
    "microwork_review_api_reasons": "rejection_reasons",
    "microwork_review_api_bonus": "bonus_send",
    "microwork_projects_api_progress_project_progress": "project_progress",
}
# POSTs that count once however often they are sent, so a retry after a lost answer is safe:
# an upload is recognised by its content, a submit by its assignment.
IDEMPOTENT_POSTS = {"upload_tasks", "work_submit"}
IDEMPOTENCY_FIELD = "request_key"
HEADER = '''"""Generated from microwork's OpenAPI document by clients/python/scripts/generate.py.
Do not edit: run the script again."""

# ruff: noqa: E501
from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NotRequired, TypedDict, cast

from microwork_client._http import BaseClient, FileField

'''


def method_name(operation_id: str) -> str:
    if operation_id in RENAMED:
        return RENAMED[operation_id]
    name = re.sub(r"^microwork_\w+?_api_(files_)?", "", operation_id)
    return name if name.isidentifier() and not keyword.iskeyword(name) else name + "_"


def optional(t: str) -> str:
    parts = t.split(" | ")
    return t if "None" in parts or t == "Any" else f"{t} | None"


def _identifier(name: str) -> str:
    clean = re.sub(r"\W", "_", name)
    return clean + "_" if keyword.iskeyword(clean) or not clean.isidentifier() else clean


def type_of(schema: dict[str, Any] | None) -> str:
    if not schema:
        return "Any"
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    for combined in ("anyOf", "oneOf"):
        if combined in schema:
            parts: list[str] = []
            for option in schema[combined]:
                t = type_of(option)
                if t not in parts:
                    parts.append(t)
            return " | ".join(parts) if "Any" not in parts else "Any"
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_of(schema["allOf"][0])
    kind = schema.get("type")
    if isinstance(kind, list):
        return " | ".join(type_of({**schema, "type": k}) for k in kind)
    if kind == "string":
        return "bytes" if schema.get("format") == "binary" else "str"
    if kind == "integer":
        return "int"
    if kind == "number":
        return "float"
    if kind == "boolean":
        return "bool"
    if kind == "null":
        return "None"
    if kind == "array":
        return f"list[{type_of(schema.get('items'))}]"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"dict[str, {type_of(extra)}]"
        return "dict[str, Any]"
    return "Any"


def _typed_dict(name: str, schema: dict[str, Any]) -> str:
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    lines = []
    identifiers = all(p.isidentifier() and not keyword.iskeyword(p) for p in properties)
    for prop, sub in properties.items():
        t = type_of(sub)
        t = t if prop in required else f"NotRequired[{t}]"
        lines.append((prop, t))
    doc = (schema.get("description") or "").strip().replace('"""', "'''")
    if not identifiers:
        fields = ", ".join(f"{json.dumps(p)}: {json.dumps(t)}" for p, t in lines)
        return f"{name} = TypedDict({json.dumps(name)}, {{{fields}}})\n"
    body = [f"class {name}(TypedDict):"]
    if doc:
        body.append(f'    """{doc}"""')
    body += [f"    {p}: {t}" for p, t in lines] or ["    pass"]
    return "\n".join(body) + "\n"


def _request_body(op: dict[str, Any]) -> tuple[dict[str, Any] | None, bool, bool]:
    """(the JSON body's schema, whether it is required, whether multipart is accepted)."""
    body = op.get("requestBody")
    if not body:
        return None, False, False
    content = body.get("content", {})
    json_schema = content.get("application/json", {}).get("schema")
    return json_schema, bool(body.get("required")), "multipart/form-data" in content


def _response_type(op: dict[str, Any]) -> tuple[str, bool]:
    """(the success type, whether the body is raw bytes rather than JSON)."""
    types: list[str] = []
    raw = False
    for status, response in sorted(op.get("responses", {}).items()):
        if not status.startswith("2"):
            continue
        content = response.get("content") or {}
        if status == "204" or not content:
            t = "None" if status == "204" else "bytes"
            raw = raw or t == "bytes"
        elif "application/json" in content:
            t = type_of(content["application/json"].get("schema"))
        else:
            t, raw = "bytes", True
        if t not in types:
            types.append(t)
    if raw:
        return "bytes", True
    return (" | ".join(types) if types else "Any"), False


def _resolve(schemas: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
    if schema and "$ref" in schema:
        return schemas[schema["$ref"].rsplit("/", 1)[1]]
    return schema or {}


def _operation(path: str, verb: str, op: dict[str, Any], schemas: dict[str, Any]) -> str:
    name = method_name(op["operationId"])
    params = op.get("parameters", [])
    path_params = [p for p in params if p.get("in") == "path"]
    query_params = [p for p in params if p.get("in") == "query"]
    body_schema, body_required, multipart = _request_body(op)
    returns, raw = _response_type(op)
    args = ["self"]
    for p in path_params:
        args.append(f"{_identifier(p['name'])}: {type_of(p.get('schema'))}")
    has_body = body_schema is not None
    if has_body:
        body_type = type_of(body_schema)
        if body_required and not multipart:
            args.append(f"body: {body_type}")
        else:
            args.append(f"body: {optional(body_type)} = None")
    keyword_only = [
        f"{_identifier(p['name'])}: {optional(type_of(p.get('schema')))} = None"
        for p in query_params
    ]
    if multipart:
        keyword_only += [
            "files: Mapping[str, FileField] | None = None",
            "data: Mapping[str, str] | None = None",
        ]
    if keyword_only:
        args.append("*")
        args += keyword_only
    summary = (op.get("summary") or "").strip()
    description = (op.get("description") or "").strip()
    doc = f"{verb.upper()} {path}" + (f": {summary}." if summary else "")
    if description:
        doc += "\n\n        " + "\n        ".join(description.replace('"""', "'''").splitlines())
    call = [f'"{verb.upper()}"', f'"{path}"']
    call.append(
        "{" + ", ".join(f'"{p["name"]}": {_identifier(p["name"])}' for p in path_params) + "}"
    )
    if query_params:
        call.append(
            "query={"
            + ", ".join(f'"{p["name"]}": {_identifier(p["name"])}' for p in query_params)
            + "}"
        )
    if has_body:
        call.append("body=body")
    if multipart:
        call += ["files=files", "data=data"]
    if raw:
        call.append("raw=True")
    body_props = _resolve(schemas, body_schema).get("properties", {}) if has_body else {}
    if IDEMPOTENCY_FIELD in body_props:
        call.append(f'idempotency_field="{IDEMPOTENCY_FIELD}"')
    if name in IDEMPOTENT_POSTS:
        call.append("idempotent=True")
    lines = [
        f"    def {name}({', '.join(args)}) -> {returns}:",
        f'        """{doc}"""',
        f"        return cast({json.dumps(returns)}, self._call({', '.join(call)}))",
    ]
    page_names = {p["name"] for p in query_params}
    if {"page", "page_size"} <= page_names or {"page", "limit"} <= page_names:
        item = "Any"
        success = op.get("responses", {}).get("200", {}).get("content", {})
        page_schema = _resolve(schemas, success.get("application/json", {}).get("schema"))
        items = page_schema.get("properties", {}).get("items")
        if items and items.get("type") == "array":
            item = type_of(items.get("items"))
        iter_args = ["self"] + [
            f"{_identifier(p['name'])}: {type_of(p.get('schema'))}" for p in path_params
        ]
        rest = [
            f"{_identifier(p['name'])}: {optional(type_of(p.get('schema')))} = None"
            for p in query_params
            if p["name"] not in ("page",)
        ]
        if rest:
            iter_args += ["*", *rest]
        query = ", ".join(
            f'"{p["name"]}": {_identifier(p["name"])}'
            for p in query_params
            if p["name"] not in ("page",)
        )
        lines += [
            "",
            f"    def iter_{name}({', '.join(iter_args)}) -> Iterator[{item}]:",
            f'        """Every item of {verb.upper()} {path}, page after page."""',
            f"        return self._pages({call[0]}, {call[1]}, {call[2]}, {{{query}}})",
        ]
    return "\n".join(lines) + "\n"


def render(document: dict[str, Any]) -> str:
    # As served: the document Django builds has integer status keys until it is JSON.
    document = json.loads(json.dumps(document, default=str))
    schemas = document.get("components", {}).get("schemas", {})
    out = [HEADER]
    out.append(f"API_VERSION = {json.dumps(document.get('info', {}).get('version', ''))}\n\n")
    for name in sorted(schemas):
        out.append("\n" + _typed_dict(name, schemas[name]) + "\n")
    out.append("\nclass GeneratedOperations(BaseClient):\n")
    out.append('    """One method per operation of the API, in the document\'s order."""\n')
    seen: set[str] = set()
    for path, ops in document.get("paths", {}).items():
        for verb, op in ops.items():
            name = method_name(op["operationId"])
            if name in seen:
                raise SystemExit(f"two operations would be called {name}: add one to RENAMED")
            seen.add(name)
            out.append("\n" + _operation(path, verb, op, schemas))
    return "".join(out)


def _document(source: str | None) -> dict[str, Any]:
    if source is None:
        # This checkout's own document, without a server.
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parents[3]))
        import django

        django.setup()
        from config.api import api

        return api.get_openapi_schema()  # type: ignore[no-any-return]
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source) as response:  # noqa: S310 - the operator's URL
            return json.loads(response.read())  # type: ignore[no-any-return]
    return json.loads(Path(source).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--openapi", help="a file or URL (default: this checkout's document)")
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    text = render(_document(args.openapi))
    if args.check:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run {Path(__file__).name} again.", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
