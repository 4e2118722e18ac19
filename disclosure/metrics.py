"""Prometheus metrics of the disclosure workflow, read from the catalog at scrape time (registered by
spillwatch/service/metrics.py): exposure windows, removal watches, reports, mirror copies.  Counts
and durations only — no URL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from core.catalog.schema import disclosure_reports, incidents, mirror_copies, removal_watches
from core.timestamps import as_utc

EXPOSURE_BUCKETS = (300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 86400.0, 259200.0, 604800.0)


class DisclosureCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(select(incidents.c.severity, incidents.c.first_seen, removal_watches.c.removed_at,
                                       removal_watches.c.status)
                                .join(removal_watches, removal_watches.c.incident_id == incidents.c.id)).all()
            reports = conn.execute(select(disclosure_reports.c.method, disclosure_reports.c.status, func.count())
                                   .group_by(disclosure_reports.c.method, disclosure_reports.c.status)).all()
            copies = conn.execute(select(mirror_copies.c.archive, func.count())
                                  .group_by(mirror_copies.c.archive)).all()
        closed: dict[str, list[float]] = {}
        online = GaugeMetricFamily("spillwatch_exposure_online_seconds", "Longest time a watched file of each "
                                   "severity has been online and not seen removed (from its first capture)",
                                   labels=["severity"])
        longest: dict[str, float] = {}
        watches: dict[str, int] = {}
        for severity, first_seen, removed_at, status in rows:
            watches[status] = watches.get(status, 0) + 1
            if removed_at is not None:
                closed.setdefault(severity, []).append((as_utc(removed_at) - as_utc(first_seen)).total_seconds())
            elif status == "watching":
                longest[severity] = max(longest.get(severity, 0.0), (now - as_utc(first_seen)).total_seconds())
        for severity, seconds in sorted(longest.items()):
            online.add_metric([severity], seconds)
        yield online
        histogram = HistogramMetricFamily("spillwatch_exposure_window_seconds", "Exposure windows of removed "
                                          "files: first capture to first capture without it", labels=["severity"])
        for severity, values in sorted(closed.items()):
            buckets = [(str(b), float(sum(1 for v in values if v <= b))) for b in EXPOSURE_BUCKETS]
            histogram.add_metric([severity], [*buckets, ("+Inf", float(len(values)))], sum(values))
        yield histogram
        gauge = GaugeMetricFamily("spillwatch_removal_watches", "Removal watches by status", labels=["status"])
        for status, n in sorted(watches.items()):
            gauge.add_metric([status], n)
        yield gauge
        sent = CounterMetricFamily("spillwatch_disclosure_reports", "Reports to publishers by method and outcome",
                                   labels=["method", "status"])
        for method, status, n in reports:
            sent.add_metric([method, status], n)
        yield sent
        found = GaugeMetricFamily("spillwatch_mirror_copies", "Copies found in public archives", labels=["archive"])
        for archive, n in copies:
            found.add_metric([archive], n)
        yield found
