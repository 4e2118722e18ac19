"""Fixtures of the indexer tests: an indexer on each catalog × search backend pair."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from core.catalog import schema
from core.config import Config
from indexer.pipeline import Indexer

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "warcs"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} not found: the shared corpus sits beside the checkout")
    return CORPUS.resolve()


@pytest.fixture
def make_indexer(catalog: Engine, search_backend: Any, make_settings: Callable[..., Any]
                 ) -> Iterator[Callable[..., Indexer]]:
    """A factory of indexers over the same catalog and search backend (one per run, like the CLI)."""

    def factory(**settings: Any) -> Indexer:
        config = Config(settings=make_settings(**settings))
        return Indexer(config, catalog, search_backend)

    yield factory


def count(engine: Engine, table: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def rows(engine: Engine, table: Any, *where: Any, order: Any = None) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        query = select(table).where(*where)
        if order is not None:
            query = query.order_by(order)
        return [dict(r) for r in conn.execute(query).mappings()]


__all__ = ["count", "rows", "schema"]
