"""Triage of an incident: its one status (moves in :data:`TRANSITIONS`), notes and assignment.

Each action writes an ``incident_events`` row (with the user) and the same event on every finding of
the incident (``finding_events``), and mirrors the status and assignee onto the findings, so code
that reads findings sees the incident's state.  Re-exported by :mod:`core.catalog.incidents`, which
is the module to import.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core.catalog.schema import finding_events, findings, incident_events, incidents, users
from core.timestamps import as_utc

MAX_NOTE = 4000

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "dismissed"),
    "confirmed": ("reported", "dismissed", "removed"),
    "reported": ("removed", "confirmed"),
    "dismissed": ("new",),
    "removed": ("confirmed",),
}
"""Triage moves: new → confirmed | dismissed (with a reason); confirmed → reported (to the agency) |
dismissed | removed; reported → removed (the file is gone) | confirmed; dismissed → new (reopen);
removed → confirmed (it came back)."""


class TriageError(ValueError):
    """A triage action that is not allowed or lacks what it needs; the message says which and what
    would be allowed (shown to the analyst as is)."""


def write_event(conn: Connection, incident_id: int, user_id: int | None, event: str, at: datetime, note: str = "",
                from_status: str | None = None, to_status: str | None = None) -> None:
    """One ``incident_events`` row (the note capped at :data:`MAX_NOTE` characters)."""
    conn.execute(insert(incident_events).values(incident_id=incident_id, at=at, user_id=user_id, event=event,
                                                from_status=from_status, to_status=to_status, note=note[:MAX_NOTE]))


def _require(conn: Connection, incident_id: int) -> Any:
    row = conn.execute(select(incidents.c.status, incidents.c.first_seen, incidents.c.removed_at,
                              incidents.c.triaged_at, incidents.c.reported_at)
                       .where(incidents.c.id == incident_id)).mappings().first()
    if row is None:
        raise TriageError(f"incident {incident_id} does not exist")
    return row


def set_status(conn: Connection, incident_id: int, to_status: str, user_id: int | None, note: str = "", *,
               removed_at: datetime | None = None, at: datetime | None = None) -> None:
    """Move the incident (and every finding of it) to ``to_status``, as user ``user_id``.

    Allowed moves are :data:`TRANSITIONS`; dismissing needs a ``note`` (the reason).  ``removed``
    takes ``removed_at`` (default: the removal the indexer saw, else now), which may not be before
    ``first_seen``.  Stamps ``triaged_at`` on the first change and ``reported_at`` on the first move to
    ``reported``; writes one ``incident_events`` row and a ``finding_events`` ``status`` row per finding
    (their history stays complete).  Raises :class:`TriageError` with what is allowed instead.
    """
    at = as_utc(at) or datetime.now(UTC)
    row = _require(conn, incident_id)
    current = str(row["status"])
    allowed = TRANSITIONS.get(current, ())
    if to_status not in allowed:
        choices = ", ".join(allowed) or "nothing"
        raise TriageError(f"incident {incident_id} is {current}; it can become {choices}, not {to_status}")
    note = note.strip()
    if to_status == "dismissed" and not note:
        raise TriageError("dismissing needs a reason (e.g. 'aggregate table', 'public officials')")
    values: dict[str, Any] = {"status": to_status, "updated_at": at, "triaged_at": as_utc(row["triaged_at"]) or at}
    finding_values: dict[str, Any] = {"status": to_status}
    if to_status == "reported" and row["reported_at"] is None:
        values["reported_at"] = at
    if to_status == "removed":
        when = as_utc(removed_at) or as_utc(row["removed_at"]) or at
        if when < as_utc(row["first_seen"]):
            raise TriageError("the removal time is before the file was first seen")
        values["removed_at"] = finding_values["removed_at"] = when
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(**values))
    conn.execute(update(findings).where(findings.c.incident_id == incident_id).values(**finding_values))
    _finding_events(conn, incident_id, user_id, "status", at, note, current, to_status)
    write_event(conn, incident_id, user_id, "status", at, note, current, to_status)


def add_note(conn: Connection, incident_id: int, user_id: int | None, note: str, *,
             at: datetime | None = None) -> None:
    """A free-text note on the incident's history (and its findings').  Raises :class:`TriageError` if
    empty or if there is no such incident."""
    note = note.strip()
    if not note:
        raise TriageError("the note is empty")
    _require(conn, incident_id)
    at = as_utc(at) or datetime.now(UTC)
    write_event(conn, incident_id, user_id, "note", at, note)
    _finding_events(conn, incident_id, user_id, "note", at, note)


def assign(conn: Connection, incident_id: int, assignee_id: int | None, user_id: int | None, *,
           at: datetime | None = None) -> None:
    """Assign the incident (and its findings) to an enabled analyst or admin, or unassign (None)."""
    _require(conn, incident_id)
    label = "unassigned"
    if assignee_id is not None:
        name = conn.execute(select(users.c.name).where(users.c.id == assignee_id, users.c.disabled.is_(False),
                                                      users.c.role != "viewer")).scalar()
        if name is None:
            raise TriageError("incidents can be assigned to enabled analysts and admins only")
        label = f"assigned to {name}"
    conn.execute(update(incidents).where(incidents.c.id == incident_id).values(assignee_id=assignee_id))
    conn.execute(update(findings).where(findings.c.incident_id == incident_id).values(assignee_id=assignee_id))
    at = as_utc(at) or datetime.now(UTC)
    write_event(conn, incident_id, user_id, "assign", at, label)
    _finding_events(conn, incident_id, user_id, "assign", at, label)


def _finding_events(conn: Connection, incident_id: int, user_id: int | None, event: str, at: datetime, note: str,
                    from_status: str | None = None, to_status: str | None = None) -> None:
    """The same triage event on every finding of the incident, so each finding's history is complete."""
    ids = conn.execute(select(findings.c.id).where(findings.c.incident_id == incident_id)).scalars().all()
    if ids:
        conn.execute(insert(finding_events), [
            {"finding_id": i, "at": at, "user_id": user_id, "event": event, "from_status": from_status,
             "to_status": to_status, "note": note[:MAX_NOTE], "alerts_planned_at": at} for i in ids])
