"""Pictures of the archive, drawn on the server as SVG by pygal (a maintained charting library; no
JavaScript: the charts are images, so the UI's script policy stays ``'self'``).

Each chart comes with the figures it draws (:class:`Series`), which the pages also show as a table for
screen readers and for copying.  The SVG is served by :mod:`web.views.charts` with its own
Content-Security-Policy: pygal styles the chart with an inline ``<style>`` and always adds a small
configuration ``<script>`` (for its optional tooltips), which never runs: the chart is shown through
``<img>``, and its policy allows no script at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pygal
from pygal.style import Style
from sqlalchemy import Connection, func, select

from core.catalog.schema import crawls, findings
from core.models import Severity

COLOURS = {"critical": "#b42318", "high": "#d9480f", "medium": "#b7791f", "low": "#4a6fa5",
           "full": "#1f5fbf", "watch": "#8aa4c8", "adhoc": "#6c4ab6"}
STYLE = Style(background="#ffffff", plot_background="#ffffff", foreground="#1d2430", foreground_strong="#1d2430",
              foreground_subtle="#667085", font_family="system-ui, sans-serif", label_font_size=11,
              major_label_font_size=11, legend_font_size=12, title_font_size=14, no_data_font_size=16, opacity=".9",
              opacity_hover="1", colors=("#1f5fbf",))


@dataclass
class Series:
    """Counts per day for each named series (the same days for all)."""

    title: str
    days: list[date]
    values: dict[str, list[int]]

    @property
    def total(self) -> int:
        return sum(sum(v) for v in self.values.values())


def _day(value: datetime) -> date:
    return (value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)).date()


def _days(today: date, span: int) -> list[date]:
    return [today - timedelta(days=span - 1 - i) for i in range(span)]


def _bucket(rows: list[tuple[str, datetime]], names: tuple[str, ...], days: list[date],
            weights: list[int] | None = None) -> dict[str, list[int]]:
    counts: Counter[tuple[str, date]] = Counter()
    for i, (name, when) in enumerate(rows):
        counts[(name, _day(when))] += weights[i] if weights else 1
    return {name: [counts[(name, day)] for day in days] for name in names}


def window_end(latest: datetime | None, today: date, span: int) -> date:
    """The last day shown: today, or the day of the latest event when it is older than the window (an
    archive of past events still shows them rather than an empty month)."""
    if latest is None:
        return today
    last = _day(latest)
    return today if last > today - timedelta(days=span) else last


def findings_per_day(conn: Connection, today: date | None = None, span: int = 30) -> Series:
    """Findings first seen each day of ``span`` days, by severity (worst first)."""
    latest = conn.execute(select(func.max(findings.c.first_seen))).scalar()
    days = _days(window_end(latest, today or datetime.now(UTC).date(), span), span)
    since = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC)
    rows = [(str(sev), when) for sev, when in conn.execute(
        select(findings.c.severity, findings.c.first_seen).where(findings.c.first_seen >= since)).all()]
    return Series("Findings first seen per day", days, _bucket(rows, Severity.names(worst_first=True), days))


def crawl_activity(conn: Connection, site_id: str, today: date | None = None, span: int = 30) -> Series:
    """Crawls of a site started each day, by kind (full crawls, watch polls, ad-hoc fetches)."""
    latest = conn.execute(select(func.max(crawls.c.started_at)).where(crawls.c.site_id == site_id)).scalar()
    days = _days(window_end(latest, today or datetime.now(UTC).date(), span), span)
    since = datetime.combine(days[0], datetime.min.time(), tzinfo=UTC)
    rows = [(str(kind), when) for kind, when in conn.execute(
        select(crawls.c.kind, crawls.c.started_at).where(crawls.c.site_id == site_id, crawls.c.started_at >= since))]
    return Series(f"Crawls of {site_id} per day", days, _bucket(rows, ("full", "watch", "adhoc"), days))


def bar_svg(series: Series, *, width: int = 760, height: int = 260) -> bytes:
    """A stacked bar chart of ``series`` as a standalone SVG document (no script)."""
    shown = {name: values for name, values in series.values.items() if any(values)}
    colours = tuple(COLOURS.get(name, "#1f5fbf") for name in shown) or ("#1f5fbf",)
    chart = pygal.StackedBar(width=width, height=height, style=Style(**{**STYLE.to_dict(), "colors": colours}),
                             js=[], show_legend=bool(shown), legend_at_bottom=True, legend_at_bottom_columns=4,
                             x_label_rotation=0, show_minor_x_labels=False, x_labels_major_every=7,
                             truncate_label=-1, print_values=False, min_scale=1, max_scale=6,
                             no_data_text="nothing in these days", explicit_size=True)
    if shown:  # counts: whole numbers on the axis (pygal draws "nothing in these days" without series)
        highest = max(sum(day) for day in zip(*shown.values(), strict=True))
        step = max(1, -(-highest // 5))
        chart.y_labels = list(range(0, highest + step, step))
    chart.title = series.title
    chart.x_labels = [day.strftime("%d %b") for day in series.days]
    for name, values in shown.items():
        chart.add(name, [v or None for v in values])
    return bytes(chart.render())
