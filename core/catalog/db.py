"""Open the catalog database and bring its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError

from core.errors import ServiceUnavailable
from core.settings import Settings

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the UI read while the indexer writes; busy_timeout rides out short write locks.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    # 16 MiB of page cache (default 2 MiB): index runs insert ~10^5 link rows a batch into indexes
    # in random order, which the default cache turns into page churn (bench/index.py: -25% there)
    cursor.execute("PRAGMA cache_size=-16384")
    cursor.close()


def create_catalog_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "heads") -> None:
    """Apply every pending migration (idempotent).

    ``heads``: stages add migrations on their own branches off the same base; all are applied.
    """
    with engine.begin() as connection:
        cfg = alembic_config(engine)
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def open_catalog(settings: Settings) -> Engine:
    """Engine for the configured catalog with all migrations applied."""
    url = settings.catalog_url
    if url.startswith("sqlite"):
        settings.data_path.mkdir(parents=True, exist_ok=True)
    engine = create_catalog_engine(url)
    try:
        upgrade(engine)
    except OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        raise ServiceUnavailable(
            f"catalog {where}: cannot open ({exc.orig}); check SPILLWATCH_DATABASE_URL and that the "
            "database server is running"
        ) from None
    return engine
