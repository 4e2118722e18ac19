"""indexer: index changes by URL

Revision ID: 0003_indexer
Revises: 0002_indexer
Create Date: 2026-11-24 21:50:00

A page's current links are those of its latest capture with a content change row; finding that
capture (and a URL's history for the UI) looks changes up by SURT.
"""
from __future__ import annotations

from alembic import op

revision = "0003_indexer"
down_revision = "0002_indexer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_surt", ["surt", "capture_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_surt")
