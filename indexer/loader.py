"""Search documents: one per distinct content of a URL, loaded in bulk with stable ids.

The id is derived from the URL's SURT and the payload digest, so indexing the same WARC again
(or a later crawl that captured the same content) replaces a document with itself.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from datetime import datetime

from core.models import SearchDocument
from indexer.search import SearchBackend
from indexer.search.masking import viewer_view

log = logging.getLogger(__name__)

BULK_SIZE = 500


def document_id(surt: str, payload_digest: str) -> str:
    """Stable search document id of one content of one URL."""
    return hashlib.sha1(f"{surt}\n{payload_digest}".encode()).hexdigest()


def build_document(
    *, surt: str, payload_digest: str, url: str, site: str, media_type: str, captured_at: datetime,
    title: str, text: str, capture_id: int | None, severity: str | None, extra: dict[str, object],
    has_tables: bool = False, cells_masked: str | None = None,
) -> SearchDocument:
    media_type = media_type or "unknown"
    masked_title, masked_text = viewer_view(title=title, text=text, media_type=media_type,
                                            has_finding=severity is not None, has_tables=has_tables,
                                            cells_masked=cells_masked)
    return SearchDocument(
        id=document_id(surt, payload_digest), url=url, site=site, media_type=media_type,
        captured_at=captured_at, title=title, text=text, has_finding=severity is not None,
        severity=severity, capture_id=capture_id, extra=extra, masked_title=masked_title,
        masked_text=masked_text,
    )


class Loader:
    """Buffers documents and writes them to the search backend in bulk."""

    def __init__(self, backend: SearchBackend, bulk_size: int = BULK_SIZE) -> None:
        self.backend = backend
        self.bulk_size = bulk_size
        self.pending: dict[str, SearchDocument] = {}
        self.written = 0

    def add(self, document: SearchDocument) -> None:
        self.pending[document.id] = document

    def flush(self) -> int:
        """Write what is buffered; returns how many documents were written."""
        if not self.pending:
            return 0
        docs: Sequence[SearchDocument] = list(self.pending.values())
        written = 0
        for start in range(0, len(docs), self.bulk_size):
            written += self.backend.index(docs[start:start + self.bulk_size])
        if written < len(docs):
            log.error("search: %d of %d documents were not indexed (see the errors above)",
                      len(docs) - written, len(docs))
        self.pending.clear()
        self.written += written
        return written
