"""reliability: attempts and failure reason of WARC files, a digest of their head; the fetch queue

Revision ID: 0005_reliability
Revises: 0004_indexer
Create Date: 2026-12-02 04:40:00

``attempts`` counts index runs that started on a file without finishing it; the service gives a
file up (status ``failed``, ``failure`` says why) after ``index_max_attempts``.  ``head_digest``
(SHA-256 of the file's first 64 KiB) tells a file that grew from one that was replaced.
``fetches`` is the durable queue of documents to fetch now (newly linked from a watch page),
retried with backoff until fetched or given up with a reason.
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


    op.create_table(
        "fetches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(length=64), nullable=False),
        sa.Column("page_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("crawl_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fetches")),
        sa.UniqueConstraint("site_id", "url_key", name="uq_fetches_site_id"),
    )
    op.create_index("ix_fetches_status", "fetches", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_fetches_status", table_name="fetches")
    op.drop_table("fetches")
    with op.batch_alter_table("warc_files", schema=None) as batch_op:
        batch_op.drop_column("head_digest")
        batch_op.drop_column("failure")
        batch_op.drop_column("attempts")
