"""Extraction per format: title, text, links, tables and findings of one payload.

HTML pages: title, visible text and links here (lxml); tables and findings from the matcher.
Other documents (CSV, spreadsheets, PDF, DOCX, JSON…): tables and findings from the matcher, whose
tables also give the searchable text.  Plain text, JSON and XML are decoded as text.  The matcher's
extraction is never duplicated here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from core.models import Finding, Table
from indexer import extract_html, media_types
from indexer.extract_html import Link
from matcher.scan import scan_bytes

MAX_TABLE_TEXT_ROWS = 2000
TEXT_TYPES = frozenset({"text/plain", "application/json", "application/xml", "text/xml", "text/csv",
                        "text/tab-separated-values", "text/markdown"})


class ScanResult(Protocol):
    media_type: str
    findings: list[Finding]
    errors: list[str]
    tables: list[Table]


ScanFunction = Callable[..., ScanResult]


@dataclass
class Extraction:
    """What the indexer keeps from one payload."""

    media_type: str
    title: str = ""
    text: str = ""
    links: list[Link] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    content_sha256: str = ""
    scanned: bool = False
    # HTML: the text with table cells masked (None: no cells); see indexer/search/masking.py
    viewer_text: str | None = None


def matcher_scan() -> ScanFunction:
    """The matcher's entry point (:func:`matcher.scan.scan_bytes`); tests may pass another."""
    return scan_bytes


def tables_text(tables: list[Table]) -> str:
    """Searchable text of tables: the header and rows, one row per line, cells tab-separated."""
    lines: list[str] = []
    for table in tables:
        if table.locator:
            lines.append(table.locator)
        if table.header:
            lines.append("\t".join(table.header))
        for row in table.rows[:MAX_TABLE_TEXT_ROWS]:
            lines.append("\t".join(row))
    return "\n".join(lines)


def _decode_text(data: bytes, content_type: str) -> str:
    charset = media_types.charset_of(content_type) or "utf-8"
    try:
        return data.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return data.decode("cp1252", errors="replace")


def extract(payload: bytes, url: str, declared_type: str, sniffed_type: str, *, text_only: bool = False) -> Extraction:
    """Title, text and links of ``payload`` (de-chunked and content-decoded) captured from ``url``.

    Documents other than HTML and plain text get their text from their tables: see :func:`scan_into`.
    ``text_only``: an HTML page's text without its title and links (a previous version's text, to
    compare with).
    """
    media_type = media_types.effective(sniffed_type, declared_type)
    result = Extraction(media_type=media_type, content_sha256=hashlib.sha256(payload).hexdigest())
    if media_type in media_types.HTML_TYPES and text_only:
        result.text = extract_html.page_text(payload, declared_type)
    elif media_type in media_types.HTML_TYPES:
        page = extract_html.extract(payload, url, declared_type)
        result.title, result.text, result.links = page.title, page.text, page.links
        result.viewer_text = page.viewer_text
    elif media_type in TEXT_TYPES and media_type not in ("text/csv", "text/tab-separated-values"):
        result.text = _decode_text(payload, declared_type)
    if not result.title:
        result.title = media_types.filename_of(url) or url
    return result


def scannable(extraction: Extraction) -> bool:
    return extraction.media_type in media_types.HTML_TYPES or media_types.is_document_type(extraction.media_type)


def scan_into(extraction: Extraction, payload: bytes, url: str, scan: ScanFunction) -> None:
    """Run the matcher on ``payload``: tables, findings and errors into ``extraction``."""
    if not payload or not scannable(extraction):
        return
    try:
        scanned = scan(payload, filename=media_types.filename_of(url), media_type=extraction.media_type)
    except (ValueError, OSError, RuntimeError, LookupError, MemoryError) as exc:
        # the matcher reports unreadable input in .errors; an exception here is a matcher bug
        extraction.errors.append(f"matcher failed: {exc.__class__.__name__}")
        return
    extraction.scanned = True
    extraction.tables = list(getattr(scanned, "tables", []) or [])
    extraction.findings = list(scanned.findings or [])
    extraction.errors.extend(str(e) for e in scanned.errors or [])
    if not extraction.text and extraction.tables:
        extraction.text = tables_text(extraction.tables)
