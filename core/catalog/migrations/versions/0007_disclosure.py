"""disclosure: site contacts (security.txt, config) and the mirror sweep's questions and copies

Revision ID: 0007_disclosure
Revises: 0006_archive_digests
Create Date: 2026-12-02 07:50:00

Issue 18 (docs/disclosure.md): where to report a disclosure on a site, and which public archives
hold a copy of a leaked file.  New tables only; nothing existing changes.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_disclosure"
down_revision = "0006_archive_digests"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "site_contacts",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site_id", sa.String(64), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("preferred_languages", sa.Text(), nullable=False, server_default=""),
        sa.Column("policy", sa.Text(), nullable=False, server_default=""),
        sa.Column("expires", TS, nullable=True),
        sa.Column("capture_id", sa.Integer(), sa.ForeignKey("captures.id", name="fk_site_contacts_capture_id_captures"),
                  nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
        sa.UniqueConstraint("site_id", "source", "contact", name="uq_site_contacts_site_id"),
    )
    op.create_index("ix_site_contacts_site_id", "site_contacts", ["site_id"])
    op.create_table(
        "mirror_sweeps",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(64), nullable=False),
        sa.Column("archive", sa.String(128), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("checked_at", TS, nullable=False),
        sa.Column("copies", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index("ix_mirror_sweeps_url_key", "mirror_sweeps", ["url_key"])
    op.create_table(
        "mirror_copies",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_key", sa.String(64), nullable=False),
        sa.Column("archive", sa.String(128), nullable=False),
        sa.Column("timestamp", sa.String(14), nullable=False),
        sa.Column("original", sa.Text(), nullable=False),
        sa.Column("memento_url", sa.Text(), nullable=False, server_default=""),
        sa.Column("status", sa.String(8), nullable=False, server_default=""),
        sa.Column("digest", sa.String(128), nullable=False, server_default=""),
        sa.Column("first_found_at", TS, nullable=False),
        sa.Column("last_found_at", TS, nullable=False),
        sa.UniqueConstraint("url_key", "archive", "timestamp", name="uq_mirror_copies_url_key"),
    )


def downgrade() -> None:
    op.drop_table("mirror_copies")
    op.drop_index("ix_mirror_sweeps_url_key", table_name="mirror_sweeps")
    op.drop_table("mirror_sweeps")
    op.drop_index("ix_site_contacts_site_id", table_name="site_contacts")
    op.drop_table("site_contacts")
