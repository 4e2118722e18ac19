"""The durable fetch queue (catalog table ``fetches``): documents to fetch now, because a watch page
linked them.

A document newly linked from a watch page is queued in the catalog before anything is fetched, so a
crash, a kill -9 or a full disk never loses it: the crawl worker fetches due rows in a burst, marks
each ``fetched`` once a capture of it is in the catalog, and otherwise puts it back with a backoff
(``fetch_retry_delay`` doubled per attempt, capped at ``fetch_retry_max_delay``, with jitter) and the
reason, until ``fetch_max_attempts`` attempts: then ``given_up``, with the last reason.  Every watch
poll also re-queues the documents its page links that were never captured (:func:`requeue_unfetched`),
and a service start puts rows left ``fetching`` by a crash back in the queue.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, func, insert, select, update

from alerts.retry import RetryPolicy
from core.catalog import schema as s
from core.settings import Settings
from indexer.surt import surt_key

STATES = ("queued", "fetching", "fetched", "given_up")
BURST_SIZE = 50  # documents fetched by one burst (one crawl process)


def url_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()


def policy(settings: Settings) -> RetryPolicy:
    return RetryPolicy(base=float(settings.fetch_retry_delay), max_delay=float(settings.fetch_retry_max_delay),
                       max_attempts=max(1, int(settings.fetch_max_attempts)))


@dataclass(frozen=True)
class Fetch:
    id: int
    site_id: str
    url: str
    attempts: int


def enqueue(conn: Connection, site_id: str, urls: list[tuple[str, str]], now: datetime) -> int:
    """Queue (document URL, linking page URL) pairs, due now; a URL already queued, being fetched or
    given up is left as it is, one fetched but never captured (its WARC lost) is queued again.
    Returns how many were (re)queued."""
    queued = 0
    for url, page_url in urls:
        key = url_key(url)
        row = conn.execute(select(s.fetches.c.id, s.fetches.c.status).where(
            s.fetches.c.site_id == site_id, s.fetches.c.url_key == key)).first()
        if row is None:
            conn.execute(insert(s.fetches).values(
                site_id=site_id, url=url, url_key=key, page_url=page_url, status="queued", attempts=0,
                next_attempt_at=now, last_error="", created_at=now, updated_at=now))
            queued += 1
        elif row.status == "fetched" and not captured(conn, url):
            conn.execute(update(s.fetches).where(s.fetches.c.id == row.id).values(
                status="queued", attempts=0, next_attempt_at=now, updated_at=now,
                last_error="fetched before, but no capture of it is in the catalog"))
            queued += 1
    return queued


def captured(conn: Connection, url: str) -> bool:
    """A capture of ``url`` is in the catalog (looked up by SURT, which is indexed)."""
    return conn.execute(select(s.captures.c.id).where(s.captures.c.surt == surt_key(url), s.captures.c.url == url)
                        .limit(1)).first() is not None


def linked_in_crawl(conn: Connection, crawl_id: int, pages: list[str]) -> list[tuple[str, str]]:
    """(document, page) pairs that the pages of crawl ``crawl_id`` link for the first time."""
    rows = conn.execute(
        select(s.changes.c.url, s.changes.c.details)
        .join(s.captures, s.captures.c.id == s.changes.c.capture_id)
        .where(s.changes.c.kind == "new_document_linked", s.captures.c.crawl_id == crawl_id)
    ).all()
    found: list[tuple[str, str]] = []
    for url, details in rows:
        page = details.get("page_url") if isinstance(details, dict) else None
        if page in pages and all(url != known for known, _page in found):
            found.append((url, str(page)))
    return found


def requeue_unfetched(conn: Connection, site_id: str, pages: list[str]) -> list[tuple[str, str]]:
    """Documents these pages once newly linked (``new_document_linked`` changes) that were never
    captured: a burst lost to a crash before it was queued, or one queued in a catalog restored
    from an older backup.  Documents a page linked from its first capture are left to full crawls."""
    found: list[tuple[str, str]] = []
    rows = conn.execute(select(s.changes.c.url, s.changes.c.details).where(
        s.changes.c.kind == "new_document_linked", s.changes.c.site_id == site_id)).all()
    for url, details in rows:
        page = details.get("page_url") if isinstance(details, dict) else None
        if page in pages and all(url != known for known, _page in found) and not captured(conn, url):
            found.append((url, str(page)))
    return found


def due(conn: Connection, now: datetime, limit: int = BURST_SIZE, site_id: str | None = None) -> list[Fetch]:
    """Due rows of one site (``site_id``, or the one whose row is due first)."""
    first = site_id or conn.execute(select(s.fetches.c.site_id).where(
        s.fetches.c.status == "queued", s.fetches.c.next_attempt_at <= now)
        .order_by(s.fetches.c.next_attempt_at, s.fetches.c.id).limit(1)).scalar()
    if first is None:
        return []
    rows = conn.execute(select(s.fetches.c.id, s.fetches.c.site_id, s.fetches.c.url, s.fetches.c.attempts).where(
        s.fetches.c.status == "queued", s.fetches.c.next_attempt_at <= now, s.fetches.c.site_id == first)
        .order_by(s.fetches.c.id).limit(limit)).all()
    return [Fetch(r.id, r.site_id, r.url, r.attempts) for r in rows]


def claim(conn: Connection, batch: list[Fetch], now: datetime) -> list[Fetch]:
    """Mark the rows ``fetching`` (one attempt more); the ones another worker took are left out."""
    taken: list[Fetch] = []
    for fetch in batch:
        done = conn.execute(update(s.fetches).where(and_(s.fetches.c.id == fetch.id, s.fetches.c.status == "queued"))
                            .values(status="fetching", attempts=s.fetches.c.attempts + 1, updated_at=now)).rowcount
        if done == 1:
            taken.append(Fetch(fetch.id, fetch.site_id, fetch.url, fetch.attempts + 1))
    return taken


def settle(conn: Connection, batch: list[Fetch], crawl_id: int | None, error: str, settings: Settings,
           now: datetime, rng: random.Random) -> dict[str, int]:
    """After a burst: each row ``fetched`` when a capture of its URL is in the catalog, else queued
    again with a backoff and why (``error``, or "not archived"), or ``given_up`` after the last
    attempt.  Returns counts by outcome."""
    retry = policy(settings)
    outcome = {"fetched": 0, "retry": 0, "given_up": 0}
    for fetch in batch:
        values: dict[str, Any] = {"crawl_id": crawl_id, "updated_at": now}
        if captured(conn, fetch.url):
            values.update(status="fetched", last_error="")
            outcome["fetched"] += 1
        elif retry.exhausted(fetch.attempts):
            values.update(status="given_up", last_error=(
                f"given up after {fetch.attempts} attempt(s): {error or 'not archived'}")[:2000])
            outcome["given_up"] += 1
        else:
            delay = retry.delay(fetch.attempts, rng)
            values.update(status="queued", next_attempt_at=now + timedelta(seconds=delay),
                          last_error=(error or "fetched, but no capture of it was archived")[:2000])
            outcome["retry"] += 1
        conn.execute(update(s.fetches).where(s.fetches.c.id == fetch.id).values(**values))
    return outcome


def recover(conn: Connection, now: datetime | None = None) -> int:
    """Rows left ``fetching`` by a crash go back to the queue, due now."""
    now = now or datetime.now(UTC)
    return int(conn.execute(update(s.fetches).where(s.fetches.c.status == "fetching").values(
        status="queued", next_attempt_at=now, updated_at=now,
        last_error="interrupted: the service stopped while it was fetched")).rowcount or 0)


def due_sites(conn: Connection, now: datetime) -> list[str]:
    """Sites with rows due now (``queue: procrastinate`` defers one burst job per site)."""
    return [str(site) for site in conn.execute(select(s.fetches.c.site_id).where(
        s.fetches.c.status == "queued", s.fetches.c.next_attempt_at <= now).distinct()).scalars()]


def counts(conn: Connection) -> dict[str, int]:
    return {str(status): int(n) for status, n in conn.execute(
        select(s.fetches.c.status, func.count()).group_by(s.fetches.c.status))}
