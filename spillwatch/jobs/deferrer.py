"""The scheduler side of ``queue: procrastinate``: ``spillwatch run`` defers jobs and runs none.

The APScheduler jobs keep requesting crawls in the catalog's ``crawls`` table as with the embedded
queue (:mod:`spillwatch.service.schedule`); this loop, one thread of the service, turns that state
into procrastinate jobs every ``POLL_SECONDS``:

- each ``queued`` crawl row → a crawl job (queueing lock ``crawl:<id>``: deferred once);
- WARC files pending in the catalog (or put in a site's folder by another tool) without a waiting
  or running index job → an index job;
- sites with newly linked documents due in the fetch queue → a burst job;
- a dispatch job every ``DISPATCH_SECONDS`` (retries of deliveries fall due by time), maintenance
  hourly.

Everything it reads lives in the catalog, so a restarted scheduler (or another one taking the lease)
defers what is missing and nothing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError

from core.catalog import schema as s
from core.config import Config
from spillwatch.jobs import tasks

log = logging.getLogger("spillwatch.jobs")

POLL_SECONDS = 1.0
INDEX_SWEEP_SECONDS = 5.0
DISPATCH_SECONDS = 10.0
MAINTENANCE_SECONDS = 3600.0


class Deferrer:
    def __init__(self, engine: Engine, config: Config, stop: threading.Event) -> None:
        self.engine = engine
        self.config = config
        self.stop = stop
        self.app = tasks.build_app(config.settings)  # a SQLite catalog is refused here, with the fix
        self.next_at = {"index": 0.0, "dispatch": 0.0, "maintenance": time.monotonic() + 60.0}

    def run(self) -> None:
        with self.app.open():
            while not self.stop.is_set():
                self.round()
                self.stop.wait(POLL_SECONDS)

    def round(self) -> dict[str, int]:
        """One pass; returns how many jobs of each kind were deferred."""
        deferred = {"crawl": 0, "index": 0, "burst": 0, "dispatch": 0, "maintenance": 0}
        with self.engine.connect() as conn:
            queued = conn.execute(select(s.crawls.c.id, s.crawls.c.site_id).where(s.crawls.c.status == "queued")
                                  .order_by(s.crawls.c.kind.desc(), s.crawls.c.id)).all()
        for crawl_id, site_id in queued:
            deferred["crawl"] += tasks.defer_crawl(self.app, int(crawl_id), str(site_id))
        from spillwatch.service import fetches

        with self.engine.connect() as conn:
            due_sites = fetches.due_sites(conn, datetime.now(UTC))
        for site_id in due_sites:
            deferred["burst"] += tasks.defer_burst(self.app, site_id)
        now = time.monotonic()
        if now >= self.next_at["index"]:
            self.next_at["index"] = now + INDEX_SWEEP_SECONDS
            for path in self.pending_without_job():
                deferred["index"] += tasks.defer_index(self.app, path)
        if now >= self.next_at["dispatch"]:
            self.next_at["dispatch"] = now + DISPATCH_SECONDS
            deferred["dispatch"] += tasks.defer_dispatch(self.app)
        if now >= self.next_at["maintenance"]:
            self.next_at["maintenance"] = now + MAINTENANCE_SECONDS
            deferred["maintenance"] += tasks.defer_maintenance(self.app)
        return deferred

    def pending_without_job(self) -> list[str]:
        """Pending WARC files that no index job is waiting for or running (a crawl job defers its own)."""
        from indexer.warc_files import pending_paths, sync_folder

        with self.engine.connect() as conn:
            crawling = set(conn.execute(select(s.crawls.c.site_id).where(s.crawls.c.status == "running")).scalars())
        for site in self.config.sites:
            if site.id in crawling:  # a running crawl registers its own files when it ends
                continue
            try:
                with self.engine.begin() as conn:
                    found = sync_folder(conn, self.config.settings.data_path / "crawls" / site.id / "warcs")
            except IntegrityError:  # a crawl that just ended registered the same file: taken next round
                continue
            if found:
                log.info("%d new or changed WARC file(s) in the %s folder", found, site.id)
        with self.engine.begin() as conn:
            pending = pending_paths(conn)
            busy = set(conn.execute(text(
                "SELECT args->>'path' FROM procrastinate_jobs WHERE task_name = :task "
                "AND status IN ('todo', 'doing')"), {"task": tasks.INDEX}).scalars())
            # sites a crawl or burst job is working on: that job publishes and hands on its own files
            working = {str(lock).removeprefix("site:") for lock in conn.execute(text(
                "SELECT DISTINCT lock FROM procrastinate_jobs WHERE status = 'doing' AND lock LIKE 'site:%'"))
                .scalars()}
            site_of = dict(conn.execute(select(s.warc_files.c.path, s.crawls.c.site_id).join(
                s.crawls, s.crawls.c.id == s.warc_files.c.crawl_id).where(s.warc_files.c.path.in_(pending))).all()
                ) if pending else {}
            crawling |= set(conn.execute(select(s.crawls.c.site_id).where(s.crawls.c.status == "running")).scalars())
        return [p for p in pending if p not in busy and site_of.get(p) not in working | crawling]
