"""Configured sites: schedules, crawl history and errors, and "crawl now"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import Connection, func, select
from werkzeug.wrappers import Response

from core.catalog.schema import crawls
from core.errors import SpillwatchError
from web.auth import require_role
from web.charts import crawl_activity
from web.crawl_health import site_health
from web.crawl_queue import service_running
from web.state import state

bp = Blueprint("sites", __name__)

CRAWLS_PER_PAGE = 50
CRAWL_KINDS = ("full", "watch", "adhoc")
CRAWL_STATES = ("running", "finished", "failed", "killed")


@bp.route("/sites")
def index() -> str:
    web = state()
    with web.engine.connect() as conn:
        health = site_health(conn, web.config.sites)
    return render_template("sites.html", health=health, service_up=service_running(web.engine))


def crawl_filters(args: Any) -> dict[str, str]:
    """``kind`` (full, watch, adhoc) and ``status`` of the crawl list; anything else is refused by name."""
    chosen = {"kind": args.get("kind", ""), "status": args.get("status", "")}
    for name, allowed in (("kind", CRAWL_KINDS), ("status", CRAWL_STATES)):
        if chosen[name] and chosen[name] not in allowed:
            abort(400, description=f"{name}: expected one of {', '.join(allowed)}")
    return chosen


def crawl_history(conn: Connection, site_id: str, filters: dict[str, str], page: int
                  ) -> tuple[list[dict[str, Any]], int, dict[str, int]]:
    """(one page of the site's crawls, newest first; how many match; counts per kind over all crawls)."""
    conditions = [crawls.c.site_id == site_id]
    conditions += [crawls.c[name] == value for name, value in filters.items() if value]
    total = conn.execute(select(func.count()).select_from(crawls).where(*conditions)).scalar_one()
    rows = conn.execute(select(crawls).where(*conditions).order_by(crawls.c.id.desc())
                        .limit(CRAWLS_PER_PAGE).offset((page - 1) * CRAWLS_PER_PAGE)).mappings()
    kinds: dict[str, int] = dict(conn.execute(select(crawls.c.kind, func.count()).where(crawls.c.site_id == site_id)
                              .group_by(crawls.c.kind)).all())
    return [dict(r) for r in rows], int(total), {str(k): int(n) for k, n in kinds.items()}


@bp.route("/sites/<site_id>")
def show(site_id: str) -> str:
    web = state()
    site = next((s for s in web.config.sites if s.id == site_id), None)
    filters = crawl_filters(request.args)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    with web.engine.connect() as conn:
        history, total, kinds = crawl_history(conn, site_id, filters, page)
        health = [h for h in site_health(conn, web.config.sites) if h.site_id == site_id]
        activity = crawl_activity(conn, site_id)
    if site is None and not kinds:
        abort(404, description=f"No site {site_id!r} in the config or the crawl history.")
    return render_template("site.html", site=site, site_id=site_id, history=history, total=total, kinds=kinds,
                           filters=filters, page=page, pages=max(1, -(-total // CRAWLS_PER_PAGE)),
                           activity=activity, kind_choices=CRAWL_KINDS, status_choices=CRAWL_STATES,
                           health=health[0] if health else None, service_up=service_running(web.engine))


@bp.route("/sites/<site_id>/crawl", methods=["POST"])
@require_role("analyst")
def crawl_now(site_id: str) -> Response:
    web = state()
    if not any(s.id == site_id for s in web.config.sites):
        abort(404, description=f"No site {site_id!r} in the config.")
    try:
        flash(web.crawl_now(site_id))
    except SpillwatchError as exc:
        flash(f"Crawl of {site_id} not queued: {exc}", "error")
    return redirect(url_for("sites.show", site_id=site_id))
