"""Diffs between two captures, computed on demand from the WARC records (for the web UI).

    diff = text_diff(engine, capture_a, capture_b)      # lines added/removed, significance
    tables = table_diff(engine, capture_a, capture_b)   # per table: rows added/removed

Both read the exact records by (file, offset) from the catalog; a revisit is read through the
capture it refers to.  Table rows are masked unless ``unmasked=True`` (the UI audits who asks for
unmasked rows, docs/architecture.md §5).
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select

from core.catalog.schema import captures
from core.models import Table
from indexer import media_types
from indexer.extract import Extraction, extract, matcher_scan, scan_into
from indexer.rendered import DOM_TYPE, rendered_dom_after
from indexer.versions import significance
from indexer.warc_reader import read_record_at
from matcher.masking import mask_text

MAX_DIFF_LINES = 5000
MAX_TABLE_ROWS = 1000


class CaptureNotFound(LookupError):
    """No capture with that id, or its WARC record cannot be read (the message says which)."""


@dataclass
class DiffLine:
    kind: str  # equal | insert | delete | skip
    text: str
    old_line: int | None = None
    new_line: int | None = None


@dataclass
class TextDiff:
    capture_a: int
    capture_b: int
    added: int
    removed: int
    significance: float
    lines: list[DiffLine] = field(default_factory=list)
    truncated: bool = False


@dataclass
class TableDiff:
    locator: str
    header_a: list[str]
    header_b: list[str]
    rows_a: int
    rows_b: int
    added: list[list[str]] = field(default_factory=list)
    removed: list[list[str]] = field(default_factory=list)
    added_count: int = 0
    removed_count: int = 0
    status: str = "changed"  # added | removed | changed | unchanged


def _content(engine: Engine, capture_id: int, with_tables: bool) -> Extraction:
    with engine.connect() as conn:
        row = conn.execute(select(captures.c.id, captures.c.warc_file, captures.c.warc_offset, captures.c.url,
                                  captures.c.refers_to_capture_id, captures.c.record_type)
                           .where(captures.c.id == capture_id)).first()
        if row is not None and row.record_type == "revisit":
            if row.refers_to_capture_id is None:
                raise CaptureNotFound(f"capture {capture_id} is a revisit whose original is not indexed; index "
                                      "the WARC holding the original capture")
            row = conn.execute(select(captures.c.id, captures.c.warc_file, captures.c.warc_offset, captures.c.url,
                                      captures.c.refers_to_capture_id, captures.c.record_type)
                               .where(captures.c.id == row.refers_to_capture_id)).first()
    if row is None:
        raise CaptureNotFound(f"no capture {capture_id} in the catalog")
    try:
        record = read_record_at(row.warc_file, row.warc_offset)
    except LookupError as exc:
        raise CaptureNotFound(str(exc)) from None
    dom = rendered_dom_after(row.warc_file, row.warc_offset, row.url)  # a rendered page: what the browser showed
    if dom is not None:
        record.payload, record.content_type = dom.payload, DOM_TYPE
    sniffed = media_types.sniff(record.payload, record.url)
    result = extract(record.payload, record.url, record.content_type, sniffed)
    if with_tables or not result.text:
        scan_into(result, record.payload, record.url, matcher_scan())
    return result


def text_diff(engine: Engine, capture_a: int, capture_b: int, *, context: int = 3) -> TextDiff:
    """Line diff of the visible text of two captures (``context`` unchanged lines kept around changes)."""
    a = _content(engine, capture_a, with_tables=False).text.splitlines()
    b = _content(engine, capture_b, with_tables=False).text.splitlines()
    result = TextDiff(capture_a, capture_b, 0, 0, significance("\n".join(a), "\n".join(b)))
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if result.lines:
            result.lines.append(DiffLine("skip", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.lines.extend(DiffLine("equal", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2))
                continue
            if tag in ("delete", "replace"):
                result.lines.extend(DiffLine("delete", a[i], i + 1, None) for i in range(i1, i2))
                result.removed += i2 - i1
            if tag in ("insert", "replace"):
                result.lines.extend(DiffLine("insert", b[j], None, j + 1) for j in range(j1, j2))
                result.added += j2 - j1
    if len(result.lines) > MAX_DIFF_LINES:
        result.lines = result.lines[:MAX_DIFF_LINES]
        result.truncated = True
    return result


def _mask(row: list[str]) -> list[str]:
    return [mask_text(cell) for cell in row]


def _compare(locator: str, a: Table | None, b: Table | None, unmasked: bool) -> TableDiff:
    rows_a = Counter(tuple(r) for r in (a.rows if a else []))
    rows_b = Counter(tuple(r) for r in (b.rows if b else []))
    added = list((rows_b - rows_a).elements())
    removed = list((rows_a - rows_b).elements())
    status = "added" if a is None else "removed" if b is None else ("changed" if added or removed else "unchanged")

    def show(row: tuple[str, ...]) -> list[str]:
        return list(row) if unmasked else _mask(list(row))

    return TableDiff(
        locator=locator, header_a=list(a.header) if a else [], header_b=list(b.header) if b else [],
        rows_a=a.total_rows if a else 0, rows_b=b.total_rows if b else 0,
        added=[show(r) for r in added[:MAX_TABLE_ROWS]], removed=[show(r) for r in removed[:MAX_TABLE_ROWS]],
        added_count=len(added), removed_count=len(removed), status=status,
    )


def table_diff(engine: Engine, capture_a: int, capture_b: int, *, unmasked: bool = False) -> list[TableDiff]:
    """Rows added and removed per table (tables paired by locator, else by position).

    Rows are compared on the rows the matcher keeps per table (its sample limit); the row counts
    are exact.  Cells are masked unless ``unmasked``.
    """
    tables_a = _content(engine, capture_a, with_tables=True).tables
    tables_b = _content(engine, capture_b, with_tables=True).tables

    def keyed(tables: list[Table]) -> dict[str, Table]:
        return {(t.locator or f"table {i + 1}"): t for i, t in enumerate(tables)}

    by_a, by_b = keyed(tables_a), keyed(tables_b)
    order = list(by_a) + [k for k in by_b if k not in by_a]
    return [_compare(key, by_a.get(key), by_b.get(key), unmasked) for key in order]
