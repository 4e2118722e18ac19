"""alerts: finding events wait for the alert planner

Revision ID: 0005_alert_planning
Revises: 0004_indexer
Create Date: 2026-12-02 05:10:00

The indexer no longer writes alert deliveries itself: it records ``new`` and ``reappeared`` finding
events, and the alerts side (alerts.planner) creates their deliveries and stamps
``alerts_planned_at``.  Events that exist already were alerted by the indexer when they were written,
so they are stamped planned here.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_alert_planning"
down_revision = "0004_indexer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("alerts_planned_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_finding_events_unplanned", ["alerts_planned_at", "event"], unique=False)
    op.execute(sa.text("UPDATE finding_events SET alerts_planned_at = at"))


def downgrade() -> None:
    with op.batch_alter_table("finding_events", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_events_unplanned")
        batch_op.drop_column("alerts_planned_at")
