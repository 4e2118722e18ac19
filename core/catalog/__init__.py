"""The catalog: SQL schema, migrations and the engine factory (docs/architecture.md §3 contract 2)."""

from core.catalog.db import open_catalog, upgrade

__all__ = ["open_catalog", "upgrade"]
