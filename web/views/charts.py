"""The charts as SVG images (``web/charts.py``): findings over time, crawl activity per site."""

from __future__ import annotations

from flask import Blueprint, abort
from werkzeug.wrappers import Response

from web.charts import bar_svg, crawl_activity, findings_per_day
from web.state import state

bp = Blueprint("charts", __name__)

# the chart's own inline style may apply; nothing else loads or runs (its pygal config script included)
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"


def svg_response(body: bytes) -> Response:
    response = Response(body, content_type="image/svg+xml; charset=utf-8")
    response.headers["Content-Security-Policy"] = SVG_POLICY
    return response


@bp.route("/charts/findings.svg")
def findings_chart() -> Response:
    with state().engine.connect() as conn:
        return svg_response(bar_svg(findings_per_day(conn)))


@bp.route("/charts/sites/<site_id>/crawls.svg")
def crawls_chart(site_id: str) -> Response:
    web = state()
    with web.engine.connect() as conn:
        series = crawl_activity(conn, site_id)
    if not series.total and not any(s.id == site_id for s in web.config.sites):
        abort(404, description=f"No site {site_id!r} in the config or the recent crawl history.")
    return svg_response(bar_svg(series))
