"""Notices about the service itself (crawls paused for disk space, WARC files given up, a crashed
worker) for the admin route named by ``admin_alert_route``.

They go through the same outbox as finding alerts (``deliveries`` rows with event ``ops``, retried
and dead-lettered the same way), with an idempotency key per topic, so a condition that lasts is
announced once, not on every check.  They carry paths, counts and error types: no archived content.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import Connection, select

from alerts.outbox import delivery_key, insert_ignore, row_for
from alerts.routes import Target
from core.catalog.schema import deliveries
from core.config import Config

log = logging.getLogger(__name__)

EVENT = "ops"


def enqueue_ops(conn: Connection, config: Config, topic: str, subject: str, text: str, now: datetime) -> list[int]:
    """One delivery per channel of the admin route (none when ``admin_alert_route`` is empty); a
    ``topic`` already announced is not announced again (use a new topic for a new occurrence)."""
    route_name = str(config.settings.admin_alert_route)
    if not route_name:
        return []
    route = next((r for r in config.alerts.routes if r.name == route_name), None)
    if route is None:
        log.error("admin_alert_route %r is not a route under alerts.routes; service notice not sent: %s",
                  route_name, subject)
        return []
    kinds = {c.name: c.kind for c in config.alerts.channels}
    ids: list[int] = []
    for channel in route.channels:
        if channel not in kinds:
            continue
        key = delivery_key(EVENT, topic, route.name, channel)
        target = Target(route.name, channel, kinds[channel], "immediate", now)
        insert_ignore(conn, row_for(target, key, None, EVENT, now, {"subject": subject[:200], "text": text[:4000]}))
        ids.append(int(conn.execute(select(deliveries.c.id).where(deliveries.c.idempotency_key == key)).scalar_one()))
    return ids
