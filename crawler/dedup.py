"""Deduplication across crawls: what was captured last time for each URL.

The previous capture's payload digest and validators (ETag, Last-Modified) come from

- the crawler's own state file (``crawler-state.sqlite3`` in the crawl's folder; written as records
  are written, so it is there even before the indexer has run — and it is all an ad-hoc
  ``--out DIR`` crawl has), which also remembers each HTML page's links so a ``304`` page can still
  be crawled through;
- the catalog's ``captures`` rows for the site (read once at the start), when they are newer.

:class:`ConditionalRequestMiddleware` turns that into ``If-None-Match`` / ``If-Modified-Since``; the
WARC writer turns unchanged payloads and ``304`` answers into ``revisit`` records.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

GONE = (404, 410)  # statuses after which a URL's earlier capture is no longer a "previous" one
UNCONDITIONAL = "spillwatch_unconditional"  # request.meta key: never send validators (sitemaps)
STATE_SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    payload_digest TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    captured_at TEXT NOT NULL,
    media_type TEXT NOT NULL DEFAULT '',
    links TEXT
)
"""


@dataclass(frozen=True)
class Previous:
    """The last full capture of a URL (the record a revisit refers to)."""

    url: str
    payload_digest: str
    captured_at: str  # WARC-Date form, UTC
    etag: str | None = None
    last_modified: str | None = None
    media_type: str = ""
    links: tuple[str, ...] | None = None

    @property
    def is_html(self) -> bool:
        return "html" in self.media_type.lower() or not self.media_type


def warc_date(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class DedupState:
    """Previous captures by URL; updates are buffered and written in batches (``flush``)."""

    def __init__(self, path: Path | None, catalog_rows: dict[str, Previous] | None = None) -> None:
        self.path = path
        self._known: dict[str, Previous] = dict(catalog_rows or {})
        self._dirty: dict[str, Previous] = {}
        self._db: sqlite3.Connection | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable enough, no fsync per batch
            self._db.execute(STATE_SCHEMA)
            for row in self._db.execute(
                "SELECT url, payload_digest, captured_at, etag, last_modified, media_type, links FROM urls"
            ):
                own = Previous(row[0], row[1], row[2], row[3], row[4], row[5] or "",
                               tuple(json.loads(row[6])) if row[6] is not None else None)
                other = self._known.get(own.url)
                if other is None or other.captured_at <= own.captured_at:
                    self._known[own.url] = own

    def __len__(self) -> int:
        return len(self._known)

    def lookup(self, url: str) -> Previous | None:
        return self._known.get(url)

    def record(self, previous: Previous) -> None:
        self._known[previous.url] = previous
        self._dirty[previous.url] = previous
        if len(self._dirty) >= 200:
            self.flush()

    def forget(self, urls: list[str]) -> None:
        """Drop what was recorded of ``urls``: their records never reached the WARC file (a write
        error), so the next crawl must fetch them in full, not ask for a 304.  Works after
        :meth:`close` too (the spider may close before the WARC writer reports its lost records)."""
        for url in urls:
            self._known.pop(url, None)
            self._dirty.pop(url, None)
        if self.path is None or not urls:
            return
        db = self._db if self._db is not None else sqlite3.connect(self.path, timeout=30)
        try:
            with db:
                db.executemany("DELETE FROM urls WHERE url = ?", [(url,) for url in urls])
        finally:
            if db is not self._db:
                db.close()

    def set_links(self, url: str, links: list[str]) -> None:
        current = self._known.get(url)
        if current is not None:
            self.record(replace(current, links=tuple(links)))

    def flush(self) -> None:
        if self._db is None or not self._dirty:
            self._dirty.clear()
            return
        rows = [(p.url, p.payload_digest, p.etag, p.last_modified, p.captured_at, p.media_type,
                 json.dumps(list(p.links)) if p.links is not None else None) for p in self._dirty.values()]
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO urls (url, payload_digest, etag, last_modified, captured_at, "
                "media_type, links) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        self._dirty.clear()

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


def catalog_previous(catalog_url: str, site_id: str) -> dict[str, Previous]:
    """Latest full capture (response or revisit with a digest) per URL of ``site_id`` in the catalog."""
    from sqlalchemy import create_engine, select

    from core.catalog.schema import captures

    engine = create_engine(catalog_url)
    found: dict[str, Previous] = {}
    try:
        query = (
            select(captures.c.url, captures.c.payload_digest, captures.c.captured_at, captures.c.etag,
                   captures.c.last_modified, captures.c.media_type_declared)
            .add_columns(captures.c.status)
            .where(captures.c.site_id == site_id, captures.c.status.in_((200, *GONE)))
            .order_by(captures.c.captured_at)
        )
        with engine.connect() as connection:
            for url, digest, captured_at, etag, last_modified, media_type, status in connection.execute(query):
                if status in GONE:  # removed since: fetched in full next time (a 304 would hide its return)
                    found.pop(url, None)
                elif digest:
                    found[url] = Previous(url, digest, warc_date(captured_at), etag, last_modified, media_type or "")
    finally:
        engine.dispose()
    return found


class ConditionalRequestMiddleware:
    """Adds the previous capture's validators to requests (downloader middleware)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("SPILLWATCH_CONDITIONAL_REQUESTS", True):
            raise NotConfigured("conditional requests switched off")
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        state: DedupState | None = getattr(self.crawler.spider, "state", None)
        if state is None or request.meta.get(UNCONDITIONAL) or request.url.endswith("/robots.txt"):
            return
        previous = state.lookup(request.url)
        # An HTML page answered with 304 can only be crawled through if its links are remembered.
        if previous is None or (previous.is_html and previous.links is None):
            return
        if previous.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = previous.etag
        if previous.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = previous.last_modified
