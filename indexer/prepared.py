"""What a read-ahead process hands the indexer for one record with content (:class:`Prepared`).

Its own module because both sides need it: :mod:`indexer.warc_reader` carries it on a record and
:mod:`indexer.readahead` fills it; neither imports the other for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from core.models import Finding, Table
from indexer.extract import Extraction

LinkValues = tuple[str, str, str]  # target_url, target_surt, anchor_text as stored


@dataclass
class Prepared:
    """The read-ahead process's work on one record with content."""

    sniffed: str
    extraction: Extraction
    has_table: bool  # an HTML page holding a <table> (the matcher reads it)
    # the page's links as stored (links.link_values); extraction.links is left empty
    link_values: list[LinkValues] = field(default_factory=list)
    # the matcher's tables, findings and errors (scanned ahead when the indexer runs the matcher in
    # its own process); None: not scanned
    scan: tuple[list[Table], list[Finding], list[str]] | None = None
