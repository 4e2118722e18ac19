"""Alembic environment: runs against the connection handed over by core.catalog.db."""

from __future__ import annotations

from alembic import context

from core.catalog.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through core.catalog.db.upgrade(), which passes a connection")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
