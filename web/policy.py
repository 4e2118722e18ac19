"""Who sees what masked (docs/architecture.md §5 rules 4, 6 and 7), in one place for the pages and the API.

- Content of documents holding findings is masked for everybody unless an analyst asks for it
  unmasked (audited).
- Viewers never see table cells unmasked, even where the matcher found nothing: a document's text is
  its tables' cells, so its search snippets and text are masked for them too; a web page's table
  cells are masked in its text, its prose is not.  The search index enforces the same rule
  (:mod:`indexer.search.masking`): a viewer's query matches only what the viewer may see.
"""

from __future__ import annotations

from indexer.search.masking import PROSE_TYPES, viewer_view
from matcher.masking import mask_text

__all__ = ["PROSE_TYPES", "shown_text", "snippet_masked", "table_masked"]


def snippet_masked(has_finding: bool, media_type: str, can_unmask: bool) -> bool:
    return has_finding or (not can_unmask and media_type not in PROSE_TYPES)


def shown_text(text: str, *, media_type: str, has_tables: bool, cells_masked: str | None, sensitive: bool,
               can_unmask: bool, unmasked: bool) -> tuple[str, bool]:
    """(text to show, whether it is masked) of a capture, for a user who ``can_unmask`` and asked
    for it ``unmasked`` (an audited request) or not."""
    if unmasked:
        return text, False
    if sensitive:
        return mask_text(text), True
    if can_unmask:
        return text, False
    _title, masked = viewer_view(title="", text=text, media_type=media_type, has_finding=False,
                                 has_tables=has_tables, cells_masked=cells_masked)
    return (masked, True) if masked is not None and masked != text else (text, False)


def table_masked(*, locator: str, hidden: bool, masked_view: bool, can_unmask: bool, flagged: set[str],
                 locators: set[str]) -> bool:
    """Whether one table of a capture is shown masked in a masked view of it.

    Viewers: always.  Others, in the default (masked) view of a capture with findings: the tables the
    findings point at (``flagged`` locators) and hidden ones; a table no finding names (an aggregate sheet
    of country names and counts beside the roster) is shown as it is.  When a finding's locator names no
    table of the extraction, or a table has no locator, every table stays masked: nothing is guessed.
    """
    if not masked_view:
        return False
    if not can_unmask or hidden or not locator:
        return True
    return locator in flagged or not flagged <= locators
