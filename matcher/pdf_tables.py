"""PDF: pdfplumber's ruled-table finder, then a text-line fallback for unruled tables (words
grouped into lines, columns split at white-space gutters); tables that continue across pages
(same width) are joined; failed redactions are checked on every page (:mod:`matcher.redaction`)."""

from __future__ import annotations

import io
import time
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from matcher.errors import EncryptedFile, ScanError
from matcher.extracted import Extracted, RedactionHit
from matcher.header_row import fit_header, split_header
from matcher.headers import trailing_totals
from matcher.limits import Limits
from matcher.redaction import text_under_boxes
from spillwatch.models import Table

MIN_TEXT_ROWS = 3
LINE_TOLERANCE = 2.0  # points: words whose top edges differ by less are on one line
MIN_GUTTER = 3  # points of white space that separate two columns


def _clean(table: list[list[Any]], limits: Limits) -> list[list[str]]:
    rows = []
    for row in table:
        cells = [" ".join(str(c or "").split())[: limits.max_cell_chars] for c in row]
        if sum(1 for c in cells if c) >= 1:
            rows.append(cells)
    return rows


def text_line_tables(words: list[dict[str, Any]], limits: Limits) -> list[list[list[str]]]:
    """Unruled tables from word positions: words are grouped into lines by their top edge, and
    columns are the x ranges that the lines' words cover, split at gutters that (almost) no line
    crosses.  Runs of consecutive lines with cells in two or more columns form a table.

    Hand-written because pdfplumber's "text" table strategy splits cells at every word gap
    (``Detention Fac | ility``) and its layout text squeezes tight columns together."""
    lines: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(float(w["top"])), float(w["x0"]))):
        if lines and abs(float(word["top"]) - float(lines[-1][0]["top"])) <= LINE_TOLERANCE:
            lines[-1].append(word)
        else:
            lines.append([word])
    multi = [line for line in lines if len(line) >= 2]
    if len(multi) < MIN_TEXT_ROWS:
        return []
    right = int(max(float(w["x1"]) for line in multi for w in line)) + 2
    coverage = [0] * right
    for line in multi:
        covered = [False] * right
        for w in line:
            for x in range(int(float(w["x0"])), min(right, int(float(w["x1"])) + 1)):
                covered[x] = True
        for x, hit in enumerate(covered):
            coverage[x] += hit
    stray = max(1, int(len(multi) * 0.05))
    columns: list[tuple[int, int]] = []
    start: int | None = None
    gap = 0
    for x, count in enumerate(coverage + [0] * (MIN_GUTTER + 1)):
        if count > stray:
            if start is None:
                start = x
            gap = 0
            end = x
        elif start is not None:
            gap += 1
            if gap > MIN_GUTTER:
                columns.append((start, end))
                start = None
    if len(columns) < 2:
        return []
    tables: list[list[list[str]]] = []
    run: list[list[str]] = []
    for line in lines + [[]]:
        cells = [""] * len(columns)
        for w in line:
            centre = (float(w["x0"]) + float(w["x1"])) / 2
            j = next((i for i, (a, b) in enumerate(columns) if a - MIN_GUTTER <= centre <= b + MIN_GUTTER), -1)
            if j >= 0:
                cells[j] = f"{cells[j]} {w['text']}".strip()[: limits.max_cell_chars]
        if sum(1 for c in cells if c) >= 2:
            run.append(cells)
            continue
        if len(run) >= MIN_TEXT_ROWS:
            tables.append(run)
        run = []
    return tables


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
                found = text_line_tables(page.extract_words(), limits)
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
    sample = rows[start:][: limits.sample_rows]
    out.tables.append(Table(header=fit_header(header, sample), rows=sample, locator=where,
                            row_count=len(rows) - start - trailing_totals(rows[start:])))
