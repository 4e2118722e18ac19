"""What the dashboard leads with: the open findings, worst first, then the changes worth a look.

``open_findings`` is the one query behind the dashboard's first section (when incidents group findings,
it becomes the open incidents' query); ``changes_worth_a_look`` turns change rows into what an analyst
reads: a file seen for the first time is a "first capture" (not "new 100%"), a newly linked document
links the document's own capture, and a change whose content holds findings carries their worst severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from core.catalog.schema import captures, changes, findings
from core.models import Severity

OPEN = ("new", "confirmed", "reported")
SIGNIFICANT = 0.2
WORTH_A_LOOK = ("new", "removed", "reappeared", "new_document_linked")
SEVERITY_RANK = case({s.name: s.value for s in Severity}, value=findings.c.severity, else_=0)

CHANGE_LABELS = {
    "new": "first capture",
    "changed": "changed",
    "removed": "removed",
    "reappeared": "back online",
    "new_document_linked": "new document linked",
}


@dataclass
class OpenFindings:
    by_severity: dict[str, int]
    worst: list[dict[str, Any]]  # critical and high first, newest first within a severity


def open_findings(conn: Connection, limit: int = 10) -> OpenFindings:
    counts: dict[str, int] = {str(sev): int(n) for sev, n in conn.execute(
        select(findings.c.severity, func.count()).where(findings.c.status.in_(OPEN))
        .group_by(findings.c.severity)).all()}
    rows = conn.execute(select(findings).where(findings.c.status.in_(OPEN))
                        .order_by(SEVERITY_RANK.desc(), findings.c.first_seen.desc(), findings.c.id.desc())
                        .limit(limit)).mappings()
    return OpenFindings(counts, [dict(r) for r in rows])


@dataclass
class ChangeRow:
    when: Any
    kind: str
    label: str
    url: str
    capture_id: int | None  # the capture to open: the document's own for a newly linked document
    page_capture_id: int | None  # the linking page (new_document_linked)
    diff_to: int | None  # the previous capture, when a diff exists
    percent: int | None  # how different, for changed content; None where it means nothing
    severity: str | None  # worst severity of findings in this content
    site_id: str | None = None
    count: int = 1  # a row standing for several first captures of one site without findings


def _worst_severity(conn: Connection, capture_ids: list[int]) -> dict[int, str]:
    if not capture_ids:
        return {}
    digests = dict(conn.execute(select(captures.c.id, captures.c.payload_digest)
                                .where(captures.c.id.in_(capture_ids))).all())
    rows = conn.execute(select(findings.c.capture_id, findings.c.payload_digest, findings.c.severity).where(
        or_(findings.c.capture_id.in_(capture_ids), findings.c.payload_digest.in_([d for d in digests.values() if d]))))
    rank = {s.name: s.value for s in Severity}
    worst: dict[int, str] = {}
    for capture_id, digest, severity in rows:
        for cid in [c for c, d in digests.items() if c == capture_id or (digest and d == digest)]:
            if rank.get(severity, 0) > rank.get(worst.get(cid, ""), 0):
                worst[cid] = severity
    return worst


def _latest_capture_of(conn: Connection, urls: list[str]) -> dict[str, int]:
    if not urls:
        return {}
    latest = (select(captures.c.url, func.max(captures.c.id).label("id"))
              .where(captures.c.url.in_(urls)).group_by(captures.c.url))
    return {str(url): int(cid) for url, cid in conn.execute(latest).all()}


def fold_first_captures(rows: list[ChangeRow], at_least: int = 3) -> list[ChangeRow]:
    """Runs of ``at_least`` or more first captures of one site holding no findings become one row
    ("19 URLs first captured"): a first crawl would bury what matters.  First captures with findings
    keep their own rows."""
    out: list[ChangeRow] = []
    run: list[ChangeRow] = []

    def flush() -> None:
        if len(run) >= at_least:
            head = run[0]
            out.append(ChangeRow(head.when, "first_captures", f"{len(run)} URLs first captured", "", None, None,
                                 None, None, None, head.site_id, len(run)))
        else:
            out.extend(run)
        run.clear()

    for row in rows:
        plain_first = row.kind == "new" and row.severity is None
        if not plain_first or (run and run[0].site_id != row.site_id):
            flush()
        if plain_first:
            run.append(row)
        else:
            out.append(row)
    flush()
    return out


def changes_worth_a_look(conn: Connection, limit: int = 15) -> list[ChangeRow]:
    rows = conn.execute(
        select(changes).where(changes.c.kind != "unchanged",
                              or_(changes.c.significance >= SIGNIFICANT, changes.c.kind.in_(WORTH_A_LOOK)))
        .order_by(changes.c.detected_at.desc(), changes.c.id.desc()).limit(limit * 10)).mappings().all()
    documents = _latest_capture_of(conn, [r["url"] for r in rows if r["kind"] == "new_document_linked"])
    out: list[ChangeRow] = []
    for r in rows:
        linked = r["kind"] == "new_document_linked"
        target = documents.get(r["url"]) if linked else r["capture_id"]
        percent = round(r["significance"] * 100) if r["kind"] == "changed" else None
        diff_to = r["previous_capture_id"] if r["kind"] in ("changed", "reappeared") else None
        out.append(ChangeRow(r["detected_at"], r["kind"], CHANGE_LABELS.get(r["kind"], r["kind"].replace("_", " ")),
                             r["url"], target, r["capture_id"] if linked else None, diff_to, percent, None,
                             r["site_id"]))
    worst = _worst_severity(conn, [c.capture_id for c in out if c.capture_id is not None])
    for row in out:
        row.severity = worst.get(row.capture_id) if row.capture_id is not None else None
    return fold_first_captures(out)[:limit]
