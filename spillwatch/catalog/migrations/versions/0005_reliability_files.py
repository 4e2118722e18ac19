"""reliability: attempts and failure reason of WARC files, a digest of their head

Revision ID: 0005_reliability
Revises: 0004_indexer
Create Date: 2026-12-02 04:40:00

``attempts`` counts index runs that started on a file without finishing it; the service gives a
file up (status ``failed``, ``failure`` says why) after ``index_max_attempts``.  ``head_digest``
(SHA-256 of the file's first 64 KiB) tells a file that grew from one that was replaced.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_reliability"
down_revision = "0004_indexer"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("warc_files", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("failure", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("head_digest", sa.String(length=64), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("warc_files", schema=None) as batch_op:
        batch_op.drop_column("head_digest")
        batch_op.drop_column("failure")
        batch_op.drop_column("attempts")
