"""Findings in the catalog, keyed by content, with their exposure timeline.

The key is the SHA-256 of the file's bytes + kind + locator: the same file (at any URL, in any
crawl, captured by any crawler) never creates a second finding.  A table inside an HTML page is
keyed by the table's own cells, so edits around it do not duplicate it.  Each finding keeps its exposure:
``first_seen`` / ``last_seen`` (captures serving that content), ``removed_at`` (every URL serving it
is gone) and ``reappeared_at`` (served again after that).  A new finding and a reappearance are
recorded as ``finding_events`` rows (``new``, ``reappeared``) in the same transaction; the alerts side
turns those events into deliveries (:mod:`alerts.planner`), so the indexer never sends anything.
Each finding is attached to the incident of its file (site + URL, :mod:`core.catalog.incidents`),
whose severity, exposure and removal are refreshed whenever a finding of it changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from core.catalog import incidents as incidents_store
from core.catalog.schema import finding_events, findings, versions
from core.models import Finding, Severity, Table
from core.timestamps import as_utc

log = logging.getLogger(__name__)

def content_key(content_sha256: str, finding: Finding, table_digests: dict[str, str] | None = None) -> str:
    """``sha256:<file bytes>:<kind>:<locator hash>``; for a table in an HTML page,
    ``table:<table cells>:<kind>``, so that editing the page around the table (a new paragraph, a
    changed date) does not make the same table a new finding."""
    table = (table_digests or {}).get(finding.locator)
    if table is not None:
        return f"table:{table}:{finding.kind.value}"
    locator = hashlib.sha256(finding.locator.encode("utf-8")).hexdigest()[:16]
    return f"sha256:{content_sha256}:{finding.kind.value}:{locator}"


def table_digest(table: Table) -> str:
    """SHA-256 of a table's header and rows (as the matcher read them)."""
    digest = hashlib.sha256()
    for row in [table.header, *table.rows]:
        digest.update("\x1f".join(row).encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    digest.update(str(table.total_rows).encode())
    return digest.hexdigest()


@dataclass
class StoredFinding:
    id: int
    severity: str
    created: bool


def worst_severity(values: Iterable[str]) -> str | None:
    parsed = [Severity.parse(v) for v in values if v]
    return max(parsed).name if parsed else None


def store(
    conn: Connection, found: list[Finding], *, content_sha256: str, capture_id: int, url: str,
    payload_digest: str, site_id: str | None, seen: datetime, now: datetime,
    table_digests: dict[str, str] | None = None,
) -> list[StoredFinding]:
    """Insert new findings of one payload, or extend the exposure of known ones."""
    stored: list[StoredFinding] = []
    for finding in found:
        key = content_key(content_sha256, finding, table_digests)
        row = conn.execute(select(findings.c.id, findings.c.severity).where(findings.c.content_key == key)).first()
        if row is not None:
            stored.append(StoredFinding(int(row[0]), str(row[1]), created=False))
            _seen_again(conn, int(row[0]), seen, payload_digest)
            continue
        data = finding.to_dict()
        finding_id = int(conn.execute(
            insert(findings).returning(findings.c.id),
            {"content_key": key, "capture_id": capture_id, "site_id": site_id, "url": url,
             "payload_digest": payload_digest, "kind": data["kind"], "severity": data["severity"],
             "score": data["score"], "rows": data["rows"], "locator": data["locator"][:2000],
             "columns": data["columns"], "reasons": data["reasons"], "sample": data["sample"],
             "status": "new", "first_seen": as_utc(seen), "last_seen": as_utc(seen), "removed_at": None,
             "reappeared_at": None, "created_at": as_utc(now)},
        ).scalar_one())
        # counts and types only: never the sample or a cell value
        log.info("new finding %d: %s, %s, %d rows, capture %d", finding_id, data["kind"], data["severity"],
                 data["rows"], capture_id)
        record_event(conn, finding_id, "new", seen)
        incidents_store.incident_for_finding(conn, finding_id, now=now)
        stored.append(StoredFinding(finding_id, data["severity"], created=True))
    return stored


def record_event(conn: Connection, finding_id: int, event: str, at: datetime) -> None:
    """A ``new`` or ``reappeared`` event: what the alert planner turns into deliveries."""
    conn.execute(insert(finding_events), {"finding_id": finding_id, "at": as_utc(at), "user_id": None,
                                          "event": event, "from_status": None, "to_status": None, "note": "",
                                          "alerts_planned_at": None})


def _seen_again(conn: Connection, finding_id: int, seen: datetime, payload_digest: str | None = None) -> None:
    row = conn.execute(select(findings.c.last_seen, findings.c.removed_at).where(findings.c.id == finding_id)).one()
    last_seen, removed_at = as_utc(row[0]), row[1]
    values: dict[str, object] = {}
    if as_utc(seen) > last_seen:
        values["last_seen"] = as_utc(seen)
        if payload_digest:  # a table found again in an edited page: follow the page's latest payload
            values["payload_digest"] = payload_digest
    reappeared = removed_at is not None and as_utc(seen) > as_utc(removed_at)
    if reappeared:
        values.update(removed_at=None, reappeared_at=as_utc(seen))
    if values:
        conn.execute(findings.update().where(findings.c.id == finding_id).values(**values))
    if reappeared:
        record_event(conn, finding_id, "reappeared", seen)
        log.info("finding %d reappeared", finding_id)
    if values:
        incidents_store.refresh_for_findings(conn, [finding_id])


def ids_for_digests(conn: Connection, digests: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """Findings of payloads already known by their WARC payload digest: digest → [(id, severity)]."""
    wanted = sorted({d for d in digests if d})
    found: dict[str, list[tuple[int, str]]] = {}
    for start in range(0, len(wanted), 500):
        rows = conn.execute(select(findings.c.id, findings.c.severity, findings.c.payload_digest)
                            .where(findings.c.payload_digest.in_(wanted[start:start + 500])))
        for finding_id, severity, digest in rows:
            found.setdefault(str(digest), []).append((int(finding_id), str(severity)))
    return found


def seen_again(conn: Connection, finding_ids: Iterable[int], seen: datetime) -> None:
    """The content of these findings was captured again at ``seen`` (identical capture, revisit)."""
    for finding_id in finding_ids:
        _seen_again(conn, finding_id, seen)


def content_removed(conn: Connection, digests: Iterable[str], surt: str, at: datetime) -> int:
    """The URL ``surt`` stopped serving these payloads: findings whose content no other live URL
    serves get ``removed_at`` (and a ``removed`` event).  Returns how many findings were marked."""
    marked = 0
    for digest in {d for d in digests if d}:
        elsewhere = conn.execute(
            select(versions.c.id).where(versions.c.payload_digest == digest, versions.c.surt != surt,
                                        versions.c.removed_at.is_(None)).limit(1)
        ).first()
        if elsewhere is not None:
            continue
        rows = conn.execute(select(findings.c.id).where(findings.c.payload_digest == digest,
                                                        findings.c.removed_at.is_(None))).scalars().all()
        for finding_id in rows:
            conn.execute(findings.update().where(findings.c.id == finding_id).values(removed_at=as_utc(at)))
            conn.execute(insert(finding_events), {"finding_id": finding_id, "at": as_utc(at), "user_id": None,
                                                  "event": "removed", "from_status": None, "to_status": None,
                                                  "note": ""})
            incidents_store.refresh_for_findings(conn, [finding_id], now=at)
            marked += 1
    return marked
