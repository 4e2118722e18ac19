"""Alert deliveries: the outbox, failures and dead letters, and retry."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from alerts.outbox import retry
from core.catalog.schema import DELIVERY_STATES, deliveries
from web.alert_preview import message_preview
from web.auth import require_role
from web.state import state

bp = Blueprint("alerts", __name__)

PER_PAGE = 50


@bp.route("/alerts")
def index() -> str:
    status = request.args.get("status", "")
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = select(deliveries).order_by(deliveries.c.id.desc())
    count = select(func.count()).select_from(deliveries)
    if status == "failing":
        query = query.where(deliveries.c.status.in_(("failed", "dead")))
        count = count.where(deliveries.c.status.in_(("failed", "dead")))
    elif status in DELIVERY_STATES:
        query = query.where(deliveries.c.status == status)
        count = count.where(deliveries.c.status == status)
    web = state()
    with web.engine.connect() as conn:
        rows = conn.execute(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).mappings().all()
        previews = {r["id"]: message_preview(conn, web.config, r["finding_id"], r["event"]) for r in rows}
        total = conn.execute(count).scalar_one()
        by_status: dict[str, int] = dict(conn.execute(select(deliveries.c.status, func.count())
                                      .group_by(deliveries.c.status)).all())
    return render_template("alerts.html", rows=rows, previews=previews, total=total, page=page,
                           pages=max(1, -(-total // PER_PAGE)),
                           status=status, by_status=by_status, states=DELIVERY_STATES)


@bp.route("/alerts/retry", methods=["POST"])
@require_role("analyst")
def retry_deliveries() -> Response:
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit()]
    all_failed = request.form.get("all_failed") == "1"
    if not ids and not all_failed:
        flash("Select deliveries to retry.", "error")
        return redirect(url_for("alerts.index", status="failing"))
    with state().engine.begin() as conn:
        chosen = retry(conn, ids=ids or None, all_failed=all_failed and not ids)
    flash(f"{len(chosen)} delivery(ies) queued again; the dispatcher sends them shortly." if chosen
          else "Nothing to retry: only failed, dead or pending deliveries can be retried.")
    return redirect(url_for("alerts.index", status="failing"))
