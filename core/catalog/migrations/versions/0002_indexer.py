"""indexer: removal tracking on versions

Revision ID: 0002_indexer
Revises: 0001
Create Date: 2026-11-24 21:00:00

``versions.removed_at`` marks a URL whose latest version is gone (404/410, or unlinked from every
page that linked it for N crawls); ``unlinked_crawls`` / ``unlinked_crawl_key`` count the crawls in a
row in which no page linked it (the key makes the count idempotent when a crawl is indexed twice).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_indexer"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("unlinked_crawls", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("unlinked_crawl_key", sa.Text(), nullable=True))
        batch_op.create_index("ix_versions_payload_digest", ["payload_digest"], unique=False)
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.create_index("ix_findings_payload_digest", ["payload_digest"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings", schema=None) as batch_op:
        batch_op.drop_index("ix_findings_payload_digest")
    with op.batch_alter_table("versions", schema=None) as batch_op:
        batch_op.drop_index("ix_versions_payload_digest")
        batch_op.drop_column("unlinked_crawl_key")
        batch_op.drop_column("unlinked_crawls")
        batch_op.drop_column("removed_at")
