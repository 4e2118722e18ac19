"""Which deliveries a finding event needs: one alert per incident (published file) and route.

A file can yield several findings (a ``person_table`` and a ``hidden_content`` in one workbook), found
in the same index run or later.  People want one message about the file, not one per finding:

- ``new``: the first finding of an incident that a route matches creates that route's ``new`` alert.
  A later finding of the same incident creates nothing on a route that was already alerted — unless
  it raises the severity that route saw, which creates one ``escalated`` alert (per severity reached).
- ``reappeared``: a removed file served again alerts once per reappearance (keyed by its time), however
  many findings of the file come back with it.
- a dismissed incident alerts nothing.

Each route is matched against every finding of the incident (site, kind, severity); its alert
carries the worst finding that route matches (the representative ``finding_id`` of the delivery).
Idempotency keys are ``incident:<id>:new:<route>:<channel>``, ``incident:<id>:escalated@<severity>:…``
and ``incident:<id>:reappeared@<YYYYmmddTHHMMSS>:…``; planning an event twice creates nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from alerts.outbox import FINDING_EVENTS, delivery_key, insert_ignore, row_for, utcnow
from alerts.routes import Target, targets_for
from core.catalog import incidents as incident_store
from core.catalog.schema import deliveries, findings
from core.config import Config
from core.models import Severity
from core.timestamps import as_utc

log = logging.getLogger(__name__)

ALERTED_EVENTS = ("new", "escalated")


@dataclass(frozen=True)
class Choice:
    """A route's channel and the worst finding of the incident that the route matches."""

    target: Target
    finding_id: int
    severity: Severity


def _severity(value: str, finding_id: int) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError:
        log.warning("finding %s has unknown severity; routed as critical so it is not dropped", finding_id)
        return Severity.critical


def _choices(conn: Connection, incident_id: int, config: Config, now: datetime) -> list[Choice]:
    members = conn.execute(select(findings.c.id, findings.c.site_id, findings.c.kind, findings.c.severity)
                           .where(findings.c.incident_id == incident_id).order_by(findings.c.id)).all()
    ranked = sorted(((_severity(str(m.severity), int(m.id)), m) for m in members),
                    key=lambda pair: (-pair[0], pair[1].id))
    chosen: dict[tuple[str, str], Choice] = {}
    for severity, member in ranked:
        for target in targets_for(config, site_id=member.site_id, kind=str(member.kind), severity=severity,
                                  moment=now):
            chosen.setdefault((target.route, target.channel), Choice(target, int(member.id), severity))
    return list(chosen.values())


def _alerted(conn: Connection, incident_id: int, route: str, channel: str) -> Severity | None:
    """The worst severity already alerted (new/escalated) on this route and channel, None if never."""
    rows = conn.execute(select(findings.c.severity).select_from(
        deliveries.join(findings, findings.c.id == deliveries.c.finding_id))
        .where(deliveries.c.incident_id == incident_id, deliveries.c.route == route,
               deliveries.c.channel == channel, deliveries.c.event.in_(ALERTED_EVENTS))).scalars().all()
    return max((_severity(str(r), 0) for r in rows), default=None)


def enqueue_for_finding(conn: Connection, finding_id: int, event: str, config: Config, *,
                        now: datetime | None = None) -> int:
    """Create the deliveries a finding event needs, per incident, in the caller's transaction.

    ``event`` is ``new`` or ``reappeared``.  A finding not yet attached to an incident is attached
    first (:func:`core.catalog.incidents.incident_for_finding`).  Returns the deliveries created
    (0 on a repeated call, for a dismissed incident, or when no route's severity rose).
    Raises ValueError for another event and LookupError for a missing finding.
    """
    if event not in FINDING_EVENTS:
        raise ValueError(f"event {event!r} is not one of {', '.join(FINDING_EVENTS)}")
    now = now or utcnow()
    row = conn.execute(select(findings.c.incident_id, findings.c.reappeared_at)
                       .where(findings.c.id == finding_id)).first()
    if row is None:
        raise LookupError(f"finding {finding_id} does not exist; plan its events after inserting it, in the "
                          "same transaction")
    incident_id = int(row.incident_id) if row.incident_id is not None else \
        incident_store.incident_for_finding(conn, finding_id, now=now)
    incident = incident_store.get_incident(conn, incident_id)
    if incident is None or incident.status == "dismissed":
        return 0
    created, kinds = 0, set()
    for choice in _choices(conn, incident_id, config, now):
        route, channel = choice.target.route, choice.target.channel
        if event == "reappeared":
            when = as_utc(row.reappeared_at) or incident.reappeared_at or now
            part, kind = f"reappeared@{when.strftime('%Y%m%dT%H%M%S')}", "reappeared"
        else:
            before = _alerted(conn, incident_id, route, channel)
            if before is None:
                part = kind = "new"
            elif choice.severity > before:
                part, kind = f"escalated@{choice.severity.name}", "escalated"
            else:
                continue
        key = delivery_key("incident", str(incident_id), part, route, channel)
        made = insert_ignore(conn, row_for(choice.target, key, choice.finding_id, kind, now,
                                           {"severity": choice.severity.name}, incident_id=incident_id))
        created += made
        if made:
            kinds.add(kind)
    for kind in sorted(kinds):
        incident_store.mark_alerted(conn, incident_id, incident.severity, now,
                                    event="alerted" if kind == "new" else kind)
    return created
