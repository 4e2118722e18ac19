"""Who sees what masked (docs/architecture.md §5 rules 4 and 6), in one place for the pages and the API.

- Content of documents holding findings is masked for everybody unless an analyst asks for it
  unmasked (audited).
- Viewers never see table cells unmasked, even where the matcher found nothing: a document's text is
  its tables' cells, so its search snippets and text are masked for them too.  The prose of web pages
  is not masked.
"""

from __future__ import annotations

PROSE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


def snippet_masked(has_finding: bool, media_type: str, can_unmask: bool) -> bool:
    return has_finding or (not can_unmask and media_type not in PROSE_TYPES)
