"""The removal watch: once an incident exists, its file's URL and the page that linked it are
re-checked every ``removal_watch_intervals[severity]`` (e.g. 5 min for critical) through the watch
fetch path — each check is an archived capture — and the captures decide (docs/disclosure.md):

- removed: the first capture proving the file gone (404/410, a redirect away, or a 2xx whose content
  is none of the incident's person-level payloads) after the last one serving it
  (:mod:`disclosure.exposure`); the exposure window is "from first capture to first capture without
  it", so it is right to one interval;
- link gone: the first capture of the linking page without the link (:mod:`disclosure.subject`);
- back: a capture serving the file again after the removal — the indexer records the finding's
  ``reappeared`` event and the alert planner alerts it; the watch notes it and keeps watching.

The watch goes on after a removal (files come back), and stops when the incident is dismissed or an
analyst stops it.  This module is the catalog side; the service runs the fetches
(spillwatch/service/removal_checks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core.catalog.incidents import record_event
from core.catalog.schema import findings, incidents, removal_watches
from core.settings import Settings
from core.timestamps import as_utc
from disclosure import subject
from disclosure.exposure import windows

WATCHED_STATUSES = ("new", "confirmed", "reported", "removed")
BATCH = 20  # watches of one site checked by one fetch


@dataclass(frozen=True)
class Due:
    id: int
    incident_id: int
    site_id: str | None
    url: str
    page_url: str
    interval: float


def interval_for(settings: Settings, severity: str) -> float:
    intervals: dict[str, float] = settings.removal_watch_intervals
    return float(intervals.get(severity, min(intervals.values())))


def sync(conn: Connection, settings: Settings, now: datetime) -> int:
    """A watch for every incident being followed (new, confirmed, reported, removed) that has none;
    the interval follows the incident's severity; an incident dismissed stops its watch.  Returns
    how many watches were created."""
    rows = conn.execute(select(incidents.c.id, incidents.c.site_id, incidents.c.url, incidents.c.page_url,
                               incidents.c.severity, incidents.c.status, removal_watches.c.id.label("watch_id"),
                               removal_watches.c.status.label("watch_status"),
                               removal_watches.c.interval_seconds)
                        .select_from(incidents.outerjoin(removal_watches,
                                                         removal_watches.c.incident_id == incidents.c.id))).all()
    created = 0
    for row in rows:
        interval = interval_for(settings, str(row.severity))
        if row.watch_id is None:
            if row.status not in WATCHED_STATUSES:
                continue
            conn.execute(insert(removal_watches).values(
                incident_id=row.id, site_id=row.site_id, url=row.url, page_url=_page_url(conn, row),
                interval_seconds=interval, status="watching", next_check_at=now, checks=0, created_at=now))
            created += 1
        elif row.status not in WATCHED_STATUSES and row.watch_status != "stopped":
            conn.execute(update(removal_watches).where(removal_watches.c.id == row.watch_id).values(status="stopped"))
        elif row.watch_status != "stopped" and float(row.interval_seconds) != interval:
            conn.execute(update(removal_watches).where(removal_watches.c.id == row.watch_id)
                         .values(interval_seconds=interval))
    return created


def _page_url(conn: Connection, row: Any) -> str:
    """The incident's linking page, else the first page whose captured links point at the file."""
    if row.page_url:
        return str(row.page_url)
    pages = subject.load_pages(conn, str(row.url))
    return pages[0].page_url if pages else ""


def due(conn: Connection, now: datetime, limit: int = BATCH) -> list[Due]:
    """Due watches of one site (the one due first)."""
    active = removal_watches.c.status.in_(("watching", "removed"))
    first = conn.execute(select(removal_watches.c.site_id).where(active, removal_watches.c.next_check_at <= now)
                         .order_by(removal_watches.c.next_check_at, removal_watches.c.id).limit(1)).first()
    if first is None:
        return []
    rows = conn.execute(select(removal_watches).where(active, removal_watches.c.next_check_at <= now,
                                                      removal_watches.c.site_id.is_(None) if first[0] is None
                                                      else removal_watches.c.site_id == first[0])
                        .order_by(removal_watches.c.next_check_at, removal_watches.c.id).limit(limit)).all()
    return [Due(int(r.id), int(r.incident_id), r.site_id, str(r.url), str(r.page_url or ""),
                float(r.interval_seconds)) for r in rows]


def claim(conn: Connection, batch: list[Due], now: datetime) -> None:
    """The next check is scheduled before this one runs, so a crash mid-check never loops on it."""
    for watch in batch:
        conn.execute(update(removal_watches).where(removal_watches.c.id == watch.id).values(
            next_check_at=now + timedelta(seconds=watch.interval)))


def evaluate(conn: Connection, watch_id: int, now: datetime, error: str = "") -> dict[str, Any]:
    """Read the captures after a check: removal, link disappearance, reappearance; incident events
    for each change.  Returns what changed (for logs and tests)."""
    watch = conn.execute(select(removal_watches).where(removal_watches.c.id == watch_id)).mappings().one()
    digests = {str(d) for d in conn.execute(select(findings.c.payload_digest).where(
        findings.c.incident_id == watch["incident_id"])).scalars()}
    found = windows(subject.observations(conn, str(watch["url"]), digests or None))
    values: dict[str, Any] = {"last_checked_at": now, "checks": int(watch["checks"]) + 1, "last_error": error[:2000]}
    changed: dict[str, Any] = {}
    removed_at = as_utc(watch["removed_at"])
    if found and found[-1].end is not None and (removed_at is None or found[-1].end > removed_at):
        last = found[-1]
        values.update(removed_at=last.end, removal_capture_id=last.end_capture_id, status="removed")
        changed["removed_at"] = last.end
        record_event(conn, int(watch["incident_id"]), "removal_seen", at=last.end,
                     note=f"first capture without the file (capture {last.end_capture_id}); online at least "
                          f"{int(last.at_least.total_seconds() // 60)} min")
    elif found and found[-1].end is None and removed_at is not None and found[-1].start > removed_at:
        values.update(reappeared_at=found[-1].start, status="watching")
        changed["reappeared_at"] = found[-1].start
        record_event(conn, int(watch["incident_id"]), "back_online", at=found[-1].start,
                     note="the file is served again after its removal")
    if watch["page_url"] and watch["link_removed_at"] is None:
        pages = [p for p in subject.load_pages(conn, str(watch["url"])) if p.page_url == watch["page_url"]]
        if pages and pages[0].unlinked_at is not None:
            values["link_removed_at"] = pages[0].unlinked_at
            changed["link_removed_at"] = pages[0].unlinked_at
            record_event(conn, int(watch["incident_id"]), "link_gone", at=pages[0].unlinked_at,
                         note=f"the link is gone from {watch['page_url']}")
    conn.execute(update(removal_watches).where(removal_watches.c.id == watch_id).values(**values))
    return changed


def get(conn: Connection, incident_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(removal_watches).where(removal_watches.c.incident_id == incident_id)).mappings().first()
    return dict(row) if row is not None else None


def stop(conn: Connection, incident_id: int, user_id: int | None, now: datetime) -> bool:
    done = conn.execute(update(removal_watches).where(removal_watches.c.incident_id == incident_id,
                                                      removal_watches.c.status != "stopped")
                        .values(status="stopped")).rowcount
    if done:
        record_event(conn, incident_id, "watch_stopped", at=now, user_id=user_id, note="removal watch stopped")
    return bool(done)
