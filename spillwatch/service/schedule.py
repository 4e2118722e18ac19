"""Turn the config's schedules into APScheduler jobs whose job store is the catalog database.

Scheduled jobs do one small, idempotent thing: they *request* work by inserting a ``queued`` row in
the catalog's ``crawls`` table (unless the same site and kind is already queued or running).  The
service's worker picks queued rows up and runs them.  The same queue serves the UI's "crawl now",
a restart finds queued work where it left it, and the job functions need no reference to a live
service object (persistent APScheduler jobs can only name module-level functions).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine, func, select

from core.catalog import schema as s
from core.catalog.db import create_catalog_engine
from core.config import Config, Site
from core.settings import parse_duration
from core.timestamps import as_utc
from crawler.queue import enqueue_crawl

JOBSTORE_TABLE = "apscheduler_jobs"


def request_crawl(catalog_url: str, site_id: str, kind: str, seeds: list[str]) -> bool:
    """Queue a crawl of ``seeds`` of ``site_id`` unless the same crawl is already queued or running.

    Module-level, with plain arguments, because APScheduler stores a reference to it in the catalog.
    """
    engine = create_catalog_engine(catalog_url)
    try:
        return enqueue_crawl(engine, site_id, kind, seeds)
    finally:
        engine.dispose()


def last_full_crawls(engine: Engine) -> dict[str, datetime]:
    """When each site's latest full crawl started (queued, running or done)."""
    with engine.connect() as conn:
        rows = conn.execute(select(s.crawls.c.site_id, func.max(s.crawls.c.started_at))
                            .where(s.crawls.c.kind == "full").group_by(s.crawls.c.site_id)).all()
    return {site: as_utc(at) for site, at in rows if site and at}


def site_trigger(site: Site) -> CronTrigger | IntervalTrigger | None:
    if site.schedule is None:
        return None
    if site.schedule.cron is not None:
        return CronTrigger.from_crontab(site.schedule.cron, timezone=UTC)
    assert site.schedule.interval is not None
    return IntervalTrigger(seconds=parse_duration(site.schedule.interval), timezone=UTC)


def build_scheduler(engine: Engine, catalog_url: str, config: Config) -> BackgroundScheduler:
    """A scheduler with one job per site schedule and one per watch page, stored in the catalog.

    Jobs are re-added with ``replace_existing`` on every start, so the config stays the source of
    truth; the next run of an interval schedule is computed from the site's last full crawl in the
    catalog (a site never crawled starts at once), so restarts keep the rhythm; jobs of sites removed
    from the config are deleted.
    """
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        timezone=UTC,
    )
    scheduler.start(paused=True)
    wanted: set[str] = set()
    last_full = last_full_crawls(engine)
    now = datetime.now(UTC)
    for site in config.sites:
        trigger = site_trigger(site)
        if trigger is not None:
            job_id = f"crawl:{site.id}"
            wanted.add(job_id)
            extra: dict[str, Any] = {}
            previous = last_full.get(site.id)
            if previous is None:
                extra["next_run_time"] = now  # never crawled: the first full crawl starts at once
            elif isinstance(trigger, IntervalTrigger):  # keep the rhythm across restarts
                extra["next_run_time"] = max(now, previous + trigger.interval)
            scheduler.add_job(request_crawl, trigger, id=job_id, replace_existing=True,
                              args=[catalog_url, site.id, "full", list(site.seeds)], name=f"full crawl of {site.id}",
                              **extra)
        for page in site.watch_pages:
            job_id = f"watch:{site.id}:{page.url}"
            wanted.add(job_id)
            scheduler.add_job(request_crawl, IntervalTrigger(seconds=parse_duration(page.interval), timezone=UTC),
                              id=job_id, replace_existing=True, args=[catalog_url, site.id, "watch", [page.url]],
                              name=f"watch {page.url}", next_run_time=datetime.now(UTC))
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            job.remove()
    return scheduler
