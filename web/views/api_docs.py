"""The API's reference page: ``/api-docs``, rendered on the server from the same OpenAPI document that
``/api/v1/openapi.json`` serves (no Swagger UI bundle, nothing from a CDN; the document is small enough
that a template over it reads better than a generic viewer).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, render_template

from web.openapi import openapi_document

bp = Blueprint("api_docs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    operation_id: str
    parameters: list[dict[str, Any]]
    body: str
    responses: list[tuple[str, str, str, str]] = field(default_factory=list)  # code, description, schema, ref


def schema_name(schema: dict[str, Any] | None) -> str:
    """``#/components/schemas/Finding`` → ``Finding``; an inline schema → its type."""
    if not schema:
        return ""
    ref = str(schema.get("$ref", ""))
    if ref:
        return ref.rsplit("/", 1)[-1]
    kind = schema.get("type", "")
    shown = " or ".join(kind) if isinstance(kind, list) else str(kind)
    if "enum" in schema:
        shown += ": " + ", ".join(str(v) for v in schema["enum"])
    if "format" in schema:
        shown += f" ({schema['format']})"
    if kind == "array":
        shown = f"array of {schema_name(schema.get('items')) or 'values'}"
    return shown


def _content_schema(part: dict[str, Any]) -> str:
    for media_type, content in part.get("content", {}).items():
        return f"{schema_name(content.get('schema'))} ({media_type})"
    return ""


def _schema_ref(part: dict[str, Any]) -> str:
    """The component schema a response or body refers to (for a link to it), or ""."""
    for content in part.get("content", {}).values():
        ref = str((content.get("schema") or {}).get("$ref", ""))
        return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else ""
    return ""


def operations(document: dict[str, Any]) -> list[Operation]:
    out: list[Operation] = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            responses = [(str(code), str(r.get("description", "")), _content_schema(r), _schema_ref(r))
                         for code, r in sorted(op.get("responses", {}).items())]
            out.append(Operation(method.upper(), path, op.get("summary", ""), op.get("operationId", ""),
                                 op.get("parameters", []), _content_schema(op.get("requestBody", {})), responses))
    return out


def schemas(document: dict[str, Any]) -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(name, [(property, type, description)]) of every component schema."""
    out = []
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        props = [(prop, schema_name(spec), str(spec.get("description", "")))
                 for prop, spec in schema.get("properties", {}).items()]
        out.append((name, props))
    return out


@bp.route("/api-docs")
def index() -> str:
    document = openapi_document()
    return render_template("api_docs.html", info=document["info"], servers=document.get("servers", []),
                           operations=operations(document), schemas=schemas(document))
