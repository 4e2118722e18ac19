"""Prometheus metrics of the job queue (``queue: procrastinate``), read from procrastinate's tables
in the catalog at scrape time, like the other metrics (:mod:`spillwatch.service.metrics`): queue
depth by queue and status, job durations and failures by task, live workers."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Engine, text

from spillwatch.jobs.tasks import QUEUES
from spillwatch.jobs.worker import STALLED_SECONDS

DURATION_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)
RECENT_JOBS = 10_000  # durations are taken from the latest jobs, not the whole history


class QueueCollector(Collector):
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        with self.engine.connect() as conn:
            depth = GaugeMetricFamily("spillwatch_jobs", "Jobs in the queue by queue and status (todo: waiting)",
                                      labels=["queue", "status"])
            seen = set()
            for queue, status, n in conn.execute(text(
                    "SELECT queue_name, status::text, count(*) FROM procrastinate_jobs GROUP BY 1, 2")):
                depth.add_metric([queue, status], n)
                seen.add((queue, status))
            for queue in QUEUES:  # an empty queue still has a series, at 0
                if (queue, "todo") not in seen:
                    depth.add_metric([queue, "todo"], 0)
            yield depth

            failures = CounterMetricFamily("spillwatch_job_failures", "Failed job runs by task (retried or final)",
                                           labels=["task", "final"])
            for task, kind, n in conn.execute(text(
                    "SELECT j.task_name, e.type::text, count(*) FROM procrastinate_events e "
                    "JOIN procrastinate_jobs j ON j.id = e.job_id "
                    "WHERE e.type IN ('deferred_for_retry', 'failed') GROUP BY 1, 2")):
                failures.add_metric([task, "true" if kind == "failed" else "false"], n)
            yield failures

            durations: dict[str, list[float]] = {}
            for task, seconds in conn.execute(text(
                    "SELECT j.task_name, EXTRACT(EPOCH FROM ("
                    "max(e.at) FILTER (WHERE e.type IN ('succeeded', 'failed')) "
                    "- max(e.at) FILTER (WHERE e.type = 'started'))) FROM procrastinate_jobs j "
                    "JOIN procrastinate_events e ON e.job_id = j.id WHERE j.status IN ('succeeded', 'failed') "
                    "AND j.id > (SELECT coalesce(max(id), 0) FROM procrastinate_jobs) - :recent "
                    "GROUP BY j.id, j.task_name"), {"recent": RECENT_JOBS}):
                if seconds is not None:
                    durations.setdefault(task, []).append(max(0.0, float(seconds)))
            histogram = HistogramMetricFamily("spillwatch_job_duration_seconds", "Run time of finished jobs by task",
                                              labels=["task"])
            for task, values in sorted(durations.items()):
                buckets = [(str(b), float(sum(1 for v in values if v <= b))) for b in DURATION_BUCKETS]
                buckets.append(("+Inf", float(len(values))))
                histogram.add_metric([task], buckets, sum(values))
            yield histogram

            workers = conn.execute(text(
                "SELECT count(*) FROM procrastinate_workers WHERE last_heartbeat > now() - make_interval(secs => :s)"),
                {"s": STALLED_SECONDS}).scalar_one()
            yield GaugeMetricFamily("spillwatch_workers", "Workers whose heartbeat is recent", value=workers)
