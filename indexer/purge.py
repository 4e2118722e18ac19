"""Retention and purge (docs/architecture.md §5 rule 8): remove the payloads of flagged captures once a case is
closed, keeping digests as evidence.

:func:`purge_findings` takes findings and removes every archived copy of their payloads (all captures
with the same payload digest):

- from the WARC files: each record is replaced by a ``metadata`` record holding its id, digests,
  length and why it was purged (:mod:`indexer.warc_purge`); the catalog's offsets follow the rewrite;
- from the search index (the documents of those payloads: their extracted text);
- a ``purges`` row per removed record, a ``purged`` event on each finding and an audit log entry.

The finding rows stay (masked samples, counts, URL and digests: the evidence that something was
published).  The indexer checks ``purges`` and never indexes a purged payload again, so indexing the
files again (or a copy of the payload in another file) brings nothing back.  Closed findings
(``dismissed``, ``removed``) can be purged automatically ``purge_closed_after`` after they closed.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, update

from core.catalog.schema import audit_log, captures, finding_events, findings, purges, warc_files
from core.timestamps import as_utc
from indexer.loader import document_id
from indexer.search import SearchBackend
from indexer.warc_purge import PurgeNote, rewrite_without

log = logging.getLogger(__name__)

CLOSED_STATUSES = ("dismissed", "removed")
PAYLOAD_TYPES = ("response", "resource")


class PurgeError(ValueError):
    """A purge that cannot run as asked; the message says what to change."""


@dataclass
class PurgeResult:
    findings: list[int] = field(default_factory=list)
    records: int = 0
    warc_files: int = 0
    documents: int = 0
    problems: list[str] = field(default_factory=list)


def purged_digests(conn: Connection) -> set[str]:
    """Payload digests that were purged (the indexer never indexes them again)."""
    return set(conn.execute(select(purges.c.payload_digest).distinct()).scalars())


def closed_before(conn: Connection, before: datetime) -> list[int]:
    """Findings closed (dismissed or removed) before ``before`` and not purged yet."""
    closed_at = (select(finding_events.c.finding_id, func.max(finding_events.c.at).label("at"))
                 .where(finding_events.c.to_status.in_(CLOSED_STATUSES))
                 .group_by(finding_events.c.finding_id).subquery())
    done = select(purges.c.finding_id).where(purges.c.finding_id.is_not(None))
    rows = conn.execute(select(findings.c.id, findings.c.last_seen, closed_at.c.at)
                        .outerjoin(closed_at, closed_at.c.finding_id == findings.c.id)
                        .where(findings.c.status.in_(CLOSED_STATUSES), findings.c.id.not_in(done))).all()
    limit = as_utc(before)
    return sorted(int(r.id) for r in rows if as_utc(r.at or r.last_seen) < limit)


def _path(stored: str, data_dir: Path) -> Path:
    path = Path(stored)
    return path if path.is_absolute() or path.exists() else data_dir / path


def _targets(conn: Connection, finding_ids: list[int]) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    """(payload digest → finding ids, captures holding those payloads that are not purged yet)."""
    rows = conn.execute(select(findings.c.id, findings.c.payload_digest).where(findings.c.id.in_(finding_ids))).all()
    missing = sorted(set(finding_ids) - {int(r.id) for r in rows})
    if missing:
        raise PurgeError(f"no finding {', '.join(map(str, missing))}; see `spillwatch` UI's Findings page")
    by_digest: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        by_digest[str(row.payload_digest)].append(int(row.id))
    done = {(str(r.warc_file), str(r.payload_digest)) for r in conn.execute(
        select(purges.c.warc_file, purges.c.payload_digest).where(purges.c.payload_digest.in_(list(by_digest))))}
    held = conn.execute(select(captures).where(captures.c.payload_digest.in_(list(by_digest)),
                                               captures.c.record_type.in_(PAYLOAD_TYPES))).mappings().all()
    return by_digest, [dict(c) for c in held if (str(c["warc_file"]), str(c["payload_digest"])) not in done]


def purge_findings(engine: Engine, search: SearchBackend, data_dir: Path, finding_ids: list[int], *,
                   reason: str, who: str) -> PurgeResult:
    """Remove every archived copy of these findings' payloads (see the module's docs)."""
    result = PurgeResult(findings=sorted(set(finding_ids)))
    with engine.connect() as conn:
        by_digest, held = _targets(conn, result.findings)
        documents = {document_id(str(r.surt), str(r.payload_digest)) for r in conn.execute(
            select(captures.c.surt, captures.c.payload_digest).where(captures.c.payload_digest.in_(list(by_digest))))}
    by_file: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for capture in held:
        by_file[str(capture["warc_file"])].append(capture)
    for stored, in_file in sorted(by_file.items()):
        path = _path(stored, data_dir)
        if not path.is_file():
            result.problems.append(f"{path}: WARC file not found; its copy of the payload could not be purged "
                                   "— find the file and run the purge again")
            continue
        _purge_file(engine, path, stored, in_file, by_digest, reason, who)
        result.warc_files += 1
        result.records += len(in_file)
    result.documents = search.delete(sorted(documents))
    search.refresh()
    _record(engine, result, reason, who)
    return result


def _purge_file(engine: Engine, path: Path, stored: str, in_file: list[dict[str, Any]],
                by_digest: dict[str, list[int]], reason: str, who: str) -> None:
    drop = {int(c["warc_offset"]): PurgeNote(reason, tuple(by_digest[str(c["payload_digest"])])) for c in in_file}
    moved = rewrite_without(path, drop)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        rows = conn.execute(select(captures.c.id, captures.c.warc_offset, captures.c.warc_length)
                            .where(captures.c.warc_file == stored).order_by(captures.c.warc_offset)).all()
        for row in rows:  # in file order: new offsets never collide with rows not moved yet
            place = moved.get(int(row.warc_offset))
            # a whole-file gzip written back per record: the first record keeps offset 0, not its length
            if place is not None and (place.offset != row.warc_offset or place.length != row.warc_length
                                      or place.purged):
                conn.execute(update(captures).where(captures.c.id == row.id).values(
                    warc_offset=place.offset, warc_length=place.length))
        size = path.stat().st_size
        conn.execute(update(warc_files).where(warc_files.c.path.in_([stored, str(path)]),
                                              warc_files.c.status == "indexed")
                     .values(size=size, resume_offset=size))
        for capture in in_file:
            digest = str(capture["payload_digest"])
            for finding_id in by_digest[digest]:  # every digest here came from a finding
                conn.execute(insert(purges).values(
                    at=now, user_name=who[:128], finding_id=finding_id, capture_id=capture["id"],
                    url_digest=hashlib.sha256(str(capture["url"]).encode()).hexdigest(), payload_digest=digest,
                    warc_file=stored, length=moved[int(capture["warc_offset"])].content_length, reason=reason))
    log.info("purge: %s rewritten without %d payload(s)", path, len(in_file))


def _record(engine: Engine, result: PurgeResult, reason: str, who: str) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for finding_id in result.findings:
            conn.execute(insert(finding_events).values(finding_id=finding_id, at=now, user_id=None, event="purged",
                                                       note=f"payload purged by {who}: {reason}"[:500]))
        conn.execute(insert(audit_log).values(at=now, user_id=None, action="purge", target=who[:128], details={
            "findings": result.findings, "records": result.records, "warc_files": result.warc_files,
            "documents": result.documents, "reason": reason[:500], "problems": len(result.problems)}))


def purge_due(engine: Engine, search: SearchBackend, data_dir: Path, after_seconds: float,
              now: datetime | None = None) -> PurgeResult | None:
    """Purge the findings closed more than ``after_seconds`` ago (the ``purge_closed_after`` setting);
    None when there are none."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=after_seconds)
    with engine.connect() as conn:
        due = closed_before(conn, cutoff)
    if not due:
        return None
    result = purge_findings(engine, search, data_dir, due, who="retention",
                            reason=f"closed more than {after_seconds / 86400:g} day(s) ago (purge_closed_after)")
    log.info("retention: purged the payloads of %d closed finding(s)", len(result.findings))
    for problem in result.problems:
        log.warning("retention: %s", problem)
    return result
