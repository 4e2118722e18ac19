"""Finding triage: status transitions, notes and assignment, each written to ``finding_events``.

new → confirmed | dismissed (with a reason); confirmed → reported (to the agency) | dismissed;
reported → removed (the file is gone; the exposure window closes); dismissed → new (reopen);
removed → confirmed (it came back).  The UI and the API both go through :func:`transition`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from core.catalog.schema import finding_events, findings, users
from core.timestamps import as_utc

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirmed", "dismissed"),
    "confirmed": ("reported", "dismissed", "removed"),
    "reported": ("removed", "confirmed"),
    "dismissed": ("new",),
    "removed": ("confirmed",),
}
ACTION_LABELS = {"confirmed": "Confirm", "dismissed": "Dismiss", "reported": "Reported to agency",
                 "removed": "Removed", "new": "Reopen"}
MAX_NOTE = 4000


class TriageError(ValueError):
    """A transition that is not allowed or lacks what it needs; the message says which."""


@dataclass
class Outcome:
    changed: list[int]
    skipped: dict[int, str]


def exposure(row: Any) -> float | None:
    """Seconds the file was seen online: first seen → removed, or → last seen while not removed
    (a lower bound: it may still be online)."""
    first = as_utc(row["first_seen"])
    end = as_utc(row["removed_at"]) or as_utc(row["last_seen"])
    if first is None or end is None:
        return None
    return max(0.0, (end - first).total_seconds())


def _event(conn: Connection, finding_id: int, user_id: int | None, event: str, note: str = "",
           from_status: str | None = None, to_status: str | None = None, at: datetime | None = None) -> None:
    conn.execute(insert(finding_events).values(finding_id=finding_id, at=at or datetime.now(UTC), user_id=user_id,
                                               event=event, from_status=from_status, to_status=to_status,
                                               note=note[:MAX_NOTE]))


def transition(conn: Connection, finding_id: int, to_status: str, user_id: int | None, note: str = "",
               removed_at: datetime | None = None) -> None:
    row = conn.execute(select(findings.c.status, findings.c.removed_at, findings.c.first_seen)
                       .where(findings.c.id == finding_id)).mappings().first()
    if row is None:
        raise TriageError(f"finding {finding_id} does not exist")
    current = str(row["status"])
    allowed = TRANSITIONS.get(current, ())
    if to_status not in allowed:
        choices = ", ".join(allowed) or "nothing"
        raise TriageError(f"finding {finding_id} is {current}; it can become {choices}, not {to_status}")
    note = note.strip()
    if to_status == "dismissed" and not note:
        raise TriageError("dismissing needs a reason (e.g. 'aggregate table', 'public officials')")
    values: dict[str, Any] = {"status": to_status}
    if to_status == "removed":
        when = as_utc(removed_at) or as_utc(row["removed_at"]) or datetime.now(UTC)
        first = as_utc(row["first_seen"])
        if first is not None and when < first:
            raise TriageError("the removal time is before the file was first seen")
        values["removed_at"] = when
    conn.execute(update(findings).where(findings.c.id == finding_id).values(**values))
    _event(conn, finding_id, user_id, "status", note, current, to_status)


def bulk_transition(conn: Connection, finding_ids: Iterable[int], to_status: str, user_id: int | None,
                    note: str = "") -> Outcome:
    outcome = Outcome([], {})
    for finding_id in finding_ids:
        try:
            transition(conn, finding_id, to_status, user_id, note)
        except TriageError as exc:
            outcome.skipped[finding_id] = str(exc)
        else:
            outcome.changed.append(finding_id)
    return outcome


def add_note(conn: Connection, finding_id: int, user_id: int | None, note: str) -> None:
    note = note.strip()
    if not note:
        raise TriageError("the note is empty")
    if conn.execute(select(findings.c.id).where(findings.c.id == finding_id)).first() is None:
        raise TriageError(f"finding {finding_id} does not exist")
    _event(conn, finding_id, user_id, "note", note)


def assign(conn: Connection, finding_id: int, assignee_id: int | None, user_id: int | None) -> None:
    if conn.execute(select(findings.c.id).where(findings.c.id == finding_id)).first() is None:
        raise TriageError(f"finding {finding_id} does not exist")
    label = "unassigned"
    if assignee_id is not None:
        name = conn.execute(select(users.c.name).where(users.c.id == assignee_id, users.c.disabled.is_(False),
                                                      users.c.role != "viewer")).scalar()
        if name is None:
            raise TriageError("findings can be assigned to enabled analysts and admins only")
        label = f"assigned to {name}"
    conn.execute(update(findings).where(findings.c.id == finding_id).values(assignee_id=assignee_id))
    _event(conn, finding_id, user_id, "assign", label)


def history(conn: Connection, finding_id: int) -> list[dict[str, Any]]:
    query = (select(finding_events, users.c.name.label("user_name"))
             .select_from(finding_events.outerjoin(users, users.c.id == finding_events.c.user_id))
             .where(finding_events.c.finding_id == finding_id)
             .order_by(finding_events.c.at.desc(), finding_events.c.id.desc()))
    return [dict(r) for r in conn.execute(query).mappings()]
