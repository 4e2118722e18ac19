"""Dashboard: open findings worst first, changes worth a look, findings over time, crawl health, alert
failures."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from core.catalog.schema import deliveries
from indexer.warc_files import failed_files
from web.charts import findings_per_day
from web.crawl_health import site_health
from web.dashboard_feed import changes_worth_a_look, open_findings
from web.state import state

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index() -> str:
    web = state()
    with web.engine.connect() as conn:
        leading = open_findings(conn)
        recent = changes_worth_a_look(conn)
        per_day = findings_per_day(conn)
        failures = conn.execute(
            select(deliveries).where(deliveries.c.status.in_(("failed", "dead")))
            .order_by(deliveries.c.id.desc()).limit(5)).mappings().all()
        failure_count = conn.execute(
            select(func.count()).select_from(deliveries)
            .where(deliveries.c.status.in_(("failed", "dead")))).scalar_one()
        health = site_health(conn, web.config.sites)
        failed_count, failed = failed_files(conn)
    return render_template("dashboard.html", leading=leading, recent=recent, per_day=per_day, failures=failures,
                           failure_count=failure_count, health=health, failed_files=failed,
                           failed_files_count=failed_count)
