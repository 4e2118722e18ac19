"""Incidents in the UI: the list (filters severity/status/site, paging) and an incident's page —
the file URL, the page that linked it and its diff, the capture and the replay, the timeline with
durations in words, the findings grouped by kind with masked samples, and triage of the incident."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Connection, select
from werkzeug.wrappers import Response

from alerts.content import KIND_LABELS
from core.catalog import incidents as store
from core.catalog.incident_timeline import exposure, timeline
from core.catalog.schema import INCIDENT_STATUSES, captures, changes, findings, incidents
from web.auth import require_role
from web.state import state
from web.triage import ACTION_LABELS
from web.views.captures import replayable
from web.views.findings import assignable

bp = Blueprint("incidents", __name__)

PER_PAGE = 25


@bp.app_template_filter("exposure_words")
def exposure_words(incident: store.Incident) -> str:
    """"online for 5 h 12 min", "online for at least …, not seen removed yet" or "seen once, …"."""
    return exposure(incident)[1]


def kind_label(kind: str) -> str:
    """"Table of people", "Hidden content", … (the short form of the alert's label)."""
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()).split(" (")[0]


def list_filters(args: Any) -> dict[str, str]:
    """status (open, all or one status), severity and site from the query string; 400 when bad."""
    filters = {"status": args.get("status", "open"), "severity": args.get("severity", ""),
               "site": args.get("site", "")}
    if filters["status"] not in ("open", "all", *INCIDENT_STATUSES):
        abort(400, description=f"status: expected open, all or one of {', '.join(INCIDENT_STATUSES)}")
    return filters


def page_of(conn: Connection, filters: dict[str, str], page: int, per_page: int = PER_PAGE) -> store.IncidentPage:
    try:
        return store.list_incidents(conn, status=filters["status"], severity=filters["severity"],
                                    site_id=filters["site"], page=page, per_page=per_page)
    except ValueError as exc:
        abort(400, description=str(exc))


@bp.route("/incidents")
def index() -> str:
    filters = list_filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with state().engine.connect() as conn:
        result = page_of(conn, filters, page)
        sites = sorted(s for s in conn.execute(select(incidents.c.site_id).distinct()).scalars() if s)
        kinds: dict[int, list[str]] = {}
        ids = [i.id for i in result.items]
        if ids:
            for incident_id, kind in conn.execute(select(findings.c.incident_id, findings.c.kind)
                                                  .where(findings.c.incident_id.in_(ids)).distinct()):
                kinds.setdefault(int(incident_id), []).append(kind_label(str(kind)))
    return render_template("incidents.html", result=result, filters=filters, sites=sites, kinds=kinds,
                           statuses=INCIDENT_STATUSES)


def _grouped(conn: Connection, incident_id: int) -> list[dict[str, Any]]:
    """The incident's findings grouped by kind, worst first: [{kind, label, findings: [...]}]."""
    rows = [dict(r) for r in conn.execute(select(findings).where(findings.c.incident_id == incident_id)
                                          .order_by(findings.c.id)).mappings()]
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(str(row["kind"]), {"kind": row["kind"], "label": kind_label(str(row["kind"])),
                                                     "findings": []})
        group["findings"].append(row)
    return list(groups.values())


def _links(conn: Connection, incident: store.Incident) -> dict[str, Any]:
    """The capture of the file (and whether it replays), the linking page's capture and its diff."""
    capture = None
    if incident.capture_id is not None:
        row = conn.execute(select(captures).where(captures.c.id == incident.capture_id)).mappings().first()
        capture = dict(row) if row is not None else None
    diff = None
    if incident.page_change_id is not None:
        change = conn.execute(select(changes.c.capture_id, changes.c.previous_capture_id)
                              .where(changes.c.id == incident.page_change_id)).first()
        if change is not None and change.capture_id is not None and change.previous_capture_id is not None:
            diff = url_for("captures.diff", capture_id=change.capture_id, to=change.previous_capture_id)
    return {"capture": capture, "replayable": capture is not None and replayable(capture), "page_diff": diff}


def page_data(incident_id: int) -> dict[str, Any]:
    with state().engine.connect() as conn:
        line = timeline(conn, incident_id)
        if line is None:
            abort(404, description=f"No incident {incident_id}.")
        data = {"incident": line.incident, "timeline": line, "groups": _grouped(conn, incident_id),
                "people": assignable(conn), **_links(conn, line.incident)}
    data.update(next_states=store.TRANSITIONS.get(line.incident.status, ()), labels=ACTION_LABELS)
    return data


@bp.route("/incidents/<int:incident_id>")
def show(incident_id: int) -> str:
    return render_template("incident.html", **page_data(incident_id))


def _after(incident_id: int, error: str = "") -> Response | tuple[str, int] | str:
    """htmx gets the triage panel back; a plain form post is redirected to the incident's page."""
    if request.headers.get("HX-Request") == "true":
        return render_template("partials/incident_triage.html", error=error, **page_data(incident_id)), \
            (422 if error else 200)
    if error:
        flash(error, "error")
    return redirect(url_for("incidents.show", incident_id=incident_id))


def _when(raw: str) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise store.TriageError(f"{raw!r} is not a time; expected YYYY-MM-DDTHH:MM (UTC)") from None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _exists(conn: Connection, incident_id: int) -> None:
    if store.get_incident(conn, incident_id) is None:
        abort(404, description=f"No incident {incident_id}.")


@bp.route("/incidents/<int:incident_id>/status", methods=["POST"])
@require_role("analyst")
def set_status(incident_id: int) -> Any:
    try:
        when = _when(request.form.get("removed_at", ""))
        with state().engine.begin() as conn:
            _exists(conn, incident_id)
            store.set_status(conn, incident_id, request.form.get("status", ""), current_user.id,
                             request.form.get("note", ""), removed_at=when)
    except store.TriageError as exc:
        return _after(incident_id, str(exc))
    return _after(incident_id)


@bp.route("/incidents/<int:incident_id>/note", methods=["POST"])
@require_role("analyst")
def note(incident_id: int) -> Any:
    try:
        with state().engine.begin() as conn:
            _exists(conn, incident_id)
            store.add_note(conn, incident_id, current_user.id, request.form.get("note", ""))
    except store.TriageError as exc:
        return _after(incident_id, str(exc))
    return _after(incident_id)


@bp.route("/incidents/<int:incident_id>/assign", methods=["POST"])
@require_role("analyst")
def set_assignee(incident_id: int) -> Any:
    raw = request.form.get("assignee", "")
    try:
        assignee = None if raw in ("", "none") else int(raw)
    except ValueError:
        return _after(incident_id, "assignee: not a user")
    try:
        with state().engine.begin() as conn:
            _exists(conn, incident_id)
            store.assign(conn, incident_id, assignee, current_user.id)
    except store.TriageError as exc:
        return _after(incident_id, str(exc))
    return _after(incident_id)
