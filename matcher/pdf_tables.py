"""PDF: pdfplumber's ruled-table finder, then its text-alignment strategy for unruled tables;
tables that continue across pages (same width) are joined; failed redactions are checked on
every page (:mod:`matcher.redaction`)."""

from __future__ import annotations

import io
import time
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from matcher.errors import EncryptedFile, ScanError
from matcher.extracted import Extracted, RedactionHit
from matcher.headers import split_header
from matcher.limits import Limits
from matcher.redaction import text_under_boxes
from spillwatch.models import Table

TEXT_STRATEGY = {"vertical_strategy": "text", "horizontal_strategy": "text", "min_words_vertical": 3,
                 "min_words_horizontal": 2}


def _clean(table: list[list[Any]], limits: Limits) -> list[list[str]]:
    rows = []
    for row in table:
        cells = [" ".join(str(c or "").split())[: limits.max_cell_chars] for c in row]
        if sum(1 for c in cells if c) >= 1:
            rows.append(cells)
    return rows


def _open(data: bytes, locator: str) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        if isinstance(exc.args[0] if exc.args else None, PDFPasswordIncorrect):
            raise EncryptedFile(f"{locator}: encrypted, not scanned (password-protected PDF); "
                                "ask the publisher for an unprotected copy") from None
        raise ScanError(f"{locator}: malformed PDF ({type(exc.args[0]).__name__ if exc.args else 'unknown'}); "
                        "open it in a PDF viewer to check it, or download it again") from None
    except PDFPasswordIncorrect:
        raise EncryptedFile(f"{locator}: encrypted, not scanned (password-protected PDF)") from None


def extract_pdf(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    out = Extracted()
    pdf = _open(data, locator)
    try:
        try:
            pages = pdf.pages
        except PdfminerException as exc:
            raise ScanError(f"{locator}: malformed PDF ({type(exc.args[0]).__name__ if exc.args else 'unknown'}); "
                            "open it in a PDF viewer to check it") from None
        if len(pages) > limits.max_pdf_pages:
            out.errors.append(f"{locator}: {len(pages):,} pages; only the first {limits.max_pdf_pages:,} scanned")
        run: list[list[str]] = []  # a table, possibly continued across pages
        first_page = last_page = 0
        for number, page in enumerate(pages[: limits.max_pdf_pages], start=1):
            if time.monotonic() > deadline:
                out.errors.append(f"{locator}: time budget exhausted at page {number}; later pages not scanned")
                break
            boxes, chars, words = text_under_boxes(page)
            if chars:
                out.redactions.append(RedactionHit(locator=f"page {number}", boxes=boxes, chars=chars, words=words))
            found = [t for t in (_clean(t, limits) for t in page.extract_tables()) if len(t) >= 2]
            if not found:
                found = [t for t in (_clean(t, limits) for t in page.extract_tables(TEXT_STRATEGY)) if len(t) >= 2]
            for rows in found:
                width = max(len(r) for r in rows)
                if run and last_page == number - 1 and width == max(len(r) for r in run):
                    run.extend(rows[1:] if rows[0] == run[0] else rows)  # header repeated on the next page
                    last_page = number
                    continue
                _emit(out, run, first_page, last_page, limits)
                run, first_page, last_page = rows, number, number
            page.close()
        _emit(out, run, first_page, last_page, limits)
    finally:
        pdf.close()
    return out


def _emit(out: Extracted, rows: list[list[str]], first_page: int, last_page: int, limits: Limits) -> None:
    if not rows:
        return
    header, start = split_header(rows)
    where = f"page {first_page} table" if first_page == last_page else f"pages {first_page}-{last_page} table"
    out.tables.append(Table(header=header, rows=rows[start:][: limits.sample_rows], locator=where,
                            row_count=len(rows) - start))
