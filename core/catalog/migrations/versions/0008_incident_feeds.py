"""incidents: feed tokens for the Atom feed of new incidents

Revision ID: 0008_incident_feeds
Revises: 0007_incidents
Create Date: 2026-12-02 08:05:00

One row per feed URL a user made (web/incident_feed.py), keyed by the SHA-256 of its token; the token itself
is shown once.  ``revoked_at`` ends a feed; deleting the user deletes their feeds.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_incident_feeds"
down_revision = "0007_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_feed_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_feed_tokens_token_hash")),
    )
    op.create_index("ix_feed_tokens_user_id", "feed_tokens", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_feed_tokens_user_id", table_name="feed_tokens")
    op.drop_table("feed_tokens")
