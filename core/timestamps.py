"""Catalog timestamps are UTC everywhere; SQLite hands them back naive, PostgreSQL in the session's
zone. :func:`as_utc` makes either an aware UTC datetime (the one copy of that rule)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


@overload
def as_utc(value: datetime) -> datetime: ...


@overload
def as_utc(value: None) -> None: ...


def as_utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is UTC:  # the usual case, and astimezone() is not free (the indexer calls this a lot)
        return value
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
