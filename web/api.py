"""JSON API ``/api/v1``: search, captures, findings (read) and triage (write).

Authentication is by API token only (``Authorization: Bearer sw_…``, issued on the Users page or by
``spillwatch users token NAME``); the session cookie is not accepted here, which is why the API needs
no CSRF token.  Roles apply as in the UI: viewers read masked data and cannot triage.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, abort, g, jsonify, request
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.catalog import incidents as incident_store
from core.catalog.incident_timeline import timeline
from core.catalog.schema import FINDING_STATUSES, findings
from core.errors import ServiceUnavailable
from indexer.search.budget import SearchTooBroad
from web import accounts, memento
from web.accounts import Account
from web.archive import ArchiveError, content_capture, extract, get_capture, has_findings, read_payload
from web.audit import record_flagged_search, record_now
from web.openapi import openapi_document
from web.policy import shown_text, snippet_masked
from web.search_args import SearchArgsError, parse_search_args
from web.state import state
from web.triage import TriageError, add_note, assign, exposure, history, transition
from web.views.findings import queue

bp = Blueprint("api", __name__, url_prefix="/api/v1")

PUBLIC = frozenset({"api.openapi"})
memento.register(bp)  # /cdx, /timemap/link/<url>, /timegate/<url>: pywb's CDX API and Memento


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _json_row(row: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: _iso(row[k]) for k in keys if k in row}


CAPTURE_KEYS = ("id", "site_id", "url", "captured_at", "record_type", "status", "media_type_declared",
                "media_type_sniffed", "payload_digest", "title", "content_length", "crawl_id")
FINDING_KEYS = ("id", "capture_id", "site_id", "url", "kind", "severity", "score", "rows", "locator", "columns",
                "reasons", "sample", "status", "assignee_id", "first_seen", "last_seen", "removed_at",
                "reappeared_at")


def user() -> Account:
    found: Account = g.api_account
    return found


@bp.before_request
def _authenticate() -> Response | None:
    if request.endpoint in PUBLIC:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        response = jsonify(error="Unauthorized", message="send 'Authorization: Bearer <API token>'")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="spillwatch"'
        return response
    with state().engine.connect() as conn:
        account = accounts.by_token(conn, token.strip())
    if account is None:
        response = jsonify(error="Unauthorized", message="unknown, revoked or disabled API token")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="spillwatch", error="invalid_token"'
        return response
    g.api_account = account
    return None


def _require(role: str) -> None:
    if not user().at_least(role):
        abort(403, description=f"this needs the {role} role")


@bp.route("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document())


@bp.route("/search")
def search() -> Any:
    try:
        query = parse_search_args(request.args)
    except SearchArgsError as exc:
        return jsonify(error="Bad Request", message=str(exc)), 400
    query = replace(query, masked=not user().at_least("analyst"))
    try:
        result = state().search().search(query)
    except SearchTooBroad as exc:  # the time budget or the prefix limit (indexer/search/budget.py)
        return jsonify(error="Search Too Broad", message=str(exc)), 422
    except ServiceUnavailable as exc:
        return jsonify(error="Service Unavailable", message=str(exc)), 503
    if not query.masked and query.text.strip():
        record_flagged_search(state().engine, user().id, result.hits, "api_search")
    from matcher.masking import mask_text

    hits = []
    for hit in result.hits:
        masked = snippet_masked(hit.has_finding, hit.media_type, user().at_least("analyst"))
        hits.append({
            "id": hit.id, "url": hit.url, "site": hit.site, "media_type": hit.media_type,
            "captured_at": hit.captured_at.isoformat(), "title": hit.title, "has_finding": hit.has_finding,
            "severity": hit.severity, "capture_id": hit.capture_id, "score": hit.score,
            "highlights": [[{"text": mask_text(t) if masked else t, "matched": m} for t, m in fragment]
                           for fragment in hit.highlights],
        })
    return jsonify(total=result.total, total_exact=result.total_exact, ranked_among=result.ranked_among,
                   page=result.page, per_page=result.per_page, pages=result.pages, facets=result.facets, hits=hits)


@bp.route("/captures/<int:capture_id>")
def capture(capture_id: int) -> Any:
    web = state()
    with_text = request.args.get("text") == "1"
    unmasked = request.args.get("unmasked") == "1"
    if unmasked:
        _require("analyst")
    with web.engine.connect() as conn:
        row = get_capture(conn, capture_id)
        if row is None:
            abort(404, description=f"no capture {capture_id}")
        source = content_capture(conn, row)
        sensitive = has_findings(conn, source)
        found = conn.execute(select(findings).where(
            (findings.c.capture_id == source["id"]) | (findings.c.payload_digest == source["payload_digest"]))
        ).mappings().all()
    body = _json_row(row, CAPTURE_KEYS)
    body["content_capture_id"] = source["id"]
    body["has_findings"] = sensitive
    body["findings"] = [_json_row(dict(f), FINDING_KEYS) for f in found]
    if with_text:
        try:
            extracted = extract(source, read_payload(source, web.settings.data_path))
        except ArchiveError as exc:
            return jsonify(error="Bad Gateway", message=str(exc)), 502
        body["text"], body["text_masked"] = shown_text(
            extracted.text, media_type=extracted.media_type, has_tables=bool(extracted.tables),
            cells_masked=extracted.viewer_text, sensitive=sensitive, can_unmask=user().at_least("analyst"),
            unmasked=unmasked)
        if unmasked:
            record_now(web.engine, user().id, "api_view_unmasked", f"capture:{capture_id}", {"url": row["url"]})
    return jsonify(body)


@bp.route("/findings")
def findings_list() -> Any:
    status = request.args.get("status", "open")
    if status not in (*FINDING_STATUSES, "open", "all"):
        return jsonify(error="Bad Request", message=f"status: expected open, all or one of "
                                                      f"{', '.join(FINDING_STATUSES)}"), 400
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = min(200, max(1, request.args.get("per_page", 50, type=int) or 50))
    filters = {"status": status, "severity": request.args.get("severity", ""), "site": request.args.get("site", ""),
               "kind": request.args.get("kind", ""), "assignee": ""}
    with state().engine.connect() as conn:
        rows, total = queue(conn, filters, page, per_page)
    return jsonify(total=total, page=page, per_page=per_page,
                   findings=[_json_row(r, FINDING_KEYS) for r in rows])


def _finding_body(finding_id: int) -> dict[str, Any]:
    with state().engine.connect() as conn:
        row = conn.execute(select(findings).where(findings.c.id == finding_id)).mappings().first()
        if row is None:
            abort(404, description=f"no finding {finding_id}")
        events = history(conn, finding_id)
    body = _json_row(dict(row), FINDING_KEYS)
    body["exposure_seconds"] = exposure(row)
    body["history"] = [{"at": _iso(e["at"]), "user": e["user_name"], "event": e["event"],
                        "from_status": e["from_status"], "to_status": e["to_status"], "note": e["note"]}
                       for e in events]
    return body


@bp.route("/findings/<int:finding_id>")
def finding(finding_id: int) -> Any:
    return jsonify(_finding_body(finding_id))


@bp.route("/findings/<int:finding_id>/triage", methods=["POST"])
def triage(finding_id: int) -> Any:
    """``{"status": "confirmed", "note": "...", "removed_at": "ISO time", "assignee_id": 3}``; any subset."""
    _require("analyst")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify(error="Bad Request", message="send a JSON object, e.g. {\"status\": \"confirmed\"}"), 400
    unknown = set(data) - {"status", "note", "removed_at", "assignee_id"}
    if unknown:
        return jsonify(error="Bad Request", message=f"unknown fields: {', '.join(sorted(unknown))}"), 400
    note = data.get("note") or ""
    if not isinstance(note, str):
        return jsonify(error="Bad Request", message="note: expected text"), 400
    try:
        removed_at = datetime.fromisoformat(data["removed_at"]) if data.get("removed_at") else None
        with state().engine.begin() as conn:
            if conn.execute(select(findings.c.id).where(findings.c.id == finding_id)).first() is None:
                abort(404, description=f"no finding {finding_id}")
            if "assignee_id" in data:
                raw = data["assignee_id"]
                if raw is not None and not isinstance(raw, int):
                    raise TriageError("assignee_id: expected a user id or null")
                assign(conn, finding_id, raw, user().id)
            if data.get("status"):
                transition(conn, finding_id, str(data["status"]), user().id, note, removed_at)
            elif note:
                add_note(conn, finding_id, user().id, note)
    except (TriageError, ValueError, TypeError) as exc:
        return jsonify(error="Conflict", message=str(exc)), 409
    return jsonify(_finding_body(finding_id))


def _incident_summary(incident: incident_store.Incident) -> dict[str, Any]:
    body = incident.to_dict()
    body.pop("key", None)
    body["link"] = f"/incidents/{incident.id}"
    return body


@bp.route("/incidents")
def incidents_list() -> Any:
    """Incidents (one per published file), worst first: filters status, severity, site; paging."""
    page = max(1, request.args.get("page", 1, type=int) or 1)
    per_page = min(200, max(1, request.args.get("per_page", 50, type=int) or 50))
    try:
        with state().engine.connect() as conn:
            result = incident_store.list_incidents(
                conn, status=request.args.get("status", "open"), severity=request.args.get("severity", ""),
                site_id=request.args.get("site", ""), page=page, per_page=per_page)
    except ValueError as exc:
        return jsonify(error="Bad Request", message=str(exc)), 400
    return jsonify(total=result.total, page=result.page, per_page=result.per_page, pages=result.pages,
                   incidents=[_incident_summary(i) for i in result.items])


@bp.route("/incidents/<int:incident_id>")
def incident(incident_id: int) -> Any:
    """One incident: its fields, exposure in seconds and words, timeline (milestones and history with
    times since first seen) and its findings (samples already masked)."""
    with state().engine.connect() as conn:
        line = timeline(conn, incident_id)
        if line is None:
            abort(404, description=f"no incident {incident_id}")
        rows = conn.execute(select(findings).where(findings.c.incident_id == incident_id)
                            .order_by(findings.c.id)).mappings().all()
    body = _incident_summary(line.incident)
    body.update(exposure_seconds=line.exposure_seconds, exposure=line.exposure_words, timeline=[
        {"event": s.event, "milestone": s.milestone, "at": _iso(s.at), "label": s.label,
         "after_first_seen_seconds": s.after_first_seen, "after_first_seen": s.after_words, "user": s.user_name,
         "note": s.note, "from_status": s.from_status, "to_status": s.to_status} for s in line.steps],
        findings=[_json_row(dict(r), FINDING_KEYS) for r in rows])
    return jsonify(body)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    csrf: CSRFProtect = app.extensions["csrf"]
    csrf.exempt(bp)
