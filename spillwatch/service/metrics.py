"""Prometheus metrics, read from the catalog at scrape time.

A custom collector on a registry of its own (no process-global default registry): the catalog is
the source of truth, so a restarted service reports the same counts and nothing is lost between
scrapes.  Only counts and durations: no URL, name or value from an archived file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from core.catalog import schema as s
from core.timestamps import as_utc
from disclosure.metrics import DisclosureCollector
from indexer.warc_files import failure_kind

LATENCY_BUCKETS = (5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 900.0, 3600.0)


class CatalogCollector(Collector):
    def __init__(self, engine: Engine, site_ids: list[str]) -> None:
        self.engine = engine
        self.site_ids = site_ids

    def collect(self) -> Iterator[Metric]:
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            crawls = CounterMetricFamily("spillwatch_crawls", "Crawls by site, kind and status",
                                         labels=["site", "kind", "status"])
            for site, kind, status, n in conn.execute(
                select(s.crawls.c.site_id, s.crawls.c.kind, s.crawls.c.status, func.count())
                .group_by(s.crawls.c.site_id, s.crawls.c.kind, s.crawls.c.status)
            ):
                crawls.add_metric([site or "", kind, status], n)
            yield crawls

            captures = CounterMetricFamily("spillwatch_captures", "Archived captures by record type",
                                           labels=["record_type"])
            for record_type, n in conn.execute(
                select(s.captures.c.record_type, func.count()).group_by(s.captures.c.record_type)
            ):
                captures.add_metric([record_type], n)
            yield captures

            findings = GaugeMetricFamily("spillwatch_findings", "Findings by kind, severity and triage status",
                                         labels=["kind", "severity", "status"])
            for kind, severity, status, n in conn.execute(
                select(s.findings.c.kind, s.findings.c.severity, s.findings.c.status, func.count())
                .group_by(s.findings.c.kind, s.findings.c.severity, s.findings.c.status)
            ):
                findings.add_metric([kind, severity, status], n)
            yield findings

            deliveries = GaugeMetricFamily("spillwatch_alert_deliveries", "Alert deliveries by notifier and state",
                                           labels=["notifier", "status"])
            for notifier, status, n in conn.execute(
                select(s.deliveries.c.notifier, s.deliveries.c.status, func.count())
                .group_by(s.deliveries.c.notifier, s.deliveries.c.status)
            ):
                deliveries.add_metric([notifier, status], n)
            yield deliveries

            queues = GaugeMetricFamily("spillwatch_queue_depth", "Work waiting: WARC files to index, alerts to "
                                       "send, crawls queued", labels=["queue"])
            queues.add_metric(["warc_files"], conn.execute(
                select(func.count()).where(s.warc_files.c.status.in_(("pending", "indexing")))).scalar_one())
            queues.add_metric(["deliveries"], conn.execute(
                select(func.count()).select_from(s.deliveries)
                .where(s.deliveries.c.status.in_(("pending", "sending", "failed")))).scalar_one())
            queues.add_metric(["crawls"], conn.execute(
                select(func.count()).select_from(s.crawls).where(s.crawls.c.status == "queued")).scalar_one())
            queues.add_metric(["fetches"], conn.execute(
                select(func.count()).select_from(s.fetches).where(s.fetches.c.status.in_(("queued", "fetching")))
            ).scalar_one())
            yield queues

            fetch_rows = GaugeMetricFamily("spillwatch_fetches", "Documents of the fetch queue (watch-page bursts) "
                                           "by state: queued, fetching, fetched, given_up", labels=["status"])
            for status, n in conn.execute(select(s.fetches.c.status, func.count()).group_by(s.fetches.c.status)):
                fetch_rows.add_metric([status], n)
            yield fetch_rows

            retries = GaugeMetricFamily("spillwatch_crawl_retries", "Full crawls failed by a WARC write error (disk "
                                        "full), by retry state: waiting (for its time and free space), queued, "
                                        "done, given_up", labels=["status"])
            for status, n in conn.execute(select(s.crawl_retries.c.status, func.count())
                                          .group_by(s.crawl_retries.c.status)):
                retries.add_metric([status], n)
            yield retries

            files = GaugeMetricFamily("spillwatch_warc_files", "WARC files by indexing status (failed: given up "
                                      "after index_max_attempts; the dashboard shows why)", labels=["status"])
            for status, n in conn.execute(select(s.warc_files.c.status, func.count())
                                          .group_by(s.warc_files.c.status)):
                files.add_metric([status], n)
            yield files
            failed = GaugeMetricFamily("spillwatch_warc_files_failed", "WARC files given up, by reason: "
                                       "unreadable, internal_error (a bug) or stalled (runs killed)",
                                       labels=["reason"])
            reasons: dict[str, int] = {}
            for (failure,) in conn.execute(select(s.warc_files.c.failure).where(s.warc_files.c.status == "failed")):
                kind = failure_kind(failure or "")
                reasons[kind] = reasons.get(kind, 0) + 1
            for kind, n in sorted(reasons.items()):
                failed.add_metric([kind], n)
            yield failed

            age = GaugeMetricFamily("spillwatch_last_crawl_age_seconds", "Seconds since the last finished crawl "
                                    "of each site (absent: never crawled)", labels=["site"])
            last = dict(conn.execute(
                select(s.crawls.c.site_id, func.max(s.crawls.c.finished_at))
                .where(s.crawls.c.status == "finished").group_by(s.crawls.c.site_id)
            ).all())
            for site in self.site_ids:
                if last.get(site) is not None:
                    age.add_metric([site], (now - as_utc(last[site])).total_seconds())
            yield age

            latency = [
                (as_utc(sent) - as_utc(first)).total_seconds()
                for sent, first in conn.execute(
                    select(s.deliveries.c.sent_at, s.findings.c.first_seen)
                    .join(s.findings, s.findings.c.id == s.deliveries.c.finding_id)
                    .where(s.deliveries.c.status == "sent", s.deliveries.c.event.in_(("new", "reappeared")))
                )
                if sent is not None and first is not None
            ]
        yield _histogram("spillwatch_publish_to_alert_seconds",
                         "Time from a finding's first capture to its alert being sent", latency)


def _histogram(name: str, documentation: str, values: list[float]) -> HistogramMetricFamily:
    buckets: list[tuple[str, float]] = []
    for bound in LATENCY_BUCKETS:
        buckets.append((str(bound), float(sum(1 for v in values if v <= bound))))
    buckets.append(("+Inf", float(len(values))))
    return HistogramMetricFamily(name, documentation, buckets=buckets, sum_value=sum(values))


class ServiceCollector(Collector):
    """What only the running service knows: crawls paused for disk space, free space, crashed workers."""

    def __init__(self, paused: str, free: dict[str, int], degraded: dict[str, str]) -> None:
        self.paused, self.free, self.degraded = paused, free, degraded

    def collect(self) -> Iterator[Metric]:
        paused = GaugeMetricFamily("spillwatch_crawls_paused", "1 while crawls and fetches are paused because "
                                   "free disk space is below min_free_disk (see /healthz for why)")
        paused.add_metric([], 1.0 if self.paused else 0.0)
        yield paused
        free = GaugeMetricFamily("spillwatch_disk_free_bytes", "Free bytes of each disk the service writes to",
                                 labels=["path"])
        for path, n in sorted(self.free.items()):
            free.add_metric([path], float(n))
        yield free
        workers = GaugeMetricFamily("spillwatch_workers_degraded", "Workers that crashed and were restarted "
                                    "(1 each; /healthz says why)", labels=["worker"])
        for name in sorted(self.degraded):
            workers.add_metric([name], 1.0)
        yield workers


def metrics_text(engine: Engine, site_ids: list[str], service: ServiceCollector | None = None,
                 *extra: Collector) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(CatalogCollector(engine, site_ids))
    registry.register(DisclosureCollector(engine))  # exposure windows, removal watches (docs/disclosure.md)
    if service is not None:
        registry.register(service)
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)
