"""disclosure: removal watches of incidents and reports to publishers

Revision ID: 0008_disclosure_watch
Revises: 0007_incidents
Create Date: 2026-12-02 08:00:00

Issue 18 (docs/disclosure.md): an incident's file and linking page re-checked until removed, and the
record of each report to the publisher (email or by hand, who and when).  New tables only.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_disclosure_watch"
down_revision = "0007_incidents"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "removal_watches",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(), sa.ForeignKey("incidents.id", name="fk_removal_watches_incident_id_incidents"),
                  nullable=False),
        sa.Column("site_id", sa.String(64), nullable=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("next_check_at", TS, nullable=False),
        sa.Column("last_checked_at", TS, nullable=True),
        sa.Column("checks", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("removed_at", TS, nullable=True),
        sa.Column("removal_capture_id", sa.Integer(),
                  sa.ForeignKey("captures.id", name="fk_removal_watches_removal_capture_id_captures"), nullable=True),
        sa.Column("link_removed_at", TS, nullable=True),
        sa.Column("reappeared_at", TS, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", TS, nullable=False),
        sa.UniqueConstraint("incident_id", name="uq_removal_watches_incident_id"),
    )
    op.create_index("ix_removal_watches_due", "removal_watches", ["status", "next_check_at"])
    op.create_table(
        "disclosure_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.Integer(),
                  sa.ForeignKey("incidents.id", name="fk_disclosure_reports_incident_id_incidents"), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False, server_default=""),
        sa.Column("body_sha256", sa.String(64), nullable=False, server_default=""),
        sa.Column("message_id", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", name="fk_disclosure_reports_user_id_users"),
                  nullable=True),
        sa.Column("user_name", sa.String(128), nullable=False, server_default=""),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_disclosure_reports_incident_id", "disclosure_reports", ["incident_id"])


def downgrade() -> None:
    op.drop_index("ix_disclosure_reports_incident_id", table_name="disclosure_reports")
    op.drop_table("disclosure_reports")
    op.drop_index("ix_removal_watches_due", table_name="removal_watches")
    op.drop_table("removal_watches")
