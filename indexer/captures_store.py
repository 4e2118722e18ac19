"""Writing captures and resolving revisit records to the capture they refer to."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, case, insert, select

from core.catalog.schema import captures
from indexer.records import CaptureInfo

CONTENT_TYPES = ("response", "resource")


def existing_offsets(conn: Connection, warc_file: str, offsets: Sequence[int]) -> set[int]:
    """Offsets of ``warc_file`` already in the catalog (a resumed or repeated run)."""
    if not offsets:
        return set()
    rows = conn.execute(
        select(captures.c.warc_offset).where(
            captures.c.warc_file == warc_file,
            captures.c.warc_offset.between(min(offsets), max(offsets)),
        )
    )
    return {int(r[0]) for r in rows}


def file_offsets(conn: Connection, warc_file: str) -> set[int]:
    """Offsets of every capture of ``warc_file`` in the catalog (what a repeated run skips)."""
    return {int(r[0]) for r in conn.execute(select(captures.c.warc_offset).where(captures.c.warc_file == warc_file))}


def find_original(conn: Connection, digest: str, refers_to_uri: str, url: str,
                  before: datetime | None = None) -> tuple[int, str, int] | None:
    """The response/resource a revisit refers to: same payload digest, the referred-to URL (or the
    revisit's own URL) preferred, then the latest capture made before the revisit.
    Returns (capture id, warc file, offset)."""
    if not digest:
        return None
    preferred = refers_to_uri or url
    row = conn.execute(
        select(captures.c.id, captures.c.warc_file, captures.c.warc_offset)
        .where(and_(captures.c.payload_digest == digest, captures.c.record_type.in_(CONTENT_TYPES)))
        .order_by(case((captures.c.url == preferred, 0), else_=1),
                  case((captures.c.captured_at <= before, 0), else_=1) if before is not None else captures.c.id,
                  captures.c.captured_at.desc())
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1]), int(row[2])) if row else None


def insert_captures(conn: Connection, infos: Sequence[CaptureInfo], crawl_id: int | None) -> None:
    """Insert the captures of a batch and set each one's ``id``."""
    if not infos:
        return
    rows = [info.row(crawl_id) for info in infos]
    if conn.dialect.name != "sqlite":
        result = conn.execute(insert(captures).returning(captures.c.id, sort_by_parameter_order=True), rows)
        for info, row in zip(infos, result.all(), strict=True):
            info.id = int(row[0])
        return
    # SQLite: RETURNING in parameter order makes SQLAlchemy run one INSERT per row; one executemany
    # and one lookup by the unique (warc_file, warc_offset) are ~10x cheaper for a batch
    conn.execute(insert(captures), rows)
    files = {info.record.path for info in infos}
    ids = {(str(f), int(o)): int(i) for f, o, i in conn.execute(
        select(captures.c.warc_file, captures.c.warc_offset, captures.c.id)
        .where(captures.c.warc_file.in_(files), captures.c.warc_offset.in_([info.record.offset for info in infos])))}
    for info in infos:
        info.id = ids[(info.record.path, info.record.offset)]


def resolve_pending_revisits(conn: Connection) -> int:
    """Point revisits indexed before their original (another file, indexed later) at it."""
    pending = conn.execute(
        select(captures.c.id, captures.c.payload_digest, captures.c.url, captures.c.captured_at)
        .where(captures.c.record_type == "revisit", captures.c.refers_to_capture_id.is_(None))
    ).all()
    resolved = 0
    for capture_id, digest, url, captured_at in pending:
        original = find_original(conn, digest, "", url, captured_at)
        if original is not None:
            conn.execute(captures.update().where(captures.c.id == capture_id)
                         .values(refers_to_capture_id=original[0]))
            resolved += 1
    return resolved
