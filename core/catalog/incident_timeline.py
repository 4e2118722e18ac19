"""An incident's timeline: published (first seen) → alerted → triaged → reported → removed, with the
time between steps in words ("online for 5 h 12 min"), plus its history (notes, assignments, alerts).

Durations are written for people, not machines: ``5 h 12 min``, ``2 d 3 h``, ``12 min``, and
``under a minute`` for less — never ``0m``.  While the file is not seen removed, the exposure is a
lower bound ("online for at least …") or, when it was seen only once, says just that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from core.catalog.incidents import Incident, get_incident
from core.catalog.schema import incident_events, users
from core.timestamps import as_utc

MILESTONES: tuple[tuple[str, str], ...] = (
    ("first_seen", "Published (first seen)"),
    ("alerted_at", "Alerted"),
    ("triaged_at", "Triaged"),
    ("reported_at", "Reported to the agency"),
    ("removed_at", "Removed"),
    ("reappeared_at", "Reappeared"),
)
"""(incident column, label) of each milestone, in the order of the story."""


def duration_words(seconds: float) -> str:
    """``5 h 12 min``, ``2 d 3 h``, ``12 min``, or ``under a minute`` (never ``0 min``)."""
    total = int(max(0.0, seconds)) // 60
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min" if minutes else "under a minute"


@dataclass(frozen=True)
class Step:
    """One entry of the timeline.

    ``event``: a milestone column name without ``_at`` (``first_seen``, ``alerted``, ``triaged``,
    ``reported``, ``removed``, ``reappeared``) or a history event (``status``, ``note``, ``assign``,
    ``reopened``, ``alerted``/``escalated`` from the planner…); ``milestone`` tells which.
    ``after_first_seen`` is seconds since first seen and ``after_words`` the same in words
    (``"5 h 12 min after first seen"``); ``since_previous`` is seconds since the previous step.
    """

    event: str
    at: datetime
    label: str
    milestone: bool
    after_first_seen: float
    after_words: str
    since_previous: float
    user_name: str | None = None
    note: str = ""
    from_status: str | None = None
    to_status: str | None = None


@dataclass(frozen=True)
class Timeline:
    """``steps`` oldest first; ``exposure_seconds`` first seen → removed (or → last seen while not
    removed, a lower bound); ``exposure_words`` the sentence to show ("online for 5 h 12 min")."""

    incident: Incident
    steps: list[Step]
    exposure_seconds: float
    exposure_words: str
    removed: bool


def exposure(incident: Incident) -> tuple[float, str]:
    """Seconds online and the sentence saying it: removed → "online for 5 h 12 min"; still served
    → "online for at least 5 h 12 min, not seen removed yet"; one capture only → "seen once, not
    seen removed yet" (never "at least 0 min")."""
    first = incident.first_seen
    if incident.removed_at is not None:
        seconds = max(0.0, (incident.removed_at - first).total_seconds())
        return seconds, f"online for {duration_words(seconds)}"
    seconds = max(0.0, (incident.last_seen - first).total_seconds())
    if seconds < 60:
        return seconds, "seen once, not seen removed yet"
    return seconds, f"online for at least {duration_words(seconds)}, not seen removed yet"


def _history(conn: Connection, incident_id: int) -> list[Any]:
    query = (select(incident_events, users.c.name.label("user_name"))
             .select_from(incident_events.outerjoin(users, users.c.id == incident_events.c.user_id))
             .where(incident_events.c.incident_id == incident_id)
             .order_by(incident_events.c.at, incident_events.c.id))
    return list(conn.execute(query).mappings())


def timeline(conn: Connection, incident_id: int, *, with_history: bool = True) -> Timeline | None:
    """The incident's milestones and (``with_history``) its events, oldest first, each with the
    time since first seen and since the previous step; None if there is no such incident."""
    incident = get_incident(conn, incident_id)
    if incident is None:
        return None
    raw: list[dict[str, Any]] = []
    for column, label in MILESTONES:
        at = getattr(incident, column)
        if at is not None:
            raw.append({"event": column.removesuffix("_at"), "at": at, "label": label, "milestone": True})
    if with_history:
        for row in _history(conn, incident_id):
            raw.append({"event": str(row["event"]), "at": as_utc(row["at"]), "label": _label(row),
                        "milestone": False, "user_name": row["user_name"], "note": str(row["note"] or ""),
                        "from_status": row["from_status"], "to_status": row["to_status"]})
    raw.sort(key=lambda r: (r["at"], not r["milestone"]))
    steps: list[Step] = []
    previous = incident.first_seen
    for item in raw:
        after = (item["at"] - incident.first_seen).total_seconds()
        words = "at first sight" if after < 60 else f"{duration_words(after)} after first seen"
        steps.append(Step(after_first_seen=after, after_words=words,
                          since_previous=max(0.0, (item["at"] - previous).total_seconds()), **item))
        previous = item["at"]
    seconds, words = exposure(incident)
    return Timeline(incident, steps, seconds, words, incident.removed_at is not None)


def _label(row: Any) -> str:
    event = str(row["event"])
    if event == "status":
        return f"Status {row['from_status']} → {row['to_status']}"
    return {"note": "Note", "assign": "Assignment", "reopened": "Reopened", "alerted": "Alert planned",
            "escalated": "Escalated (severity rose)", "reappeared": "Reappearance alerted"}.get(event, event)
