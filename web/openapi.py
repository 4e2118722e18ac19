"""The OpenAPI 3.1 description of ``/api/v1`` (served at ``/api/v1/openapi.json``)."""

from __future__ import annotations

from typing import Any

from core import __version__
from core.models import Severity
from web.openapi_disclosure import disclosure_paths

_SEVERITIES = ", ".join(Severity.names(worst_first=True))


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query",
           required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


_STR = {"type": "string"}
_INT = {"type": "integer"}
_ERRORS = {
    "401": {"description": "Missing or invalid API token", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}},
    "403": {"description": "The token's user lacks the role", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}},
}


def _json(ref: str, description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _archive_paths() -> dict[str, Any]:
    """pywb's CDX server API and Memento (web/memento.py)."""
    text = {"description": "OK", "content": {"text/plain": {"schema": _STR}}}
    url = _param("url", "Original URL (URI-R)", _STR, "path", True)
    return {
        "/cdx": {"get": {
            "summary": "pywb CDX server query: CDXJ lines (or JSON lines with output=json)", "operationId": "cdx",
            "parameters": [
                _param("url", "URL; a trailing * means matchType=prefix", _STR, required=True),
                _param("matchType", "exact, prefix, host or domain", _STR),
                _param("from", "Captured at or after (1-14 digits, YYYYMMDDhhmmss)", _STR),
                _param("to", "Captured at or before (1-14 digits)", _STR),
                _param("limit", "At most this many lines", _INT),
                _param("sort", "reverse for newest first", _STR),
                _param("output", "json for one JSON object a line", _STR),
                _param("fl", "Comma-separated fields of output=json", _STR),
            ],
            "responses": {"200": text, "400": _json("#/components/schemas/Error", "Bad query"), **_ERRORS}}},
        "/timemap/link/{url}": {"get": {
            "summary": "Memento TimeMap (RFC 7089) of a URL, application/link-format", "operationId": "timemap",
            "parameters": [url], "responses": {"200": text, **_ERRORS}}},
        "/timegate/{url}": {"get": {
            "summary": "Memento TimeGate: 302 to the capture closest to Accept-Datetime", "operationId": "timegate",
            "parameters": [url, _param("Accept-Datetime", "RFC 1123 date", _STR, "header")],
            "responses": {"302": {"description": "Found: Location is the memento"}, **_ERRORS}}},
    }


def _incident_paths() -> dict[str, Any]:
    """Incidents: one per published file (core/catalog/incidents.py, web/api.py)."""
    return {
        "/incidents": {"get": {
            "summary": "Incidents (one per published file), most severe first", "operationId": "listIncidents",
            "parameters": [
                _param("status", "open (default), all, new, confirmed, dismissed, reported or removed", _STR),
                _param("severity", _SEVERITIES, _STR),
                _param("site", "Site id", _STR),
                _param("page", "Page, from 1", _INT),
                _param("per_page", "Incidents per page (1-200)", _INT),
            ],
            "responses": {"200": _json("#/components/schemas/IncidentList"),
                          "400": _json("#/components/schemas/Error", "Bad filter"), **_ERRORS},
        }},
        "/incidents/{incident_id}": {"get": {
            "summary": "One incident with its timeline and findings", "operationId": "getIncident",
            "parameters": [_param("incident_id", "Incident id", _INT, "path", True)],
            "responses": {"200": _json("#/components/schemas/Incident"),
                          "404": _json("#/components/schemas/Error", "No such incident"), **_ERRORS},
        }},
    }


_TIME = {"type": "string", "format": "date-time"}
_MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
INCIDENT_SCHEMAS: dict[str, Any] = {
    "Incident": {"type": "object", "properties": {
        "id": _INT, "site_id": {"type": ["string", "null"]}, "url": _STR,
        "status": {"type": "string", "enum": ["new", "confirmed", "dismissed", "reported", "removed"]},
        "severity": _STR, "assignee_id": {"type": ["integer", "null"]}, "assignee_name": {"type": ["string", "null"]},
        "capture_id": {"type": ["integer", "null"]}, "page_url": {"type": "string", "description": "The page "
                                                                  "that linked the file ('' when unknown)"},
        "page_capture_id": {"type": ["integer", "null"]}, "page_change_id": {"type": ["integer", "null"]},
        "first_seen": _TIME, "last_seen": _TIME, "alerted_at": _MAYBE_TIME,
        "alerted_severity": {"type": ["string", "null"]}, "triaged_at": _MAYBE_TIME, "reported_at": _MAYBE_TIME,
        "removed_at": _MAYBE_TIME, "reappeared_at": _MAYBE_TIME, "created_at": _TIME, "updated_at": _TIME,
        "finding_ids": {"type": "array", "items": _INT}, "link": _STR,
        "exposure_seconds": {"type": "number"}, "exposure": {"type": "string", "description": "e.g. 'online for "
                                                               "5 h 12 min'"},
        "timeline": {"type": "array", "items": {"type": "object"}},
        "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
    }},
    "IncidentList": {"type": "object", "properties": {
        "total": _INT, "page": _INT, "per_page": _INT, "pages": _INT,
        "incidents": {"type": "array", "items": {"$ref": "#/components/schemas/Incident"}},
    }},
}


def openapi_document() -> dict[str, Any]:
    finding_id = _param("finding_id", "Finding id", _INT, "path", True)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Spillwatch API", "version": __version__,
            "description": "Search archived captures, read findings and triage them. Authenticate with "
                           "`Authorization: Bearer <token>` (Users page or `spillwatch users token NAME`). "
                           "Viewers get masked data only; triage needs the analyst role.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            **_archive_paths(),
            "/search": {"get": {
                "summary": "Full-text search over every capture", "operationId": "search",
                "parameters": [
                    _param("q", "Words (all must match), \"phrases\", prefix*, -excluded", _STR),
                    _param("site", "Site id; repeat or comma-separate", _STR),
                    _param("media_type", "Media type, e.g. text/csv; repeatable", _STR),
                    _param("severity", f"{_SEVERITIES}; repeatable", _STR),
                    _param("has_finding", "yes or no", {"type": "string", "enum": ["yes", "no"]}),
                    _param("from", "Captured on or after (YYYY-MM-DD, UTC)", {"type": "string", "format": "date"}),
                    _param("to", "Captured on or before (YYYY-MM-DD, UTC)", {"type": "string", "format": "date"}),
                    _param("sort", "relevance, newest or oldest",
                           {"type": "string", "enum": ["relevance", "newest", "oldest"]}),
                    _param("page", "Page, from 1", _INT),
                    _param("per_page", "Hits per page (1-100)", _INT),
                ],
                "responses": {"200": _json("#/components/schemas/SearchResult"),
                              "400": _json("#/components/schemas/Error", "Bad argument"), **_ERRORS},
            }},
            "/captures/{capture_id}": {"get": {
                "summary": "One capture with its findings (and its text with text=1)", "operationId": "getCapture",
                "parameters": [
                    _param("capture_id", "Capture id", _INT, "path", True),
                    _param("text", "1: include the extracted text (masked when the capture has findings)", _STR),
                    _param("unmasked", "1: unmasked text (analysts; written to the audit log)", _STR),
                ],
                "responses": {"200": _json("#/components/schemas/Capture"),
                              "404": _json("#/components/schemas/Error", "No such capture"), **_ERRORS},
            }},
            **_incident_paths(),
            **disclosure_paths(),
            "/findings": {"get": {
                "summary": "The findings queue, most severe first", "operationId": "listFindings",
                "parameters": [
                    _param("status", "open (default), all, new, confirmed, dismissed, reported or removed", _STR),
                    _param("severity", _SEVERITIES, _STR),
                    _param("site", "Site id", _STR),
                    _param("kind", "person_table, hidden_content or failed_redaction", _STR),
                    _param("page", "Page, from 1", _INT),
                    _param("per_page", "Findings per page (1-200)", _INT),
                ],
                "responses": {"200": _json("#/components/schemas/FindingList"), **_ERRORS},
            }},
            "/findings/{finding_id}": {"get": {
                "summary": "One finding with its triage history", "operationId": "getFinding",
                "parameters": [finding_id],
                "responses": {"200": _json("#/components/schemas/Finding"),
                              "404": _json("#/components/schemas/Error", "No such finding"), **_ERRORS},
            }},
            "/findings/{finding_id}/triage": {"post": {
                "summary": "Change status, add a note, assign (analysts and admins)", "operationId": "triageFinding",
                "parameters": [finding_id],
                "requestBody": {"required": True, "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Triage"}}}},
                "responses": {"200": _json("#/components/schemas/Finding"),
                              "409": _json("#/components/schemas/Error", "Transition not allowed"), **_ERRORS},
            }},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "properties": {"error": _STR, "message": _STR}},
                "Segment": {"type": "object", "properties": {"text": _STR, "matched": {"type": "boolean"}}},
                "Hit": {"type": "object", "properties": {
                    "id": _STR, "url": _STR, "site": _STR, "media_type": _STR,
                    "captured_at": {"type": "string", "format": "date-time"}, "title": _STR,
                    "has_finding": {"type": "boolean"}, "severity": {"type": ["string", "null"]},
                    "capture_id": {"type": ["integer", "null"]}, "score": {"type": "number"},
                    "highlights": {"type": "array", "items": {"type": "array", "items": {
                        "$ref": "#/components/schemas/Segment"}}},
                }},
                "SearchResult": {"type": "object", "properties": {
                    "total": _INT, "total_exact": {"type": "boolean", "description": "false: total is a lower "
                                                   "bound (counting stopped there)"},
                    "ranked_among": {"type": ["integer", "null"], "description": "set when hits and facets come "
                                     "from this many most recently indexed matches only (search_rank_window)"},
                    "page": _INT, "per_page": _INT, "pages": _INT,
                    "facets": {"type": "object", "additionalProperties": {"type": "object",
                                                                          "additionalProperties": _INT}},
                    "hits": {"type": "array", "items": {"$ref": "#/components/schemas/Hit"}},
                }},
                "Capture": {"type": "object", "properties": {
                    "id": _INT, "site_id": {"type": ["string", "null"]}, "url": _STR,
                    "captured_at": {"type": "string", "format": "date-time"}, "record_type": _STR,
                    "status": {"type": ["integer", "null"]}, "media_type_declared": _STR,
                    "media_type_sniffed": _STR, "payload_digest": _STR, "title": _STR,
                    "has_findings": {"type": "boolean"}, "content_capture_id": _INT,
                    "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                    "text": _STR, "text_masked": {"type": "boolean"},
                }},
                "Finding": {"type": "object", "properties": {
                    "id": _INT, "capture_id": _INT, "site_id": {"type": ["string", "null"]}, "url": _STR,
                    "kind": _STR, "severity": _STR, "score": {"type": "number"}, "rows": _INT, "locator": _STR,
                    "columns": {"type": "array", "items": {"type": "object"}},
                    "reasons": {"type": "array", "items": _STR},
                    "sample": {"type": "array", "items": {"type": "array", "items": _STR},
                               "description": "Already masked"},
                    "status": {"type": "string", "enum": ["new", "confirmed", "dismissed", "reported", "removed"]},
                    "assignee_id": {"type": ["integer", "null"]},
                    "first_seen": {"type": "string", "format": "date-time"},
                    "last_seen": {"type": "string", "format": "date-time"},
                    "removed_at": {"type": ["string", "null"], "format": "date-time"},
                    "exposure_seconds": {"type": ["number", "null"]},
                    "history": {"type": "array", "items": {"type": "object"}},
                }},
                **INCIDENT_SCHEMAS,
                "FindingList": {"type": "object", "properties": {
                    "total": _INT, "page": _INT, "per_page": _INT,
                    "findings": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                }},
                "Triage": {"type": "object", "additionalProperties": False, "properties": {
                    "status": {"type": "string", "enum": ["new", "confirmed", "dismissed", "reported", "removed"]},
                    "note": {"type": "string", "description": "Required when dismissing (the reason)"},
                    "removed_at": {"type": "string", "format": "date-time",
                                   "description": "When the file went offline (status removed); default now"},
                    "assignee_id": {"type": ["integer", "null"]},
                }},
            },
        },
    }
