"""The scheduler lease of `spillwatch run`: a second holder is refused while the first one's heartbeat
is fresh and takes over once it is older than the lease's 30 s — what a restart after a kill -9 meets
(tests/e2e/test_chaos.py moves the killed holder's heartbeat back instead of waiting 31 s)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from core.catalog import schema as s
from spillwatch.service.lease import Lease, LeaseHeld


def test_a_crashed_holders_lease_is_taken_over_only_after_30_s(catalog: Engine) -> None:
    start = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    crashed, restarted = Lease(catalog, holder="host:1"), Lease(catalog, holder="host:2")
    assert crashed.ttl == timedelta(seconds=30)
    crashed.acquire(now=start)
    crashed.renew(now=start + timedelta(seconds=5))  # its last heartbeat; then it is killed
    with pytest.raises(LeaseHeld, match="expires 30 s after its last heartbeat"):
        restarted.acquire(now=start + timedelta(seconds=34))
    restarted.acquire(now=start + timedelta(seconds=36))
    with catalog.connect() as conn:
        row = conn.execute(select(s.service_leases)).mappings().one()
    assert row["holder"] == "host:2"
    with pytest.raises(LeaseHeld, match="taken over"):
        crashed.renew(now=start + timedelta(seconds=37))
