"""indexer: drop the links index on capture_id alone

Revision ID: 0004_indexer
Revises: 0003_indexer
Create Date: 2026-11-24 23:15:00

The unique index on (capture_id, target_url) already serves lookups by capture; the second index
only cost an extra B-tree insert per stored link (a page has tens of links).
"""
from __future__ import annotations

from alembic import op

revision = "0004_indexer"
down_revision = "0003_indexer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index("ix_links_capture_id")


def downgrade() -> None:
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index("ix_links_capture_id", ["capture_id"], unique=False)
