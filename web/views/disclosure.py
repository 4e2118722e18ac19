"""An incident's disclosure page (docs/disclosure.md): where to report and the message (masked), the
reports made, the removal watch and exposure, copies in public archives, the evidence packages and
the printable report.  Actions need the analyst role; downloading a package (it holds the original
file) is audited like any download of an original."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from core.catalog.incidents import Incident, get_incident
from disclosure import actions, notify, removal_watch
from disclosure.mirrors import SweepResult
from disclosure.overview import evidence_dir, overview
from disclosure.package import capture_rows, gather, render_report
from disclosure.signing import SigningError
from disclosure.timestamping import TimestampError
from indexer.wacz_export import ExportError
from web.audit import record_now
from web.auth import require_role
from web.state import state

bp = Blueprint("disclosure", __name__)
_PACKAGE_NAME = re.compile(r"^incident-\d+-\d{8}T\d{6}Z\.wacz$")


def _load(incident_id: int) -> Incident:
    with state().engine.connect() as conn:
        incident = get_incident(conn, incident_id)
    if incident is None:
        abort(404, description=f"no incident {incident_id}")
    return incident


@bp.route("/incidents/<int:incident_id>/disclosure")
@require_role("viewer")
def page(incident_id: int) -> str:
    incident = _load(incident_id)
    web = state()
    with web.engine.connect() as conn:
        info = overview(conn, web.config, incident)
        message = notify.draft(conn, web.config, incident_id)
    return render_template("disclosure.html", incident=incident, info=info, draft=message)


@bp.route("/incidents/<int:incident_id>/disclosure/report", methods=["POST"])
@require_role("analyst")
def report(incident_id: int) -> Response:
    _load(incident_id)
    web = state()
    recipients = [a.strip() for a in request.form.get("to", "").split(",") if a.strip()]
    method = request.form.get("method", "email")
    try:
        with web.engine.begin() as conn:
            message = notify.draft(conn, web.config, incident_id)
            if method == "by_hand":
                notify.record_by_hand(conn, message, recipients, current_user.id, request.form.get("note", ""))
            else:
                notify.send_email(conn, web.config, message, recipients, current_user.id)
        flash("Reported: the incident is now 'reported'.", "ok")
    except notify.NotifyError as exc:
        flash(str(exc), "error")
    return redirect(url_for("disclosure.page", incident_id=incident_id))


def _sweep_message(results: list[SweepResult]) -> str:
    return "; ".join(f"{r.archive}: {'error — ' + r.error if r.error else f'{len(r.copies)} cop(ies)'}"
                     for r in results)


@bp.route("/incidents/<int:incident_id>/disclosure/sweep", methods=["POST"])
@require_role("analyst")
def sweep(incident_id: int) -> Response:
    incident = _load(incident_id)
    web = state()
    try:
        with web.engine.begin() as conn:
            flash(_sweep_message(actions.sweep(conn, web.config, incident, current_user.id)), "ok")
    except ValueError as exc:
        flash(str(exc), "error")
    return redirect(url_for("disclosure.page", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/disclosure/evidence", methods=["POST"])
@require_role("analyst")
def evidence(incident_id: int) -> Response:
    incident = _load(incident_id)
    web = state()
    try:
        with web.engine.begin() as conn:
            summary = actions.evidence(conn, web.config, incident, current_user.id)
        flash(f"Evidence package {summary.path.name} written and signed"
              + (", time-stamped." if summary.stamped_at else " (not time-stamped: set evidence_tsa_url)."), "ok")
    except (SigningError, TimestampError, ExportError, LookupError) as exc:
        flash(str(exc), "error")
    return redirect(url_for("disclosure.page", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/disclosure/evidence/<name>")
@require_role("analyst")
def download(incident_id: int, name: str) -> Any:
    if not _PACKAGE_NAME.match(name):
        abort(404)
    path = evidence_dir(state().config, incident_id) / name
    if not path.is_file():
        abort(404)
    record_now(state().engine, current_user.id, "download", f"evidence:{incident_id}", {"package": name})
    return send_file(path, mimetype="application/wacz+zip", as_attachment=True, download_name=name)


@bp.route("/incidents/<int:incident_id>/disclosure/watch/stop", methods=["POST"])
@require_role("analyst")
def stop_watch(incident_id: int) -> Response:
    _load(incident_id)
    with state().engine.begin() as conn:
        removal_watch.stop(conn, incident_id, current_user.id, datetime.now(UTC))
    flash("The removal watch is stopped.", "ok")
    return redirect(url_for("disclosure.page", incident_id=incident_id))


@bp.route("/incidents/<int:incident_id>/report.html")
@require_role("viewer")
def printable(incident_id: int) -> Response:
    """The printable report (masked; print styles): the same page the evidence package holds."""
    incident = _load(incident_id)
    web = state()
    with web.engine.connect() as conn:
        try:
            ctx = gather(conn, web.config, incident.url, title=f"Incident {incident.id}: {incident.url}",
                         incident_id=incident.id)
        except LookupError as exc:
            abort(404, description=str(exc))
        html = render_report(ctx, capture_rows(conn, ctx.subject.capture_ids))
    response = Response(html, content_type="text/html; charset=utf-8")
    # its own styles are inline (the same file goes into evidence packages, standalone); no script at all
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'"
    return response

