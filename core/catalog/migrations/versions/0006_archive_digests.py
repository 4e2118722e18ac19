"""archive: payload digests in one spelling

Revision ID: 0006_archive_digests
Revises: 0005_alert_planning
Create Date: 2026-12-02 05:00:00

The indexer now stores every WARC payload digest as ``<algorithm>:<BASE32>`` (core.digests), so a
revisit written ``sha-256:hex`` matches a response written ``sha256:hex``.  Digests stored before in
another spelling are rewritten the same way; the ones this project's crawler wrote (``sha1:BASE32``)
are already in that form and are not touched.  The old spelling is not kept: it is the same value.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from core.digests import normalise_digest

revision = "0006_archive_digests"
down_revision = "0005_alert_planning"
branch_labels = None
depends_on = None

TABLES = ("captures", "versions", "findings")


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        stored = [row[0] for row in bind.execute(sa.text(f"SELECT DISTINCT payload_digest FROM {table}"))]  # noqa: S608
        for digest in stored:
            normal = normalise_digest(digest or "")
            if digest and normal != digest:
                bind.execute(sa.text(f"UPDATE {table} SET payload_digest = :new WHERE payload_digest = :old"),  # noqa: S608
                             {"new": normal, "old": digest})


def downgrade() -> None:
    """Nothing to undo: the rewritten digests are the same values in another spelling."""
