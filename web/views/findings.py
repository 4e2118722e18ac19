"""The findings queue and a finding's page: triage, notes, assignment (the forms of
:mod:`web.triage_panel`, acting on the finding's incident), history, bulk actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Connection, case, func, select
from werkzeug.wrappers import Response

from core.catalog.incident_timeline import exposure as incident_exposure
from core.catalog.incidents import get_incident
from core.catalog.schema import FINDING_STATUSES, captures, findings, users
from core.models import Severity
from web.auth import require_role
from web.state import state
from web.triage import ACTION_LABELS, bulk_transition, exposure, history, incident_of
from web.triage_panel import Panel, add_routes, assignable, finding_history
from web.views.captures import replayable

bp = Blueprint("findings", __name__)

PER_PAGE = 50
OPEN = ("new", "confirmed", "reported")
SEVERITY_ORDER = case({s.name: s.value for s in Severity}, value=findings.c.severity, else_=0)


def _filters(args: Any) -> dict[str, str]:
    status = args.get("status", "open")
    if status not in (*FINDING_STATUSES, "open", "all"):
        abort(400, description=f"status: expected open, all or one of {', '.join(FINDING_STATUSES)}")
    return {"status": status, "severity": args.get("severity", ""), "site": args.get("site", ""),
            "kind": args.get("kind", ""), "assignee": args.get("assignee", "")}


def queue(conn: Connection, filters: dict[str, str], page: int, per_page: int = PER_PAGE,
          user_id: int | None = None) -> tuple[list[dict[str, Any]], int]:
    query = select(findings, users.c.name.label("assignee_name")).select_from(
        findings.outerjoin(users, users.c.id == findings.c.assignee_id))
    conditions: list[ColumnElement[bool]] = []
    if filters["status"] == "open":
        conditions.append(findings.c.status.in_(OPEN))
    elif filters["status"] != "all":
        conditions.append(findings.c.status == filters["status"])
    for name, column in (("severity", findings.c.severity), ("site", findings.c.site_id), ("kind", findings.c.kind)):
        if filters.get(name):
            conditions.append(column == filters[name])
    if filters.get("assignee") == "me" and user_id is not None:
        conditions.append(findings.c.assignee_id == user_id)
    elif filters.get("assignee") == "none":
        conditions.append(findings.c.assignee_id.is_(None))
    total = conn.execute(select(func.count()).select_from(findings).where(*conditions)).scalar_one()
    rows = conn.execute(query.where(*conditions).order_by(SEVERITY_ORDER.desc(), findings.c.last_seen.desc(),
                                                          findings.c.id.desc())
                        .limit(per_page).offset((page - 1) * per_page)).mappings()
    return [dict(r) for r in rows], int(total)


@bp.route("/findings")
def index() -> str:
    filters = _filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with state().engine.connect() as conn:
        rows, total = queue(conn, filters, page, user_id=current_user.id)
        sites = sorted(s for s in conn.execute(select(findings.c.site_id).distinct()).scalars() if s)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("findings.html", rows=rows, total=total, page=page, pages=pages, filters=filters,
                           sites=sites, statuses=FINDING_STATUSES, labels=ACTION_LABELS)


def load(conn: Connection, finding_id: int) -> dict[str, Any]:
    row = conn.execute(select(findings, users.c.name.label("assignee_name"))
                       .select_from(findings.outerjoin(users, users.c.id == findings.c.assignee_id))
                       .where(findings.c.id == finding_id)).mappings().first()
    if row is None:
        abort(404, description=f"No finding {finding_id}.")
    return dict(row)


def _panel(conn: Connection, finding: dict[str, Any]) -> Panel:
    """The triage panel of a finding's page: it acts on the finding's incident; its history is the
    finding's."""
    return Panel(page="findings", id_arg="finding_id", subject_id=int(finding["id"]), status=str(finding["status"]),
                 assignee_id=finding["assignee_id"], assignee_name=finding["assignee_name"],
                 people=assignable(conn), history=finding_history(history(conn, int(finding["id"]))))


def _page_data(finding_id: int) -> dict[str, Any]:
    with state().engine.connect() as conn:
        finding = load(conn, finding_id)
        capture = conn.execute(select(captures).where(captures.c.id == finding["capture_id"])).mappings().first()
        panel = _panel(conn, finding)
        incident = get_incident(conn, finding["incident_id"]) if finding.get("incident_id") else None
    return {"finding": finding, "capture": capture, "incident": incident, "panel": panel,
            "incident_exposure": incident_exposure(incident)[1] if incident is not None else "",
            "exposure": exposure(finding), "replayable": capture is not None and replayable(dict(capture))}


@bp.route("/findings/<int:finding_id>")
def show(finding_id: int) -> str:
    return render_template("finding.html", **_page_data(finding_id))


def _incident(conn: Connection, finding_id: int) -> int:
    """The incident the finding's triage acts on; 404 when there is no such finding."""
    load(conn, finding_id)
    return incident_of(conn, finding_id)


def _panel_of(conn: Connection, finding_id: int) -> Panel:
    return _panel(conn, load(conn, finding_id))


add_routes(bp, "/findings/<int:finding_id>", "finding_id", _incident, _panel_of)


@bp.route("/findings/bulk", methods=["POST"])
@require_role("analyst")
def bulk() -> Response:
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    action = request.form.get("status", "")
    back = request.form.get("back", "")
    target = back if back.startswith("/findings") and not back.startswith("//") else url_for("findings.index")
    if not ids:
        flash("Select at least one finding.", "error")
        return redirect(target)
    if action not in ACTION_LABELS:
        flash("Choose an action.", "error")
        return redirect(target)
    with state().engine.begin() as conn:
        outcome = bulk_transition(conn, ids, action, current_user.id, request.form.get("note", ""))
    if outcome.changed:
        flash(f"{len(outcome.changed)} finding(s) now {action}.")
    for finding_id, reason in sorted(outcome.skipped.items()):
        flash(f"#{finding_id} skipped: {reason}", "error")
    return redirect(target)
