"""Web sessions kept on the server (docs/architecture.md §5 rule 6: sessions that logout really ends).

The browser's signed cookie carries a random session key; the catalog's ``web_sessions`` table holds
the SHA-256 of that key, the user, when it started and when it was last used.  A session is valid
while its row exists, it was used within ``session_idle_timeout`` and started within
``session_lifetime``.  Logout deletes its row; a password change, role change or disabling deletes
every row of the user, so a copied cookie stops working at once.  Replay links name the session
(by its row id, never the key) and die with it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, delete, insert, select, update

from core.catalog.schema import web_sessions
from core.timestamps import as_utc

# last_seen_at is written at most this often per session (not on every request).
TOUCH_EVERY = timedelta(seconds=30)


@dataclass(frozen=True)
class SessionRow:
    id: str
    user_id: int
    created_at: datetime
    last_seen_at: datetime


def session_id(key: str) -> str:
    """The row id of a session key (the key itself is never stored)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def start(conn: Connection, user_id: int, address: str, now: datetime | None = None) -> str:
    """A new session for the user; returns the key that goes into the cookie."""
    key = secrets.token_urlsafe(32)
    moment = now or datetime.now(UTC)
    conn.execute(insert(web_sessions).values(id=session_id(key), user_id=user_id, created_at=moment,
                                             last_seen_at=moment, address=address[:64]))
    return key


def find(conn: Connection, row_id: str, *, idle: float, lifetime: float,
         now: datetime | None = None) -> SessionRow | None:
    """The live session with this row id, or None (missing, idle too long, or too old)."""
    row = conn.execute(select(web_sessions).where(web_sessions.c.id == row_id)).first()
    if row is None:
        return None
    moment = now or datetime.now(UTC)
    created, seen = as_utc(row.created_at), as_utc(row.last_seen_at)
    assert created is not None and seen is not None
    if moment - seen > timedelta(seconds=idle) or moment - created > timedelta(seconds=lifetime):
        conn.execute(delete(web_sessions).where(web_sessions.c.id == row_id))
        return None
    return SessionRow(row.id, int(row.user_id), created, seen)


def touch(conn: Connection, found: SessionRow, now: datetime | None = None) -> None:
    moment = now or datetime.now(UTC)
    if moment - found.last_seen_at >= TOUCH_EVERY:
        conn.execute(update(web_sessions).where(web_sessions.c.id == found.id).values(last_seen_at=moment))


def end(conn: Connection, row_id: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id == row_id))


def end_all(conn: Connection, user_id: int) -> int:
    """End every session of the user (password, role or status changed); returns how many."""
    return int(conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id)).rowcount or 0)


def sweep(conn: Connection, lifetime: float, now: datetime | None = None) -> int:
    """Delete sessions past their lifetime (called on login, so the table stays small)."""
    cutoff = (now or datetime.now(UTC)) - timedelta(seconds=lifetime)
    return int(conn.execute(delete(web_sessions).where(web_sessions.c.created_at < cutoff)).rowcount or 0)
