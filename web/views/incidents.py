"""Incidents in the UI: the list (filters severity/status/site, paging) and an incident's page —
the file URL, the page that linked it and its diff, the capture and the replay, the timeline with
durations in words, the findings grouped by kind with masked samples, and triage of the incident (the
forms of :mod:`web.triage_panel`)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import Connection, select

from alerts.content import KIND_LABELS
from core.catalog import incidents as store
from core.catalog.incident_timeline import Timeline, exposure, timeline
from core.catalog.schema import INCIDENT_STATUSES, captures, changes, findings, incidents
from web.state import state
from web.triage_panel import Panel, add_routes, assignable, incident_history
from web.views.captures import replayable

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


SCOPE = "One status for the whole file: it applies to every finding in it."


def _panel(conn: Connection, line: Timeline) -> Panel:
    """The triage panel of an incident's page, with the incident's history."""
    incident = line.incident
    return Panel(page="incidents", id_arg="incident_id", subject_id=incident.id, status=incident.status,
                 assignee_id=incident.assignee_id, assignee_name=incident.assignee_name, people=assignable(conn),
                 history=incident_history(line), scope=SCOPE)


def _timeline(conn: Connection, incident_id: int) -> Timeline:
    line = timeline(conn, incident_id)
    if line is None:
        abort(404, description=f"No incident {incident_id}.")
    return line


def page_data(incident_id: int) -> dict[str, Any]:
    with state().engine.connect() as conn:
        line = _timeline(conn, incident_id)
        return {"incident": line.incident, "timeline": line, "groups": _grouped(conn, incident_id),
                "panel": _panel(conn, line), **_links(conn, line.incident)}


@bp.route("/incidents/<int:incident_id>")
def show(incident_id: int) -> str:
    return render_template("incident.html", **page_data(incident_id))


def _exists(conn: Connection, incident_id: int) -> int:
    """The incident itself (its triage acts on it); 404 when there is no such incident."""
    if store.get_incident(conn, incident_id) is None:
        abort(404, description=f"No incident {incident_id}.")
    return incident_id


def _panel_of(conn: Connection, incident_id: int) -> Panel:
    return _panel(conn, _timeline(conn, incident_id))


add_routes(bp, "/incidents/<int:incident_id>", "incident_id", _exists, _panel_of)
