"""Triage of findings (the API, the queue's bulk actions): every action acts on the finding's incident.

An incident (one published file, :mod:`core.catalog.incidents`) holds the one triage state, so
confirming, dismissing, reporting, removing, noting or assigning a finding does it for the whole file
(every finding of it gets the same status and history entry).  The moves are
:data:`core.catalog.incidents.TRANSITIONS`.  The forms of a finding's page go through
:mod:`web.triage_panel`, the same code as an incident's page, to the finding's incident
(:func:`incident_of`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from core.catalog import incidents as store
from core.catalog.incidents import TRANSITIONS, TriageError
from core.catalog.schema import finding_events, findings, users
from core.timestamps import as_utc

__all__ = ["ACTION_LABELS", "TRANSITIONS", "Outcome", "TriageError", "add_note", "assign", "bulk_transition",
           "exposure", "history", "incident_of", "transition"]

ACTION_LABELS = {"confirmed": "Confirm", "dismissed": "Dismiss", "reported": "Reported to agency",
                 "removed": "Removed", "new": "Reopen"}


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


def incident_of(conn: Connection, finding_id: int) -> int:
    """The finding's incident (attached now if the finding predates incidents); TriageError if the
    finding does not exist."""
    row = conn.execute(select(findings.c.incident_id).where(findings.c.id == finding_id)).first()
    if row is None:
        raise TriageError(f"finding {finding_id} does not exist")
    return int(row[0]) if row[0] is not None else store.incident_for_finding(conn, finding_id)


def transition(conn: Connection, finding_id: int, to_status: str, user_id: int | None, note: str = "",
               removed_at: datetime | None = None) -> None:
    store.set_status(conn, incident_of(conn, finding_id), to_status, user_id, note, removed_at=removed_at)


def bulk_transition(conn: Connection, finding_ids: Iterable[int], to_status: str, user_id: int | None,
                    note: str = "") -> Outcome:
    """Each finding's incident moves once; findings of an incident already moved in this call count as
    changed with it."""
    outcome = Outcome([], {})
    done: dict[int, str | None] = {}  # incident → None (moved) or the reason it was skipped
    for finding_id in finding_ids:
        try:
            incident_id = incident_of(conn, finding_id)
            if incident_id not in done:
                try:
                    store.set_status(conn, incident_id, to_status, user_id, note)
                    done[incident_id] = None
                except TriageError as exc:
                    done[incident_id] = str(exc)
            reason = done[incident_id]
            if reason is not None:
                raise TriageError(reason)
        except TriageError as exc:
            outcome.skipped[finding_id] = str(exc)
        else:
            outcome.changed.append(finding_id)
    return outcome


def add_note(conn: Connection, finding_id: int, user_id: int | None, note: str) -> None:
    store.add_note(conn, incident_of(conn, finding_id), user_id, note)


def assign(conn: Connection, finding_id: int, assignee_id: int | None, user_id: int | None) -> None:
    store.assign(conn, incident_of(conn, finding_id), assignee_id, user_id)


def history(conn: Connection, finding_id: int) -> list[dict[str, Any]]:
    query = (select(finding_events, users.c.name.label("user_name"))
             .select_from(finding_events.outerjoin(users, users.c.id == finding_events.c.user_id))
             .where(finding_events.c.finding_id == finding_id)
             .order_by(finding_events.c.at.desc(), finding_events.c.id.desc()))
    return [dict(r) for r in conn.execute(query).mappings()]
