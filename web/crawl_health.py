"""Crawl health per site: the last crawl, its outcome and when the next one is due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import Connection, case, func, select

from core.catalog.schema import crawl_retries, crawls
from core.config import Schedule, Site
from core.settings import parse_duration


@dataclass
class WatchPolls:
    """Polls of a site's watch pages: how many in all, since when, the last one and its failures."""

    polls: int
    first: datetime | None
    last: datetime | None
    failed: int

    def __str__(self) -> str:
        return f"{self.polls} watch poll{'' if self.polls == 1 else 's'}"


@dataclass
class SiteHealth:
    site_id: str
    name: str
    schedule: str
    last_crawl: dict[str, Any] | None
    next_run: datetime | None
    # a full crawl failed by a WARC write error: its retry (status, attempts, next_attempt_at, last_error)
    retry: dict[str, Any] | None = None
    watch: WatchPolls | None = None  # the watch pages' polls (not full crawls), when there are any

    @property
    def retry_note(self) -> str:
        """What the crawl health says about a retry, or ""."""
        if self.retry is None:
            return ""
        attempts = self.retry["attempts"]
        if self.retry["status"] == "given_up":
            return f"write error retries given up after {attempts} attempt(s); next scheduled run as usual"
        if self.retry["status"] == "queued":
            return f"failed by a write error ({attempts} attempt(s)); run again now"
        due = _utc(self.retry["next_attempt_at"])
        return (f"failed by a write error ({attempts} attempt(s)); run again from {due:%Y-%m-%d %H:%M} UTC "
                "once free disk space is above min_free_disk")

    @property
    def state(self) -> str:
        if self.last_crawl is None:
            return "never"
        return str(self.last_crawl["status"])


def describe(schedule: Schedule | None, watched: int = 0) -> str:
    if schedule is None:
        return f"full crawls manual; {watched} watch page{'' if watched == 1 else 's'}" if watched else "manual"
    if schedule.cron:
        return f"cron {schedule.cron}"
    return f"every {schedule.interval}"


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def next_run(schedule: Schedule | None, last_started: datetime | None, now: datetime) -> datetime | None:
    if schedule is None:
        return None
    if schedule.cron:
        trigger = CronTrigger.from_crontab(schedule.cron, timezone=UTC)
        fire: datetime | None = trigger.get_next_fire_time(None, now)
        return fire
    assert schedule.interval is not None
    interval = timedelta(seconds=parse_duration(schedule.interval))
    last = _utc(last_started)
    return now if last is None else max(now, last + interval)


def last_crawls(conn: Connection) -> dict[str, dict[str, Any]]:
    """The latest full crawl per site id (watch-page bursts every few minutes would hide it)."""
    latest = (select(crawls.c.site_id, func.max(crawls.c.id).label("id"))
              .where(crawls.c.site_id.is_not(None), crawls.c.kind != "watch")
              .group_by(crawls.c.site_id).subquery())
    rows = conn.execute(select(crawls).join(latest, latest.c.id == crawls.c.id)).mappings()
    return {str(r["site_id"]): dict(r) for r in rows}


def retries(conn: Connection) -> dict[str, dict[str, Any]]:
    """Retries of full crawls failed by a write error, still open or given up after the site's last crawl
    (spillwatch/service/crawl_retries.py), by site id."""
    rows = conn.execute(select(crawl_retries).where(crawl_retries.c.status.in_(("waiting", "queued", "given_up"))))
    return {str(r["site_id"]): dict(r) for r in rows.mappings()}

def watch_polls(conn: Connection) -> dict[str, WatchPolls]:
    """Watch-page polls per site id, counted apart from full crawls."""
    failed = func.sum(case((crawls.c.status.in_(("failed", "killed")), 1), else_=0))
    rows = conn.execute(select(crawls.c.site_id, func.count(), func.min(crawls.c.started_at),
                               func.max(crawls.c.started_at), failed)
                        .where(crawls.c.site_id.is_not(None), crawls.c.kind == "watch").group_by(crawls.c.site_id))
    return {str(site): WatchPolls(int(n), _utc(first), _utc(last), int(bad or 0))
            for site, n, first, last, bad in rows}


def site_health(conn: Connection, sites: list[Site], now: datetime | None = None) -> list[SiteHealth]:
    now = now or datetime.now(UTC)
    latest = last_crawls(conn)
    retrying = retries(conn)
    polls = watch_polls(conn)
    out: list[SiteHealth] = []
    known = set()
    for site in sites:
        known.add(site.id)
        last = latest.get(site.id)
        out.append(SiteHealth(site.id, site.name or site.id, describe(site.schedule, len(site.watch_pages)), last,
                              next_run(site.schedule, last["started_at"] if last else None, now),
                              retrying.get(site.id), polls.get(site.id)))
    for site_id, last in sorted(latest.items()):  # crawled once, no longer configured
        if site_id not in known:
            out.append(SiteHealth(site_id, f"{site_id} (not configured)", "—", last, None,
                                  watch=polls.get(site_id)))
    return out
