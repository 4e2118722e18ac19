"""Dashboard: new findings by severity, recent significant changes, crawl health, alert failures."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, or_, select

from core.catalog.schema import changes, deliveries, findings
from indexer.warc_files import failed_files
from web.crawl_health import site_health
from web.state import state

bp = Blueprint("dashboard", __name__)

SIGNIFICANT = 0.2
RECENT = 15


@bp.route("/")
def index() -> str:
    web = state()
    with web.engine.connect() as conn:
        by_severity: dict[str, int] = dict(conn.execute(
            select(findings.c.severity, func.count()).where(findings.c.status == "new")
            .group_by(findings.c.severity)).all())
        recent = conn.execute(
            select(changes).where(changes.c.kind != "unchanged",
                                  or_(changes.c.significance >= SIGNIFICANT,
                                      changes.c.kind.in_(("new", "removed", "reappeared", "new_document_linked"))))
            .order_by(changes.c.detected_at.desc(), changes.c.id.desc()).limit(RECENT)).mappings().all()
        failures = conn.execute(
            select(deliveries).where(deliveries.c.status.in_(("failed", "dead")))
            .order_by(deliveries.c.id.desc()).limit(5)).mappings().all()
        failure_count = conn.execute(
            select(func.count()).select_from(deliveries)
            .where(deliveries.c.status.in_(("failed", "dead")))).scalar_one()
        health = site_health(conn, web.config.sites)
        failed_count, failed = failed_files(conn)
    return render_template("dashboard.html", by_severity=by_severity, recent=recent, failures=failures,
                           failure_count=failure_count, health=health, failed_files=failed,
                           failed_files_count=failed_count)
