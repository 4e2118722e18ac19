"""Outgoing links of page captures, and "new document linked" when a page starts linking a file.

Links are stored for every page capture whose content was extracted (identical captures link the
same targets), so a page's current links are those of its latest capture with a content change row
(new, changed, unchanged-but-different bytes, reappeared) — possibly none.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, insert, select

from core.catalog.schema import captures, changes, links, versions
from indexer import media_types
from indexer.extract_html import Link
from indexer.prepared import LinkValues
from indexer.records import clean_text
from indexer.surt import surt_key

CONTENT_CHANGES = ("new", "changed", "unchanged", "reappeared")
# Longer link targets are not stored (unique index entries have a size limit in PostgreSQL).
MAX_URL_CHARS = 2000


def latest_link_capture(conn: Connection, surt: str) -> int | None:
    """The capture holding the current links of page ``surt``: its latest capture whose content was
    extracted (the one with a content change row); its links may be none at all."""
    latest = conn.execute(
        select(func.max(changes.c.capture_id)).where(changes.c.surt == surt, changes.c.kind.in_(CONTENT_CHANGES))
    ).scalar()
    return int(latest) if latest is not None else None


def previous_links(conn: Connection, surt: str) -> set[str] | None:
    """Current link targets of page ``surt`` (None: its content was never extracted)."""
    latest = latest_link_capture(conn, surt)
    if latest is None:
        return None
    return {str(r[0]) for r in conn.execute(select(links.c.target_url).where(links.c.capture_id == latest))}


def previous_links_many(conn: Connection, surts: Sequence[str]) -> dict[str, set[str] | None]:
    """:func:`previous_links` of several pages with two queries (a batch's pages)."""
    found: dict[str, set[str] | None] = dict.fromkeys(surts)
    wanted = list(found)
    if not wanted:
        return found
    latest = {
        int(row[1]): str(row[0]) for row in conn.execute(
            select(changes.c.surt, func.max(changes.c.capture_id))
            .where(changes.c.surt.in_(wanted), changes.c.kind.in_(CONTENT_CHANGES))
            .group_by(changes.c.surt)
        ) if row[1] is not None
    }
    for surt in latest.values():
        found[surt] = set()
    if latest:
        for capture_id, target in conn.execute(
            select(links.c.capture_id, links.c.target_url).where(links.c.capture_id.in_(list(latest)))
        ):
            targets = found[latest[int(capture_id)]]
            assert targets is not None
            targets.add(str(target))
    return found


LinkRow = tuple[int, str, str, str]  # capture_id, then LinkValues


def link_values(found: Sequence[Link]) -> list[LinkValues]:
    """What is stored of a page's links (too long URLs left out)."""
    return [(clean_text(link.url) or "", surt_key(link.url), clean_text(link.text) or "")
            for link in found if len(link.url) <= MAX_URL_CHARS]


def insert_links(conn: Connection, rows: Sequence[LinkRow]) -> None:
    """Insert ``links`` rows in one statement.

    On SQLite the rows go straight to the driver's ``executemany``: the columns are plain integers
    and strings (no type processing), and a batch holds tens of thousands of links."""
    if not rows:
        return
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "INSERT INTO links (capture_id, target_url, target_surt, anchor_text) VALUES (?, ?, ?, ?)", rows)
    else:
        conn.execute(insert(links), [{"capture_id": r[0], "target_url": r[1], "target_surt": r[2],
                                      "anchor_text": r[3]} for r in rows])


def new_document_links(before: set[str] | None, found: Sequence[Link]) -> list[Link]:
    """Links to documents that the page did not have before (nothing for a page seen first now)."""
    if before is None:
        return []
    return [link for link in found
            if link.url not in before and media_types.is_document_url(link.url) and len(link.url) <= MAX_URL_CHARS]


def linked_now(conn: Connection, target_surt: str) -> bool:
    """Whether any live page's current links (its latest capture with links) include ``target_surt``."""
    pages = conn.execute(
        select(captures.c.surt).distinct()
        .join(links, links.c.capture_id == captures.c.id)
        .where(links.c.target_surt == target_surt)
    ).scalars().all()
    removed = {
        str(r[0]) for r in conn.execute(
            select(versions.c.surt).where(versions.c.surt.in_(pages), versions.c.removed_at.is_not(None),
                                          versions.c.id.in_(select(func.max(versions.c.id))
                                                            .where(versions.c.surt.in_(pages))
                                                            .group_by(versions.c.surt)))
        )
    } if pages else set()
    for page in pages:
        if page in removed:  # a page that is gone links nothing any more
            continue
        latest = latest_link_capture(conn, page)
        hit = conn.execute(
            select(links.c.id).where(links.c.capture_id == latest, links.c.target_surt == target_surt).limit(1)
        ).first()
        if hit is not None:
            return True
    return False
