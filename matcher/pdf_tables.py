"""PDF: pdfplumber's ruled-table finder, then a text-line fallback for unruled tables (words
grouped into lines, columns split at white-space gutters, wrapped lines joined to their row, a
table split where its rows change shape) for pages without ruled tables or whose ruled tables lump
their records into one cell; words are split at a share of the font size, so small print keeps
its spaces; tables that continue across pages (same width) are joined; failed redactions are
checked on every page (:mod:`matcher.redaction`)."""

from __future__ import annotations

import io
import time
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from core.models import Table
from matcher.errors import EncryptedFile, ScanError
from matcher.extracted import Extracted, RedactionHit
from matcher.header_row import fit_header, split_header
from matcher.headers import trailing_totals
from matcher.limits import Limits
from matcher.redaction import text_under_boxes

MIN_TEXT_ROWS = 3
# Word spacing: characters closer than this share of the font size belong to one word.  pdfplumber's
# default (3 points, whatever the size) glues the words of tightly set small print together
# ("BAIN,JMATTHEW" for "BAIN, J MATTHEW"); a space is about a quarter of the font size, kerning
# gaps inside a word stay well under a tenth.
X_TOLERANCE_RATIO = 0.15
WORD_SETTINGS: dict[str, Any] = {"x_tolerance_ratio": X_TOLERANCE_RATIO}
TABLE_SETTINGS: dict[str, Any] = {"text_x_tolerance_ratio": X_TOLERANCE_RATIO}
LUMPED_LINES = 3  # lines in a lone cell that make it several rows the table finder did not split
MAX_WRAPPED = 3  # one-cell lines inside a text table taken as wrapped cells before the table ends
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
    return _runs(lines, columns, limits)


def _runs(lines: list[list[dict[str, Any]]], columns: list[tuple[int, int]], limits: Limits) -> list[list[list[str]]]:
    """Runs of lines with cells in two or more columns.  A line with one cell inside a run is a
    wrapped cell (a description on a second line, a two-line heading): it is added to the row
    above; more than ``MAX_WRAPPED`` such lines in a row end the table.  Words in a gutter that
    (almost) no line crosses belong to no column and are left out."""
    tables: list[list[list[str]]] = []
    run: list[list[str]] = []
    wrapped = 0
    for line in lines + [[]]:
        cells = [""] * len(columns)
        for w in line:
            centre = (float(w["x0"]) + float(w["x1"])) / 2
            j = next((i for i, (a, b) in enumerate(columns) if a - MIN_GUTTER <= centre <= b + MIN_GUTTER), -1)
            if j >= 0:
                cells[j] = f"{cells[j]} {w['text']}".strip()[: limits.max_cell_chars]
        filled = [j for j, c in enumerate(cells) if c]
        if len(filled) >= 2:
            run.append(cells)
            wrapped = 0
            continue
        if line and len(filled) <= 1 and run and wrapped < MAX_WRAPPED:
            # a wrapped cell joins the row above; a line of words in gutters only (a heading
            # centred over two columns) is passed over without ending the table
            for j in filled:
                run[-1][j] = f"{run[-1][j]} {cells[j]}".strip()[: limits.max_cell_chars]
            wrapped += 1
            continue
        if len(run) >= MIN_TEXT_ROWS:
            tables.append(run)
        run, wrapped = [], 0
    return tables


def _lumped(table: list[list[Any]]) -> bool:
    """A ruled table whose rows the finder did not split: most of its text sits in lone cells of
    several lines each (only the header row was ruled, the records run below it as text)."""
    width = max((len(r) for r in table), default=0)
    if width < 3:
        return False
    lumped = total = 0
    for row in table:
        cells = [str(c) for c in row if c]
        lines = sum(c.count("\n") + 1 for c in cells)
        total += lines
        if len(cells) == 1 and lines >= LUMPED_LINES:
            lumped += lines
    return lumped > total / 2


def _page_tables(page: Any, limits: Limits) -> list[list[list[str]]]:
    """The tables of one page: ruled tables, or the text-line reading when there are none or the
    ruled ones lump their records into single cells."""
    raw = page.extract_tables(TABLE_SETTINGS)
    whole = [t for t in raw if not _lumped(t)]
    found = [t for t in (_clean(t, limits) for t in whole) if len(t) >= 2]
    if found and len(whole) == len(raw):
        return found
    text = text_line_tables(page.extract_words(**WORD_SETTINGS), limits)
    return [section for rows in text for section in sections(rows)] or found


def sections(rows: list[list[str]]) -> list[list[list[str]]]:
    """A text table split where its rows change shape for good: a block of rows filling one set of
    columns followed by a block filling a very different set (a report that lists salaries, then
    travel expenses, under one header).  Later sections keep the header rows of the first."""
    blocks: list[tuple[int, frozenset[int]]] = []  # (first row, filled columns) of runs of one shape
    length: list[int] = []
    for i, row in enumerate(rows):
        shape = frozenset(j for j, c in enumerate(row) if c)
        if blocks and blocks[-1][1] == shape:
            length[-1] += 1
        else:
            blocks.append((i, shape))
            length.append(1)
    long = [b for b, n in zip(blocks, length, strict=True) if n >= MIN_TEXT_ROWS]
    cuts = [b[0] for a, b in zip(long, long[1:], strict=False)
            if len(a[1] ^ b[1]) >= max(3, len(a[1] | b[1]) / 2)]
    if not cuts:
        return [rows]
    header, start = split_header(rows)
    above = rows[:start] if any(header) else []
    bounds = [0, *cuts, len(rows)]
    return [(above if i else []) + rows[a:b] for i, (a, b) in enumerate(zip(bounds, bounds[1:], strict=False))]


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
            found = _page_tables(page, limits)
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
