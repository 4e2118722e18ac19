"""From finding events to deliveries: the alerts side's planning step.

The indexer records each new finding and each reappearance as a ``finding_events`` row (``new``,
``reappeared``) in the transaction that stores it, and sends nothing.  :func:`plan_events` turns the
events not yet planned into outbox rows — one alert per incident (published file) and route, a later
finding of the same file alerting again only when it raises the severity
(:func:`alerts.incident_alerts.enqueue_for_finding`: routes, digests, idempotency keys) — and stamps
them ``alerts_planned_at``, in one transaction.  The dispatcher runs it at
the start of every pass, so a finding reaches the outbox as fast as the dispatcher wakes (the service
wakes it after each index run).  Two planners racing (two machines) create nothing twice: the
deliveries' idempotency keys absorb the second insert.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Engine, select, update

from alerts.incident_alerts import enqueue_for_finding
from alerts.outbox import FINDING_EVENTS, utcnow
from core.catalog.schema import finding_events
from core.config import Config

log = logging.getLogger(__name__)

PLAN_BATCH = 500


def plan_events(engine: Engine, config: Config, now: datetime | None = None, limit: int = PLAN_BATCH) -> int:
    """Create the deliveries of unplanned finding events (at most ``limit`` events); returns how many
    deliveries were created."""
    now = now or utcnow()
    with engine.begin() as conn:
        events = conn.execute(
            select(finding_events.c.id, finding_events.c.finding_id, finding_events.c.event)
            .where(finding_events.c.alerts_planned_at.is_(None), finding_events.c.event.in_(FINDING_EVENTS))
            .order_by(finding_events.c.id).limit(limit)
        ).all()
        if not events:
            return 0
        created = sum(enqueue_for_finding(conn, int(e.finding_id), str(e.event), config, now=now) for e in events)
        conn.execute(update(finding_events).where(finding_events.c.id.in_([e.id for e in events]))
                     .values(alerts_planned_at=now))
    log.info("planned %d finding event(s): %d delivery(ies)", len(events), created)
    return created

