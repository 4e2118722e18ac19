"""Search backends behind one interface (docs/architecture.md §3 "Search documents").

``open_search(settings)`` returns the configured backend, ready to use.  :data:`BACKENDS` is the one
list of backends, by the name the ``search_backend`` setting takes (imported only when chosen, so the
default install never loads the Elasticsearch client):

- ``sqlite`` (default): FTS5 in ``DATA_DIR/search.sqlite3``;
- ``elasticsearch``: an 8.x node at ``elasticsearch_url``.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from core.errors import ConfigError
from core.settings import Settings
from indexer.search.base import SearchBackend
from indexer.search.budget import SearchTooBroad
from indexer.search.query import SearchHit, SearchQuery, SearchResult, parse_query

__all__ = ["BACKENDS", "SearchBackend", "SearchHit", "SearchQuery", "SearchResult", "SearchTooBroad",
           "backend_class", "open_search", "parse_query"]

BACKENDS: Mapping[str, str] = {
    "sqlite": "indexer.search.sqlite_fts:SqliteSearch",
    "elasticsearch": "indexer.search.elastic:ElasticsearchSearch",
}


def backend_class(name: str) -> type[SearchBackend]:
    try:
        module, _, attribute = BACKENDS[name].partition(":")
    except KeyError:
        raise ConfigError([f"search_backend: unknown backend {name!r}; expected one of: "
                           f"{', '.join(BACKENDS)}"]) from None
    cls: type[SearchBackend] = getattr(importlib.import_module(module), attribute)
    return cls


def open_search(settings: Settings) -> SearchBackend:
    backend = backend_class(settings.search_backend).from_settings(settings)
    backend.ensure_ready()
    return backend
