"""crawl retries: full crawls failed by a WARC write error, run again once space returns

Revision ID: 0007_crawl_retries
Revises: 0006_archive_digests
Create Date: 2026-12-02 07:50:00

One row per site: a full crawl that failed because its WARC could not be written (disk full) is run
again once free space is above ``min_free_disk``, with backoff (``crawl_retry_delay`` doubled up to
``crawl_retry_max_delay``) and at most ``crawl_retry_max_attempts`` attempts, instead of waiting for
the site's next scheduled run.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_crawl_retries"
down_revision = "0006_archive_digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crawl_retries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="waiting"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False, server_default=""),
        sa.Column("failed_crawl_id", sa.Integer(), nullable=True),
        sa.Column("crawl_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_retries")),
        sa.UniqueConstraint("site_id", name=op.f("uq_crawl_retries_site_id")),
    )


def downgrade() -> None:
    op.drop_table("crawl_retries")
