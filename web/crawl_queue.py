""""Crawl now": queue a full crawl in the catalog's crawl queue, which the service's crawl worker runs
(the same queue the scheduler fills, so a crawl already queued or running is not queued twice)."""

from __future__ import annotations

from sqlalchemy import Engine

from spillwatch.service.schedule import enqueue_crawl
from web.state import CrawlTrigger


def queue_trigger(engine: Engine) -> CrawlTrigger:
    def trigger(site_id: str) -> str:
        if enqueue_crawl(engine, site_id, "full"):
            return (f"Crawl of {site_id} queued; the service (spillwatch run) starts it within seconds and "
                    "indexes what it finds.")
        return f"A crawl of {site_id} is already queued or running."

    return trigger
