"""A lease in the catalog so that only one scheduler runs against a catalog.

Works the same on SQLite and PostgreSQL: the row is taken with an INSERT (unique primary key) or by
replacing a holder whose heartbeat is older than ``ttl``; the holder renews it every few seconds.
A crashed holder's lease expires after ``ttl``, so a restart never needs manual clean-up.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from core.catalog.schema import service_leases
from core.errors import SpillwatchError
from core.timestamps import as_utc


class LeaseHeld(SpillwatchError):
    """Another process holds the lease."""


def default_holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    def __init__(self, engine: Engine, name: str = "scheduler", holder: str | None = None,
                 ttl: timedelta = timedelta(seconds=30)) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder or default_holder()
        self.ttl = ttl

    def acquire(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(service_leases).where(service_leases.c.name == self.name)).mappings().first()
            if row is not None:
                fresh = as_utc(row["heartbeat_at"]) > now - self.ttl
                if fresh and row["holder"] != self.holder:
                    raise LeaseHeld(
                        f"another `spillwatch run` ({row['holder']}) is already scheduling against this catalog "
                        f"(last heartbeat {as_utc(row['heartbeat_at']):%Y-%m-%d %H:%M:%S} UTC). Stop it first; "
                        f"if it crashed, its lease expires {int(self.ttl.total_seconds())} s after its last "
                        "heartbeat"
                    )
                taken = conn.execute(
                    update(service_leases)
                    .where(service_leases.c.name == self.name, service_leases.c.holder == row["holder"],
                           service_leases.c.heartbeat_at == row["heartbeat_at"])
                    .values(holder=self.holder, acquired_at=now, heartbeat_at=now)
                ).rowcount
                if taken != 1:
                    raise LeaseHeld("another `spillwatch run` took the scheduler lease at the same moment")
                return
            try:
                with conn.begin_nested():
                    conn.execute(insert(service_leases).values(name=self.name, holder=self.holder,
                                                               acquired_at=now, heartbeat_at=now))
            except IntegrityError:
                raise LeaseHeld("another `spillwatch run` took the scheduler lease at the same moment") from None

    def renew(self, now: datetime | None = None) -> None:
        now = now or datetime.now(UTC)
        with self.engine.begin() as conn:
            renewed = conn.execute(
                update(service_leases)
                .where(service_leases.c.name == self.name, service_leases.c.holder == self.holder)
                .values(heartbeat_at=now)
            ).rowcount
        if renewed != 1:
            raise LeaseHeld(f"the scheduler lease was taken over by another process; {self.holder} stops")

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(service_leases).where(service_leases.c.name == self.name,
                                                      service_leases.c.holder == self.holder))
