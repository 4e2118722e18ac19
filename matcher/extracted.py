"""What an extractor hands to the decision step: tables, hidden things, redaction hits, errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Table


@dataclass
class HiddenItem:
    """Something a reader of the published file would not see.

    ``table`` holds the hidden cells when they form a table of their own (hidden sheet, hidden
    rows, pivot cache, hidden columns); ``text_chars`` counts hidden text that is not tabular
    (white text, hidden DOCX runs, comments, tracked deletions); ``text`` is a bounded excerpt
    kept only to look for identifiers and masked before it leaves the matcher.
    """

    locator: str
    what: str
    count: int = 0
    table: Table | None = None
    text_chars: int = 0
    text: str = ""
    parent: Table | None = None  # hidden columns: the table they belong to …
    columns: list[int] = field(default_factory=list)  # … and their indexes in it


@dataclass
class RedactionHit:
    """Text found under a filled dark rectangle in a PDF."""

    locator: str
    boxes: int
    chars: int
    words: list[str] = field(default_factory=list)  # raw, masked before leaving the matcher


@dataclass
class Extracted:
    tables: list[Table] = field(default_factory=list)
    hidden: list[HiddenItem] = field(default_factory=list)
    redactions: list[RedactionHit] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def extend(self, other: Extracted) -> None:
        self.tables.extend(other.tables)
        self.hidden.extend(other.hidden)
        self.redactions.extend(other.redactions)
        self.errors.extend(other.errors)
