"""The audit log: who viewed unmasked data, downloaded or replayed originals, and changed accounts.

Entries hold ids and action names only, never the data that was viewed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from core.catalog.schema import audit_log, users

# Actions that expose unmasked personal data; the audit page can filter on them.
UNMASKED_ACTIONS = ("view_unmasked", "replay", "download", "api_view_unmasked", "search_flagged",
                    "cli_search_unmasked")


def record(conn: Connection, user_id: int | None, action: str, target: str = "",
           details: dict[str, Any] | None = None) -> None:
    conn.execute(insert(audit_log).values(at=datetime.now(UTC), user_id=user_id, action=action,
                                          target=target, details=details or {}))


def record_now(engine: Engine, user_id: int | None, action: str, target: str = "",
               details: dict[str, Any] | None = None) -> None:
    """Record in a transaction of its own (committed before the data is sent)."""
    with engine.begin() as conn:
        record(conn, user_id, action, target, details)


def record_flagged_search(engine: Engine, user_id: int, hits: list[Any], via: str) -> None:
    """An analyst's search matched unmasked text of documents with findings: which captures (never
    the query, which may be a person's name)."""
    flagged = sorted({int(h.capture_id) for h in hits if h.has_finding and h.capture_id is not None})
    if flagged:
        record_now(engine, user_id, "search_flagged", via, {"flagged_captures": flagged[:100],
                                                           "hits": len(hits)})


def recent(conn: Connection, *, action: str | None = None, unmasked_only: bool = False,
           limit: int = 200) -> list[dict[str, Any]]:
    query = (select(audit_log, users.c.name.label("user_name"))
             .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.user_id))
             .order_by(audit_log.c.id.desc()).limit(limit))
    if action:
        query = query.where(audit_log.c.action == action)
    if unmasked_only:
        query = query.where(audit_log.c.action.in_(UNMASKED_ACTIONS))
    return [dict(r) for r in conn.execute(query).mappings()]
