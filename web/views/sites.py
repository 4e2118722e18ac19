"""Configured sites: schedules, crawl history and errors, and "crawl now"."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.catalog.schema import crawls
from core.errors import SpillwatchError
from web.auth import require_role
from web.crawl_health import site_health
from web.crawl_queue import service_running
from web.state import state

bp = Blueprint("sites", __name__)


@bp.route("/sites")
def index() -> str:
    web = state()
    with web.engine.connect() as conn:
        health = site_health(conn, web.config.sites)
    return render_template("sites.html", health=health, service_up=service_running(web.engine))


@bp.route("/sites/<site_id>")
def show(site_id: str) -> str:
    web = state()
    site = next((s for s in web.config.sites if s.id == site_id), None)
    with web.engine.connect() as conn:
        history: list[dict[str, Any]] = [dict(r) for r in conn.execute(
            select(crawls).where(crawls.c.site_id == site_id).order_by(crawls.c.id.desc()).limit(100)).mappings()]
        health = [h for h in site_health(conn, web.config.sites) if h.site_id == site_id]
    if site is None and not history:
        abort(404, description=f"No site {site_id!r} in the config or the crawl history.")
    return render_template("site.html", site=site, site_id=site_id, history=history,
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
