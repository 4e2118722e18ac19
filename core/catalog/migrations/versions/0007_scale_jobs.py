"""scale: procrastinate's job queue tables in a PostgreSQL catalog

Revision ID: 0007_scale_jobs
Revises: 0006_archive_digests
Create Date: 2026-12-02 08:00:00

``queue: procrastinate`` keeps its jobs in the catalog's PostgreSQL (docs/scaling.md), so the
catalog's migrations install procrastinate's own schema (tables ``procrastinate_*``, its types and
functions) there, from the installed procrastinate package.  A SQLite catalog gets nothing: the
embedded queue runs jobs in-process.  Upgrading procrastinate across a schema change means applying
its SQL migrations (``procrastinate schema --migrations-path``) as its release notes say.
"""
from __future__ import annotations

from alembic import op

revision = "0007_scale_jobs"
down_revision = "0006_archive_digests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    exists = bind.exec_driver_sql("SELECT to_regclass('procrastinate_jobs') IS NOT NULL").scalar()
    if exists:
        return
    # the driver's own connection: the schema is several statements with '%' in function bodies,
    # which psycopg runs as one script when no parameters are given
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for table in ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs",
                  "procrastinate_workers"):
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
    for kind in ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"):
        op.execute(f"DROP TYPE IF EXISTS {kind} CASCADE")
