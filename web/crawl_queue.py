""""Crawl now": queue a full crawl in the catalog's crawl queue, which the service's crawl worker runs
(the same queue the scheduler fills, so a crawl already queued or running is not queued twice)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from core.catalog.schema import service_leases
from crawler.queue import enqueue_crawl
from web.state import CrawlTrigger

# The service renews its lease every few seconds; older than this, no service is running.
SERVICE_FRESH = timedelta(seconds=60)


def service_running(engine: Engine, now: datetime | None = None) -> bool:
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        beat = conn.execute(select(service_leases.c.heartbeat_at)
                            .where(service_leases.c.name == "scheduler")).scalar()
    if beat is None:
        return False
    beat = beat.replace(tzinfo=UTC) if beat.tzinfo is None else beat
    return now - beat < SERVICE_FRESH


def queue_trigger(engine: Engine) -> CrawlTrigger:
    def trigger(site_id: str) -> str:
        if not enqueue_crawl(engine, site_id, "full"):
            return f"A crawl of {site_id} is already queued or running."
        if service_running(engine):
            return f"Crawl of {site_id} queued; the service starts it within seconds and indexes what it finds."
        return (f"Crawl of {site_id} queued, but no service is running: it starts when `spillwatch run` does "
                "(this UI alone does not crawl).")

    return trigger
