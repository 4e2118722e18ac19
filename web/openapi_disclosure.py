"""The disclosure routes of the OpenAPI description (web/disclosure_api.py, docs/disclosure.md)."""

from __future__ import annotations

from typing import Any

_OBJECT = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
_ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _incident() -> dict[str, Any]:
    return {"name": "incident_id", "in": "path", "required": True, "description": "Incident id",
            "schema": {"type": "integer"}}


def _op(summary: str, operation: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"summary": summary, "operationId": operation, "parameters": [_incident()],
            "responses": {"200": _OBJECT, "404": {"description": "No such incident", **_ERROR},
                          "409": {"description": "Cannot be done (the message says why)", **_ERROR}},
            **(extra or {})}


def disclosure_paths() -> dict[str, Any]:
    base = "/incidents/{incident_id}/disclosure"
    report_body = {"requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
        "method": {"type": "string", "enum": ["email", "by_hand"]},
        "to": {"type": "array", "items": {"type": "string"}}, "note": {"type": "string"}}}}}}}
    return {
        base: {"get": _op("Where to report, reports made, removal watch, exposure windows, archive copies, "
                          "evidence packages", "getDisclosure")},
        f"{base}/draft": {"get": _op("The message to the publisher (masked: counts and kinds only)",
                                     "draftDisclosure")},
        f"{base}/report": {"post": _op("Send the message by e-mail, or record it sent by hand (analyst); the "
                                       "incident becomes reported", "reportIncident", report_body)},
        f"{base}/sweep": {"post": _op("Ask the configured public archives for copies (analyst)", "sweepMirrors")},
        f"{base}/evidence": {"post": _op("Write a signed, time-stamped evidence package (analyst)",
                                         "buildEvidence")},
    }
