"""The alert outbox: one ``deliveries`` row per (incident alert, route, channel) in the catalog.

The planner (:mod:`alerts.planner`) decides which deliveries an incident needs and inserts them here
with :func:`insert_ignore`.  Each delivery has an idempotency key (incident, event, route, channel —
plus the reappearance time or the escalated severity), inserted with ``ON CONFLICT DO NOTHING``:
planning again, or re-indexing the same WARC, creates nothing twice.

States: ``pending`` → ``sending`` (claimed by a dispatcher, with a lease) → ``sent``; a failed attempt
goes to ``failed`` with a next attempt time, and after ``alert_max_attempts`` (or a permanent error)
to ``dead``.  ``spillwatch alerts retry`` moves ``failed``/``dead`` rows back to ``pending``.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from alerts.routes import Target, effective_routes, find_route
from core.catalog.schema import deliveries
from core.config import Config
from core.timestamps import as_utc

log = logging.getLogger(__name__)

FINDING_EVENTS = ("new", "reappeared")
DUE_STATES = ("pending", "failed", "sending")
FAILED_STATES = ("failed", "dead")
KEY_LIMIT = 255


def utcnow() -> datetime:
    return datetime.now(UTC)


def delivery_key(*parts: str) -> str:
    key = ":".join(parts)
    if len(key) <= KEY_LIMIT:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return key[: KEY_LIMIT - 41] + ":" + digest


def insert_ignore(conn: Connection, row: dict[str, Any]) -> int:
    """Insert unless the idempotency key exists; never raises on a duplicate (keeps the caller's
    transaction usable on PostgreSQL, where a failed INSERT would abort it)."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        stmt: Any = sqlite.insert(deliveries).values(**row).on_conflict_do_nothing(
            index_elements=["idempotency_key"])
    elif dialect == "postgresql":
        stmt = postgresql.insert(deliveries).values(**row).on_conflict_do_nothing(
            index_elements=["idempotency_key"])
    else:
        exists = conn.execute(select(deliveries.c.id).where(
            deliveries.c.idempotency_key == row["idempotency_key"])).first()
        if exists is not None:
            return 0
        stmt = insert(deliveries).values(**row)
    # RETURNING (not rowcount, which some drivers report as -1) tells whether a row was created.
    return len(conn.execute(stmt.returning(deliveries.c.id)).all())


def row_for(target: Target, key: str, finding_id: int | None, event: str, now: datetime,
            extra: dict[str, Any] | None = None, incident_id: int | None = None) -> dict[str, Any]:
    """The ``deliveries`` row of one target (route, channel, due time), pending."""
    payload: dict[str, Any] = {"mode": target.mode}
    if target.mode != "immediate":
        payload["batch"] = target.due_at.isoformat()
    payload.update(extra or {})
    return {
        "idempotency_key": key,
        "finding_id": finding_id,
        "incident_id": incident_id,
        "event": event,
        "route": target.route,
        "channel": target.channel,
        "notifier": target.notifier,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": target.due_at,
        "last_error": "",
        "created_at": now,
        "sent_at": None,
        "payload": payload,
    }


def enqueue_test(conn: Connection, config: Config, route_name: str | None = None, *,
                 now: datetime | None = None) -> list[int]:
    """A clearly marked test delivery on every channel of one route (or of every route), due now,
    bypassing digests and quiet hours.  Returns the new delivery ids."""
    now = now or utcnow()
    routes = [find_route(config, route_name)] if route_name else effective_routes(config)
    if not routes:
        raise LookupError("no alert routes or channels configured; add alerts.channels and alerts.routes "
                          "to the config file")
    kinds = {c.name: c.kind for c in config.alerts.channels}
    run = uuid.uuid4().hex[:12]
    ids: list[int] = []
    for route in routes:
        for channel in route.channels:
            target = Target(route.name, channel, kinds[channel], "immediate", now)
            key = delivery_key("test", run, route.name, channel)
            insert_ignore(conn, row_for(target, key, None, "test", now, {"test": True}))
            ids.append(int(conn.execute(select(deliveries.c.id).where(
                deliveries.c.idempotency_key == key)).scalar_one()))
    return ids


@dataclass(frozen=True)
class Delivery:
    id: int
    key: str
    finding_id: int | None
    event: str
    route: str
    channel: str
    notifier: str
    status: str
    attempts: int
    next_attempt_at: datetime
    payload: dict[str, Any]

    @property
    def batch(self) -> str | None:
        value = self.payload.get("batch") if isinstance(self.payload, dict) else None
        return str(value) if value else None


def _delivery(row: Any) -> Delivery:
    payload = row.payload if isinstance(row.payload, dict) else {}
    return Delivery(int(row.id), str(row.idempotency_key), row.finding_id, str(row.event), str(row.route),
                    str(row.channel), str(row.notifier), str(row.status), int(row.attempts),
                    as_utc(row.next_attempt_at) or utcnow(), payload)


def due_deliveries(conn: Connection, now: datetime, limit: int = 200,
                   only_ids: Sequence[int] | None = None) -> list[Delivery]:
    """Deliveries whose time has come: pending, failed (retry time reached) or sending with an expired
    lease (a dispatcher crashed between claiming and recording)."""
    query = select(deliveries).where(
        deliveries.c.status.in_(DUE_STATES), deliveries.c.next_attempt_at <= now
    ).order_by(deliveries.c.next_attempt_at, deliveries.c.id).limit(limit)
    if only_ids is not None:
        query = query.where(deliveries.c.id.in_(list(only_ids)))
    return [_delivery(r) for r in conn.execute(query)]


def claim(conn: Connection, delivery: Delivery, now: datetime, lease: timedelta) -> bool:
    """Take a delivery for sending (optimistic: fails if another dispatcher changed it first)."""
    result = conn.execute(
        update(deliveries)
        .where(deliveries.c.id == delivery.id, deliveries.c.status == delivery.status,
               deliveries.c.attempts == delivery.attempts)
        .values(status="sending", attempts=delivery.attempts + 1, next_attempt_at=now + lease)
    )
    return result.rowcount == 1


def mark_sent(conn: Connection, ids: Iterable[int], now: datetime) -> None:
    conn.execute(update(deliveries).where(deliveries.c.id.in_(list(ids)))
                 .values(status="sent", sent_at=now, last_error=""))


def mark_failed(conn: Connection, ids: Iterable[int], error: str, next_attempt: datetime | None) -> None:
    """``next_attempt`` None: dead (dead-letter); else failed, retried at that time."""
    values: dict[str, Any] = {"last_error": error[:2000]}
    if next_attempt is None:
        values["status"] = "dead"
    else:
        values.update(status="failed", next_attempt_at=next_attempt)
    conn.execute(update(deliveries).where(deliveries.c.id.in_(list(ids))).values(**values))


def defer(conn: Connection, ids: Iterable[int], until: datetime, reason: str) -> None:
    """Put claimed deliveries back without counting the attempt (rate limited by the receiver)."""
    conn.execute(update(deliveries).where(deliveries.c.id.in_(list(ids))).values(
        status="pending", attempts=deliveries.c.attempts - 1, next_attempt_at=until, last_error=reason[:2000]))


def list_deliveries(conn: Connection, *, failed_only: bool = False, limit: int = 50) -> list[Any]:
    query = select(deliveries).order_by(deliveries.c.id.desc()).limit(limit)
    if failed_only:
        query = query.where(deliveries.c.status.in_(FAILED_STATES))
    return list(conn.execute(query))


def retry(conn: Connection, *, ids: Sequence[int] | None = None, all_failed: bool = False,
          now: datetime | None = None) -> list[int]:
    """Send failed or dead deliveries again, with a fresh attempt budget; returns the ids reset."""
    now = now or utcnow()
    if not ids and not all_failed:
        raise ValueError("give delivery ids or all_failed=True")
    condition: ColumnElement[bool] = deliveries.c.status.in_(FAILED_STATES)
    if ids:
        condition = and_(deliveries.c.id.in_(list(ids)),
                         or_(condition, deliveries.c.status == "pending"))
    chosen = [int(r.id) for r in conn.execute(select(deliveries.c.id).where(condition))]
    if chosen:
        conn.execute(update(deliveries).where(deliveries.c.id.in_(chosen)).values(
            status="pending", attempts=0, next_attempt_at=now))
    return chosen
