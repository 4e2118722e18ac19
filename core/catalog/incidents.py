"""Incidents: one per published file (site + URL), kept over time, holding the one triage state.

A file an agency publishes can yield several findings (a ``person_table`` and a ``hidden_content`` in
the same workbook), and a new payload at the same URL yields new findings again: an analyst cares about
*the file*.  An incident groups every finding of one (site, URL) — ``findings.incident_id`` — and
carries what belongs to the file as a whole:

- ``status``: the one triage state (``new``, ``confirmed``, ``dismissed``, ``reported``, ``removed``;
  the moves allowed are :data:`TRANSITIONS`).  The findings' own ``status`` mirrors it, so code that
  reads findings (queues, the planner, purges) sees the same state.
- ``severity``: the worst severity of its findings (raised when a worse one joins, never lowered by
  triage).
- the timeline milestones: ``first_seen`` (first capture serving a finding of the file), ``last_seen``,
  ``alerted_at`` (first alert planned), ``triaged_at`` (first status change by a person),
  ``reported_at`` (first move to ``reported``), ``removed_at`` (every finding's content gone, or
  marked removed in triage), ``reappeared_at`` (served again after a removal).
- the page that linked the file (``page_url``, ``page_capture_id``) and the change of that page that
  revealed the link (``page_change_id``, a ``changes`` row whose ``capture_id`` /
  ``previous_capture_id`` are the two sides of the diff), when the indexer recorded them.

This module lives on the ground floor because the indexer (attaching findings), the alerts planner
(one alert per incident) and the web UI (triage) all use it.  Every function works inside the
caller's transaction (a :class:`sqlalchemy.Connection` from ``engine.begin()``) and commits nothing.
The triage actions (:func:`set_status`, :func:`add_note`, :func:`assign`) are written in
:mod:`core.catalog.incident_triage` and re-exported here; the timeline (events with durations in
words) is :mod:`core.catalog.incident_timeline`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from core.catalog.incident_triage import (  # re-exported: the store's API is this module
    MAX_NOTE,
    TRANSITIONS,
    TriageError,
    add_note,
    assign,
    set_status,
    write_event,
)
from core.catalog.schema import INCIDENT_STATUSES, captures, changes, findings, incidents, links, users
from core.models import Severity
from core.timestamps import as_utc

OPEN_STATUSES = ("new", "confirmed", "reported")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
SEVERITY_ORDER = case({s.name: s.value for s in Severity}, value=incidents.c.severity, else_=0)


@dataclass(frozen=True)
class Incident:
    """One incident row, plus the ids of its findings (oldest first) and the assignee's name."""

    id: int
    key: str
    site_id: str | None
    url: str
    status: str
    severity: str
    assignee_id: int | None
    capture_id: int | None
    page_url: str
    page_capture_id: int | None
    page_change_id: int | None
    first_seen: datetime
    last_seen: datetime
    alerted_at: datetime | None
    alerted_severity: str | None
    triaged_at: datetime | None
    reported_at: datetime | None
    removed_at: datetime | None
    reappeared_at: datetime | None
    created_at: datetime
    updated_at: datetime
    assignee_name: str | None = None
    finding_ids: tuple[int, ...] = field(default=())

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (timestamps as ISO 8601 strings); no personal values are held here besides the
        URL, which is the agency's own."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = value.isoformat() if isinstance(value, datetime) else (
                list(value) if isinstance(value, tuple) else value)
        return out


@dataclass(frozen=True)
class IncidentPage:
    """One page of :func:`list_incidents`: ``items`` worst first, ``total`` matching in all pages."""

    items: list[Incident]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def incident_key(site_id: str | None, url: str) -> str:
    """The identity of a published file: SHA-256 of the site id and the URL (exact, as captured)."""
    return hashlib.sha256(f"{site_id or ''}\n{url}".encode()).hexdigest()


def _incident(row: Any, finding_ids: tuple[int, ...] = ()) -> Incident:
    data = dict(row)
    for name in ("first_seen", "last_seen", "alerted_at", "triaged_at", "reported_at", "removed_at",
                 "reappeared_at", "created_at", "updated_at"):
        data[name] = as_utc(data[name])
    data.setdefault("assignee_name", None)
    return Incident(**data, finding_ids=finding_ids)


def _select() -> Any:
    return (select(incidents, users.c.name.label("assignee_name"))
            .select_from(incidents.outerjoin(users, users.c.id == incidents.c.assignee_id)))


def get_incident(conn: Connection, incident_id: int) -> Incident | None:
    """The incident with its finding ids, or None when there is no such incident."""
    row = conn.execute(_select().where(incidents.c.id == incident_id)).mappings().first()
    if row is None:
        return None
    ids = tuple(int(i) for i in conn.execute(select(findings.c.id).where(findings.c.incident_id == incident_id)
                                             .order_by(findings.c.id)).scalars())
    return _incident(row, ids)


def list_incidents(conn: Connection, *, status: str = "open", severity: str = "", site_id: str = "",
                   page: int = 1, per_page: int = DEFAULT_PER_PAGE) -> IncidentPage:
    """Incidents matching the filters, worst severity first, then most recently seen.

    ``status``: ``open`` (new, confirmed, reported), ``all``, or one status; ``severity``: one
    severity name or ``""`` (any); ``site_id``: one site or ``""``.  ``page`` counts from 1;
    ``per_page`` is capped at 500.  Items carry no ``finding_ids`` (use :func:`get_incident`).
    Raises :class:`ValueError` naming the bad filter.
    """
    conditions: list[ColumnElement[bool]] = []
    if status == "open":
        conditions.append(incidents.c.status.in_(OPEN_STATUSES))
    elif status in INCIDENT_STATUSES:
        conditions.append(incidents.c.status == status)
    elif status != "all":
        raise ValueError(f"status: expected open, all or one of {', '.join(INCIDENT_STATUSES)}, not {status!r}")
    if severity:
        if severity not in Severity.names():
            raise ValueError(f"severity: expected one of {', '.join(Severity.names())}, not {severity!r}")
        conditions.append(incidents.c.severity == severity)
    if site_id:
        conditions.append(incidents.c.site_id == site_id)
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    page = max(1, page)
    total = int(conn.execute(select(func.count()).select_from(incidents).where(*conditions)).scalar_one())
    rows = conn.execute(_select().where(*conditions)
                        .order_by(SEVERITY_ORDER.desc(), incidents.c.last_seen.desc(), incidents.c.id.desc())
                        .limit(per_page).offset((page - 1) * per_page)).mappings()
    return IncidentPage([_incident(r) for r in rows], total, page, per_page)


def _linking_page(conn: Connection, url: str, capture_id: int | None) -> dict[str, Any]:
    """The page that linked the file: the first ``new_document_linked`` change for the URL, else the
    first capture whose links point at it; and that page's change at that capture (the diff)."""
    values: dict[str, Any] = {"page_url": "", "page_capture_id": None, "page_change_id": None}
    row = conn.execute(select(changes.c.capture_id, changes.c.details)
                       .where(changes.c.kind == "new_document_linked", changes.c.url == url)
                       .order_by(changes.c.detected_at, changes.c.id).limit(1)).first()
    page_capture: int | None = int(row[0]) if row is not None and row[0] is not None else None
    if page_capture is None and capture_id is not None:
        surt = conn.execute(select(captures.c.surt).where(captures.c.id == capture_id)).scalar()
        if surt:
            page_capture = conn.execute(select(links.c.capture_id).where(links.c.target_surt == surt)
                                        .order_by(links.c.capture_id).limit(1)).scalar()
    if page_capture is None:
        return values
    page = conn.execute(select(captures.c.url).where(captures.c.id == page_capture)).scalar()
    values.update(page_url=str(page or ""), page_capture_id=int(page_capture))
    values["page_change_id"] = conn.execute(
        select(changes.c.id).where(changes.c.capture_id == page_capture, changes.c.url == page,
                                   changes.c.kind.in_(("new", "changed", "reappeared")))
        .order_by(changes.c.id).limit(1)).scalar()
    return values


def _insert_incident(conn: Connection, row: dict[str, Any]) -> None:
    """Insert unless the key exists (two indexers racing on one URL create one incident)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        conn.execute(sqlite.insert(incidents).values(**row).on_conflict_do_nothing(index_elements=["key"]))
    elif dialect == "postgresql":
        conn.execute(postgresql.insert(incidents).values(**row).on_conflict_do_nothing(index_elements=["key"]))
    elif conn.execute(select(incidents.c.id).where(incidents.c.key == row["key"])).first() is None:
        conn.execute(insert(incidents).values(**row))


def incident_for_finding(conn: Connection, finding_id: int, *, now: datetime | None = None) -> int:
    """Attach a finding to the incident of its (site, URL), creating the incident if needed, and
    return the incident id.  Idempotent: calling it again for the same finding changes nothing more.

    The incident's severity, first/last seen, removal and reappearance are recomputed from its
    findings (:func:`refresh`); the finding takes the incident's status (one triage state).  A worse
    finding joining a *dismissed* incident reopens it (``new``, with a ``reopened`` event), so a
    dismissal of a harmless table never hides a worse disclosure in the same file.  The linking page
    is looked up when the incident is created, and again while it is unknown.
    Raises :class:`LookupError` if the finding does not exist.
    """
    now = as_utc(now) or datetime.now(UTC)
    row = conn.execute(select(findings.c.site_id, findings.c.url, findings.c.capture_id, findings.c.severity,
                              findings.c.status, findings.c.first_seen, findings.c.last_seen)
                       .where(findings.c.id == finding_id)).mappings().first()
    if row is None:
        raise LookupError(f"finding {finding_id} does not exist; attach it after inserting it")
    key = incident_key(row["site_id"], str(row["url"]))
    created = conn.execute(select(incidents.c.id).where(incidents.c.key == key)).first() is None
    if created:
        _insert_incident(conn, {
            "key": key, "site_id": row["site_id"], "url": row["url"], "status": row["status"] or "new",
            "severity": row["severity"],
            "assignee_id": None, "capture_id": row["capture_id"], "first_seen": as_utc(row["first_seen"]),
            "last_seen": as_utc(row["last_seen"]), "created_at": now, "updated_at": now,
            **_linking_page(conn, str(row["url"]), row["capture_id"]),
        })
    current = conn.execute(select(incidents.c.id, incidents.c.status, incidents.c.severity, incidents.c.page_url)
                           .where(incidents.c.key == key)).one()
    incident_id, status = int(current.id), str(current.status)
    if status == "dismissed" and _parse(str(row["severity"])) > _parse(str(current.severity)):
        write_event(conn, incident_id, None, "reopened", now,
                    f"severity rose from {current.severity} to {row['severity']}", "dismissed", "new")
        conn.execute(update(findings).where(findings.c.incident_id == incident_id).values(status="new"))
        conn.execute(update(incidents).where(incidents.c.id == incident_id).values(status="new"))
        status = "new"
    conn.execute(update(findings).where(findings.c.id == finding_id).values(incident_id=incident_id, status=status))
    if not created and not current.page_url:
        page = _linking_page(conn, str(row["url"]), row["capture_id"])
        if page["page_url"]:
            conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**page))
    refresh(conn, incident_id, now=now)
    return incident_id


def find_linking_pages(conn: Connection, files: list[tuple[str | None, str]]) -> int:
    """Look again for the linking page of the incidents of these (site id, URL) pairs that have none
    yet (the indexer calls it once a batch's links and changes are written: a page and the file it
    links are often in the same batch).  Returns how many incidents got their page."""
    keys = sorted({incident_key(site_id, url) for site_id, url in files})
    found = 0
    for start in range(0, len(keys), 500):
        rows = conn.execute(select(incidents.c.id, incidents.c.url, incidents.c.capture_id)
                            .where(incidents.c.key.in_(keys[start:start + 500]), incidents.c.page_url == "")).all()
        for row in rows:
            page = _linking_page(conn, str(row.url), row.capture_id)
            if page["page_url"]:
                conn.execute(update(incidents).where(incidents.c.id == row.id).values(**page))
                found += 1
    return found


def _parse(severity: str) -> Severity:
    try:
        return Severity.parse(severity)
    except ValueError:
        return Severity.critical  # an unknown stored severity is treated as the worst, never dropped


def refresh(conn: Connection, incident_id: int, *, now: datetime | None = None) -> None:
    """Recompute the incident's severity (worst finding), first/last seen, ``removed_at`` (set when
    every finding's content is removed, to the latest removal; cleared when one is back) and
    ``reappeared_at`` (latest) from its findings.  The indexer calls it after a finding is seen
    again, removed or reappears.  An incident with no findings is left as it is."""
    rows = conn.execute(select(findings.c.severity, findings.c.first_seen, findings.c.last_seen,
                               findings.c.removed_at, findings.c.reappeared_at)
                        .where(findings.c.incident_id == incident_id)).all()
    if not rows:
        return
    current = conn.execute(select(incidents.c.removed_at, incidents.c.status)
                           .where(incidents.c.id == incident_id)).one()
    removed = [as_utc(r.removed_at) for r in rows]
    reappeared = [as_utc(r.reappeared_at) for r in rows if r.reappeared_at is not None]
    values: dict[str, Any] = {
        "severity": max(_parse(str(r.severity)) for r in rows).name,
        "first_seen": min(as_utc(r.first_seen) for r in rows),
        "last_seen": max(as_utc(r.last_seen) for r in rows),
        "reappeared_at": max(reappeared) if reappeared else None,
        "updated_at": as_utc(now) or datetime.now(UTC),
    }
    if all(r is not None for r in removed):
        values["removed_at"] = max(r for r in removed if r is not None)
    elif current.status != "removed" or reappeared:  # triage's removal time stands until the file is back
        values["removed_at"] = None
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))


def refresh_for_findings(conn: Connection, finding_ids: list[int], *, now: datetime | None = None) -> None:
    """:func:`refresh` the incidents of these findings (each once); findings without one are skipped."""
    if not finding_ids:
        return
    ids = conn.execute(select(findings.c.incident_id).where(findings.c.id.in_(finding_ids),
                                                            findings.c.incident_id.is_not(None))
                       .distinct()).scalars().all()
    for incident_id in ids:
        refresh(conn, int(incident_id), now=now)


def record_event(conn: Connection, incident_id: int, event: str, *, at: datetime | None = None,
                 user_id: int | None = None, note: str = "") -> None:
    """Append an event to the incident's history (e.g. the planner's ``alerted`` / ``escalated``, or
    another stage's ``reported`` evidence); ``note`` is shown in the timeline, so no personal values."""
    write_event(conn, incident_id, user_id, event, as_utc(at) or datetime.now(UTC), note)


def mark_alerted(conn: Connection, incident_id: int, severity: str, at: datetime, event: str = "alerted") -> None:
    """The planner planned an alert for the incident at ``severity``: stamps ``alerted_at`` (first
    time only) and ``alerted_severity``, and records ``event`` (``alerted``, ``escalated``,
    ``reappeared``) in its history."""
    at = as_utc(at)
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(
        alerted_at=func.coalesce(incidents.c.alerted_at, at), alerted_severity=severity))
    write_event(conn, incident_id, None, event, at, f"severity {severity}")


__all__ = [
    "MAX_NOTE", "OPEN_STATUSES", "TRANSITIONS", "Incident", "IncidentPage", "TriageError", "add_note", "assign",
    "find_linking_pages", "get_incident", "incident_for_finding", "incident_key", "list_incidents", "mark_alerted",
    "record_event", "refresh", "refresh_for_findings", "set_status",
]
