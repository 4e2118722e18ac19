"""The search backend interface (docs/architecture.md §3 "Search documents": one schema, two backends).

Both implementations pass the same contract tests (tests/search/test_contract.py).  Document ids are
stable (the indexer derives them from the capture), so indexing a document again replaces it.
"""

from __future__ import annotations

import abc
from collections.abc import Iterable

from core.models import SearchDocument
from core.settings import Settings
from indexer.search.query import SearchQuery, SearchResult

# Longest text stored per document; longer extracted text is cut (and says so in ``extra``).
MAX_TEXT_CHARS = 1_000_000


class SearchBackend(abc.ABC):
    """Index, delete, search and fetch :class:`SearchDocument`s."""

    name: str = ""

    @classmethod
    @abc.abstractmethod
    def from_settings(cls, settings: Settings) -> SearchBackend:
        """The backend the settings describe (not yet checked: call :meth:`ensure_ready`)."""

    @abc.abstractmethod
    def ensure_ready(self) -> None:
        """Create tables/index template if missing; raise ServiceUnavailable if unreachable."""

    @abc.abstractmethod
    def index(self, documents: Iterable[SearchDocument]) -> int:
        """Insert or replace documents in bulk; return how many were written."""

    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; return how many existed."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResult:
        """Full-text search with filters, facets, highlights and pagination."""

    @abc.abstractmethod
    def get(self, doc_id: str) -> SearchDocument | None:
        """The stored document, or None."""

    def texts(self, doc_ids: Iterable[str]) -> dict[str, str]:
        """The stored text of each of these documents that exists (one round trip where the backend
        allows it; the indexer reads previous versions' texts from here)."""
        found: dict[str, str] = {}
        for doc_id in doc_ids:
            document = self.get(doc_id)
            if document is not None:
                found[doc_id] = document.text
        return found

    @abc.abstractmethod
    def count(self) -> int:
        """Number of documents."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document (used by ``spillwatch reindex``)."""

    def refresh(self) -> None:  # noqa: B027 - optional hook; SQLite needs nothing
        """Make recent writes visible to search (Elasticsearch refresh)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""
