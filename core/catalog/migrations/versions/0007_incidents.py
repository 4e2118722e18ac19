"""incidents: one incident per published file (site + URL), findings and deliveries point at it

Revision ID: 0007_incidents
Revises: 0006_archive_digests
Create Date: 2026-12-02 07:40:00

Existing findings are grouped by (site, URL) into incidents.  The incident's severity is the worst
of its findings, first/last seen the widest span, ``removed_at`` the latest removal when every finding
is removed.  Its status is the most advanced triage state among its findings (removed > reported >
confirmed > new > dismissed: an incident with one dismissed and one new finding still needs a look),
and that status is written back to every finding, since the incident now holds the one triage state.
``alerted_at`` is the first delivery sent for any of its findings, ``triaged_at`` the first status
change, ``reported_at`` the first move to ``reported``.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_incidents"
down_revision = "0006_archive_digests"
branch_labels = None
depends_on = None

SEVERITY_RANK = {"low": 1, "medium": 2, "high": 3, "critical": 4}
STATUS_RANK = {"dismissed": 0, "new": 1, "confirmed": 2, "reported": 3, "removed": 4}


def _key(site_id: str | None, url: str) -> str:
    """The same key as core.catalog.incidents.incident_key (copied: a migration stays frozen)."""
    return hashlib.sha256(f"{site_id or ''}\n{url}".encode()).hexdigest()


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _create_tables() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("capture_id", sa.Integer(), nullable=True),
        sa.Column("page_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("page_capture_id", sa.Integer(), nullable=True),
        sa.Column("page_change_id", sa.Integer(), nullable=True),
        sa.Column("first_seen", ts, nullable=False),
        sa.Column("last_seen", ts, nullable=False),
        sa.Column("alerted_at", ts, nullable=True),
        sa.Column("alerted_severity", sa.String(length=16), nullable=True),
        sa.Column("triaged_at", ts, nullable=True),
        sa.Column("reported_at", ts, nullable=True),
        sa.Column("removed_at", ts, nullable=True),
        sa.Column("reappeared_at", ts, nullable=True),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("updated_at", ts, nullable=False),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_incidents_assignee_id_users")),
        sa.ForeignKeyConstraint(["capture_id"], ["captures.id"], name=op.f("fk_incidents_capture_id_captures")),
        sa.ForeignKeyConstraint(["page_capture_id"], ["captures.id"],
                                name=op.f("fk_incidents_page_capture_id_captures")),
        sa.ForeignKeyConstraint(["page_change_id"], ["changes.id"],
                                name=op.f("fk_incidents_page_change_id_changes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("key", name=op.f("uq_incidents_key")),
    )
    op.create_index("ix_incidents_site_id", "incidents", ["site_id"], unique=False)
    op.create_index("ix_incidents_status_severity", "incidents", ["status", "severity"], unique=False)
    op.create_index("ix_incidents_first_seen", "incidents", ["first_seen"], unique=False)
    op.create_table(
        "incident_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("at", ts, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name=op.f("fk_incident_events_incident_id_incidents")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_incident_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_events")),
    )
    op.create_index("ix_incident_events_incident_id", "incident_events", ["incident_id"], unique=False)
    # a plain ADD COLUMN with its REFERENCES inline (SQLite allows that for a NULL column), not a batch
    # copy: copying ``findings`` would drop a table that finding_events and deliveries point at
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("findings", "deliveries"):
        if sqlite:
            op.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN incident_id INTEGER "
                               f"CONSTRAINT fk_{table}_incident_id_incidents REFERENCES incidents (id)"))
        else:
            op.add_column(table, sa.Column("incident_id", sa.Integer(), nullable=True))
            op.create_foreign_key(f"fk_{table}_incident_id_incidents", table, "incidents", ["incident_id"], ["id"])
        op.create_index(f"ix_{table}_incident_id", table, ["incident_id"], unique=False)


def _firsts(bind: sa.Connection, sql: str) -> dict[int, datetime]:
    """finding id → earliest time from a (finding_id, at) query."""
    out: dict[int, datetime] = {}
    for finding_id, at in bind.execute(sa.text(sql)):
        when = _utc(at)
        if when is not None and (finding_id not in out or when < out[finding_id]):
            out[int(finding_id)] = when
    return out


def _earliest(values: list[datetime | None]) -> datetime | None:
    present = [v for v in values if v is not None]
    return min(present) if present else None


def _migrate_findings(bind: sa.Connection) -> None:
    rows = bind.execute(sa.text(
        "SELECT id, site_id, url, severity, status, assignee_id, capture_id, first_seen, last_seen, "
        "removed_at, reappeared_at FROM findings ORDER BY id")).mappings().all()
    groups: dict[tuple[str | None, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row["site_id"], row["url"])].append(row)
    sent = _firsts(bind, "SELECT finding_id, sent_at FROM deliveries WHERE finding_id IS NOT NULL "
                         "AND sent_at IS NOT NULL")
    triaged = _firsts(bind, "SELECT finding_id, at FROM finding_events WHERE event = 'status'")
    reported = _firsts(bind, "SELECT finding_id, at FROM finding_events WHERE event = 'status' "
                             "AND to_status = 'reported'")
    now = datetime.now(UTC)
    for (site_id, url), members in groups.items():
        ids = [int(m["id"]) for m in members]
        status = max((str(m["status"]) for m in members), key=lambda s: STATUS_RANK.get(s, 1))
        removed = [_utc(m["removed_at"]) for m in members]
        values = {
            "key": _key(site_id, url), "site_id": site_id, "url": url, "status": status,
            "severity": max((str(m["severity"]) for m in members), key=lambda s: SEVERITY_RANK.get(s, 4)),
            "assignee_id": next((m["assignee_id"] for m in members if m["assignee_id"] is not None), None),
            "capture_id": members[0]["capture_id"],
            "first_seen": min(_utc(m["first_seen"]) or now for m in members),
            "last_seen": max(_utc(m["last_seen"]) or now for m in members),
            "alerted_at": _earliest([sent.get(i) for i in ids]),
            "triaged_at": _earliest([triaged.get(i) for i in ids]),
            "reported_at": _earliest([reported.get(i) for i in ids]),
            "removed_at": max(r for r in removed if r is not None) if all(removed) else None,
            "reappeared_at": _earliest([_utc(m["reappeared_at"]) for m in members]),
            "created_at": now, "updated_at": now,
        }
        values["alerted_severity"] = values["severity"] if values["alerted_at"] else None
        incident_id = bind.execute(sa.text(
            "INSERT INTO incidents (key, site_id, url, status, severity, assignee_id, capture_id, page_url, "
            "first_seen, last_seen, alerted_at, alerted_severity, triaged_at, reported_at, removed_at, "
            "reappeared_at, created_at, updated_at) VALUES (:key, :site_id, :url, :status, :severity, "
            ":assignee_id, :capture_id, '', :first_seen, :last_seen, :alerted_at, :alerted_severity, "
            ":triaged_at, :reported_at, :removed_at, :reappeared_at, :created_at, :updated_at) RETURNING id"),
            values).scalar_one()
        for finding_id in ids:
            bind.execute(sa.text("UPDATE findings SET incident_id = :i, status = :s WHERE id = :f"),
                         {"i": incident_id, "s": status, "f": finding_id})
            bind.execute(sa.text("UPDATE deliveries SET incident_id = :i WHERE finding_id = :f"),
                         {"i": incident_id, "f": finding_id})


def upgrade() -> None:
    _create_tables()
    _migrate_findings(op.get_bind())


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for table in ("deliveries", "findings"):
        op.drop_index(f"ix_{table}_incident_id", table_name=table)
        if not sqlite:
            op.drop_constraint(f"fk_{table}_incident_id_incidents", table, type_="foreignkey")
        op.drop_column(table, "incident_id")  # SQLite >= 3.35 drops a column whose REFERENCES is inline
    op.drop_index("ix_incident_events_incident_id", table_name="incident_events")
    op.drop_table("incident_events")
    op.drop_index("ix_incidents_first_seen", table_name="incidents")
    op.drop_index("ix_incidents_status_severity", table_name="incidents")
    op.drop_index("ix_incidents_site_id", table_name="incidents")
    op.drop_table("incidents")
