"""Removal of URLs that no page links to any more.

A 404/410 marks a URL removed at once (see the pipeline).  A document is usually not fetched again
once its link is gone, so a URL also counts as removed when, for ``removed_after_crawls`` crawls in
a row, no page links to it any more and the crawl did not capture it.  A crawl is identified by its
``crawl_key`` (the crawl id when the crawler registered the WARC, else the WARC file): each crawl is
counted once, so indexing a crawl twice does not count it twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, insert, or_, select

from core.catalog.schema import captures, changes, versions
from core.timestamps import as_utc
from indexer import findings_store, links
from indexer.surt import surt_key
from indexer.versions import latest_versions


def dropped_links(conn: Connection, scope: ColumnElement[bool]) -> set[str]:
    """SURTs of link targets that pages captured in this crawl (``scope``: a condition on captures)
    no longer link, read back from the pages' change rows (``details.links_dropped``)."""
    rows = conn.execute(
        select(changes.c.details).join(captures, captures.c.id == changes.c.capture_id)
        .where(scope, changes.c.kind.in_(("changed", "unchanged", "reappeared")))
    )
    dropped: set[str] = set()
    for (details,) in rows:
        if isinstance(details, dict):
            dropped.update(surt_key(str(u)) for u in details.get("links_dropped", ()))
    return dropped


def captured_surts(conn: Connection, scope: ColumnElement[bool]) -> set[str]:
    """URLs this crawl captured with content (a 2xx response, a resource, or a revisit of one)."""
    content = or_(
        captures.c.status.between(200, 299),
        captures.c.record_type == "resource",
        and_(captures.c.record_type == "revisit", captures.c.status.is_(None)),
    )
    return {str(r[0]) for r in conn.execute(select(captures.c.surt).distinct().where(scope, content))}


def crawl_time(conn: Connection, scope: ColumnElement[bool]) -> datetime | None:
    """Time of this crawl's last capture (when an unlinked URL is deemed removed)."""
    latest = conn.execute(select(func.max(captures.c.captured_at)).where(scope)).scalar()
    return as_utc(latest) if latest is not None else None


def pending_surts(conn: Connection) -> set[str]:
    """URLs already counted unlinked in an earlier crawl and not removed yet."""
    rows = conn.execute(select(versions.c.surt).where(versions.c.unlinked_crawls > 0,
                                                      versions.c.removed_at.is_(None)))
    return {str(r[0]) for r in rows}


def check_unlinked(conn: Connection, *, crawl_key: str, dropped: Iterable[str], captured: set[str],
                   at: datetime, after_crawls: int) -> int:
    """Count this crawl for every candidate URL no page links to; mark those reaching
    ``after_crawls`` removed.  Returns how many URLs were marked removed."""
    candidates = (set(dropped) | pending_surts(conn)) - captured
    states = latest_versions(conn, sorted(candidates))
    removed = 0
    for surt, state in states.items():
        if state.removed_at is not None:
            continue
        if links.linked_now(conn, surt):
            if state.unlinked_crawls:
                conn.execute(versions.update().where(versions.c.id == state.id)
                             .values(unlinked_crawls=0, unlinked_crawl_key=None))
            continue
        row = conn.execute(select(versions.c.unlinked_crawls, versions.c.unlinked_crawl_key, versions.c.url,
                                  versions.c.site_id).where(versions.c.id == state.id)).one()
        count, last_key, url, site_id = int(row[0] or 0), row[1], str(row[2]), row[3]
        if last_key == crawl_key:
            continue
        count += 1
        values: dict[str, object] = {"unlinked_crawls": count, "unlinked_crawl_key": crawl_key}
        if count >= after_crawls:
            values["removed_at"] = as_utc(at)
            conn.execute(insert(changes), {
                "surt": surt, "url": url, "site_id": site_id, "kind": "removed", "significance": 1.0,
                "capture_id": None, "previous_capture_id": state.last_capture_id, "detected_at": as_utc(at),
                "details": {"reason": "unlinked", "crawls": count, "crawl_key": crawl_key},
            })
            findings_store.content_removed(conn, {state.payload_digest, state.last_digest}, surt, at)
            removed += 1
        conn.execute(versions.update().where(versions.c.id == state.id).values(**values))
    return removed
