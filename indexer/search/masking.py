"""The masking policy the search index enforces (docs/architecture.md §5 rule 7: masking is enforced where data is
read, not only where it is shown).

Every search document carries, beside its text, the *viewer view*: what a role without unmasked
access (``viewer``) may see and match on.  Both backends index it in fields of their own and answer a
viewer's query (:attr:`SearchQuery.masked`) from those fields only, so that prefix, phrase and exact
queries cannot probe a masked value (``a9*`` finds nothing where the viewer sees ``A*********``).

The viewer view of a document:

- with findings: the title and the whole text masked (:func:`matcher.masking.mask_text`: first
  letters kept, digits starred);
- an HTML page with tables: its text with every table cell masked (any table may list people below
  the matcher's threshold; the prose around stays) — computed at extraction
  (:func:`indexer.extract_html.cells_masked_text`);
- another document with tables (CSV, spreadsheets, PDF tables…): the whole text masked (its text *is*
  its cells);
- anything else: the same as the document (stored once: ``masked_text`` None).
"""

from __future__ import annotations

from core.models import SearchDocument
from matcher.masking import mask_text

# Media types whose text is prose the agency published (not table cells).
PROSE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


def viewer_view(*, title: str, text: str, media_type: str, has_finding: bool, has_tables: bool,
                cells_masked: str | None) -> tuple[str | None, str | None]:
    """(masked title, masked text) for viewers; None where they may see the original."""
    if has_finding:
        return mask_text(title), mask_text(text)
    if media_type in PROSE_TYPES:
        return None, cells_masked
    if has_tables:
        return None, mask_text(text)
    return None, None


def document_view(doc: SearchDocument) -> tuple[str, str] | None:
    """(title, text) a viewer may match on, or None when that is the document itself.  Backends call
    this, so a document with findings is masked for viewers even if its builder forgot to."""
    title, text = doc.masked_title, doc.masked_text
    if doc.has_finding:
        title = title if title is not None else mask_text(doc.title)
        text = text if text is not None else mask_text(doc.text)
    if title is None and text is None:
        return None
    return (title if title is not None else doc.title), (text if text is not None else doc.text)
