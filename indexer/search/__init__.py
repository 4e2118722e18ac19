"""Search backends behind one interface (DESIGN §3 "Search documents").

``open_search(settings)`` returns the configured backend, ready to use:

- ``sqlite`` (default): FTS5 in ``DATA_DIR/search.sqlite3``. A file of its own beside the catalog
  (not inside it) so that a long bulk load never holds the catalog's single SQLite write lock.
- ``elasticsearch``: an 8.x node at ``elasticsearch_url``.
"""

from __future__ import annotations

from indexer.search.base import SearchBackend
from indexer.search.budget import Budget, SearchTooBroad
from indexer.search.query import SearchHit, SearchQuery, SearchResult, parse_query
from spillwatch.settings import Settings

__all__ = ["SearchBackend", "SearchTooBroad", "SearchHit", "SearchQuery", "SearchResult", "open_search", "parse_query"]


def open_search(settings: Settings) -> SearchBackend:
    backend: SearchBackend
    budget = Budget(seconds=float(settings.search_time_budget), max_prefix_terms=int(settings.search_max_prefix_terms))
    if settings.search_backend == "elasticsearch":
        from indexer.search.elastic import ElasticsearchSearch

        backend = ElasticsearchSearch(
            settings.elasticsearch_url,
            settings.elasticsearch_index,
            username=settings.elasticsearch_username,
            password=settings.elasticsearch_password,
            ca_certs=settings.elasticsearch_ca_certs,
            timeout=settings.elasticsearch_timeout,
            budget=budget,
        )
    else:
        from indexer.search.sqlite_fts import SqliteSearch

        backend = SqliteSearch(settings.data_path / "search.sqlite3", budget=budget)
    backend.ensure_ready()
    return backend
