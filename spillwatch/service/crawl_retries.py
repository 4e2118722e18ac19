"""Full crawls failed by a WARC write error (a full disk) are run again once space returns (catalog
table ``crawl_retries``, one row per site), instead of waiting for the site's next scheduled run.

A write error fails the crawl (docs/crawler.md "Write failures are crawl failures"); with a 6 h
schedule the site would go unwatched for 6 h.  So the service records the failure here
(:func:`after_crawl`): the row waits ``crawl_retry_delay`` (doubled per attempt up to
``crawl_retry_max_delay``, with jitter) and then, once free space is above ``min_free_disk`` (the crawl
worker asks only while crawls are not paused), :func:`queue_due` queues a full crawl of the site.  A
crawl of the site that finishes closes the row (``done``); one that fails by a write error again counts
an attempt; after ``crawl_retry_max_attempts`` attempts the row is ``given_up`` with the last reason and
the site waits for its schedule.  A retried crawl that fails for another reason ends the early retries
(the schedule takes over).  Everything lives in the catalog, so a restart resumes it
(:func:`recover`), and ``/metrics`` and the dashboard's crawl health show it.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from alerts.retry import RetryPolicy
from core.catalog import schema as s
from core.config import Config
from core.settings import Settings

log = logging.getLogger("spillwatch.service")

STATES = ("waiting", "queued", "done", "given_up")
WRITE_ERROR_MARK = "cannot write the WARC"


def policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(base=float(settings.crawl_retry_delay), max_delay=float(settings.crawl_retry_max_delay),
                       max_attempts=int(settings.crawl_retry_max_attempts))


def is_write_failure(status: str, reason: str, write_errors: int) -> bool:
    """Whether a crawl failed because its WARC could not be written (disk full, a vanished volume)."""
    return status == "failed" and (write_errors > 0 or WRITE_ERROR_MARK in reason)


@dataclass(frozen=True)
class Outcome:
    """What :func:`after_crawl` decided: ``action`` is ``retry`` (waiting until ``due``), ``given_up``,
    ``done`` or ``none`` (nothing to do)."""

    action: str
    attempts: int = 0
    due: datetime | None = None


def after_crawl(conn: Connection, site_id: str, crawl_id: int, status: str, reason: str, write_errors: int,
                settings: Settings, now: datetime, rng: random.Random) -> Outcome:
    """Record the outcome of a full crawl of ``site_id``."""
    row = conn.execute(select(s.crawl_retries).where(s.crawl_retries.c.site_id == site_id)).mappings().first()
    open_row = row is not None and row["status"] in ("waiting", "queued")
    if not is_write_failure(status, reason, write_errors):
        if row is None or row["status"] == "done":
            return Outcome("none")
        why = "" if status == "finished" else \
            f"the retried crawl failed otherwise ({reason[:300]}); left to the schedule"
        _set(conn, row["id"], now, status="done", crawl_id=crawl_id, last_error=why)
        return Outcome("done", row["attempts"])
    retry = policy(settings)
    attempts = (row["attempts"] if open_row and row is not None else 0) + 1
    if retry.max_attempts <= 0 or retry.exhausted(attempts):
        values: dict[str, Any] = {"status": "given_up", "attempts": attempts, "crawl_id": crawl_id,
                                  "last_error": f"given up after {attempts} attempt(s): {reason}"[:2000]}
        action, due = "given_up", None
    else:
        due = now + timedelta(seconds=retry.delay(attempts, rng))
        values = {"status": "waiting", "attempts": attempts, "next_attempt_at": due, "crawl_id": None,
                  "failed_crawl_id": crawl_id, "last_error": reason[:2000]}
        action = "retry"
    if row is None:
        conn.execute(insert(s.crawl_retries).values(site_id=site_id, created_at=now, updated_at=now,
                                                    **{"next_attempt_at": now, **values}))
    else:
        _set(conn, row["id"], now, **values)
    return Outcome(action, attempts, due)


def queue_due(conn: Connection, now: datetime, seeds: dict[str, list[str]]) -> list[str]:
    """Queue a full crawl of each configured site (``seeds`` by site id) whose retry is due; a full crawl
    already queued or running is taken as the retry.  Returns the site ids.  Call it only while crawls
    are not paused for disk space."""
    due = conn.execute(select(s.crawl_retries).where(s.crawl_retries.c.status == "waiting",
                                                     s.crawl_retries.c.next_attempt_at <= now)).mappings().all()
    queued: list[str] = []
    for row in due:
        site_id = str(row["site_id"])
        if site_id not in seeds:
            _set(conn, row["id"], now, status="done", last_error="the site is no longer configured")
            continue
        crawl_id = conn.execute(select(s.crawls.c.id).where(
            s.crawls.c.site_id == site_id, s.crawls.c.kind == "full",
            s.crawls.c.status.in_(("queued", "running")))).scalar()
        if crawl_id is None:  # the same request as the schedule's (crawler.queue.enqueue_crawl)
            crawl_id = conn.execute(insert(s.crawls).values(
                site_id=site_id, kind="full", status="queued", started_at=now, warc_files=[],
                message=json.dumps({"seeds": sorted(seeds[site_id])})).returning(s.crawls.c.id)).scalar_one()
        _set(conn, row["id"], now, status="queued", crawl_id=crawl_id)
        queued.append(site_id)
    return queued


def recover(conn: Connection, now: datetime) -> int:
    """Rows whose queued crawl will never run (marked failed by a restart) wait again, due now."""
    lost = conn.execute(select(s.crawl_retries.c.id).join(s.crawls, s.crawls.c.id == s.crawl_retries.c.crawl_id)
                        .where(s.crawl_retries.c.status == "queued",
                               s.crawls.c.status.not_in(("queued", "running")))).scalars().all()
    for row_id in lost:
        _set(conn, row_id, now, status="waiting", next_attempt_at=now, crawl_id=None)
    return len(lost)


def counts(conn: Connection) -> dict[str, int]:
    return {str(status): int(n) for status, n in conn.execute(
        select(s.crawl_retries.c.status, func.count()).group_by(s.crawl_retries.c.status))}


def _set(conn: Connection, row_id: int, now: datetime, **values: Any) -> None:
    conn.execute(update(s.crawl_retries).where(s.crawl_retries.c.id == row_id).values(updated_at=now, **values))


class CrawlRetries:
    """The crawl worker's side: record each full crawl's outcome, queue the retries that are due."""

    def __init__(self, engine: Engine, config: Config, notify: Callable[[str, str, str], None]) -> None:
        self.engine, self.config, self.notify = engine, config, notify
        self.rng = random.Random()  # jitter of the retries

    def queue_due(self) -> None:
        """Full crawls failed by a write error whose retry is due: queued now (the caller runs this only
        while free space is above min_free_disk)."""
        seeds = {site.id: list(site.seeds) for site in self.config.sites}
        with self.engine.begin() as conn:
            for site_id in queue_due(conn, datetime.now(UTC), seeds):
                log.info("full crawl of %s queued again: its last one failed by a WARC write error", site_id)

    def after_crawl(self, site_id: str, crawl_id: int, manifest: Any) -> None:
        """``manifest``: the crawl's :class:`crawler.manifest.Manifest`."""
        with self.engine.begin() as conn:
            outcome = after_crawl(conn, site_id, crawl_id, manifest.status, manifest.reason or "",
                                  manifest.warc_write_errors, self.config.settings, datetime.now(UTC), self.rng)
        if outcome.action == "retry" and outcome.due is not None:
            log.warning("full crawl of %s failed by a WARC write error; attempt %d, run again from %s UTC once "
                        "free space is above min_free_disk", site_id, outcome.attempts, f"{outcome.due:%H:%M:%S}")
        elif outcome.action == "given_up":
            log.error("full crawl of %s failed by a WARC write error %d time(s); left to its schedule", site_id,
                      outcome.attempts)
            self.notify(f"crawl-retry:{site_id}:{crawl_id}", f"full crawl of {site_id} given up",
                        f"{outcome.attempts} attempt(s) failed writing WARC files: {manifest.reason}")
