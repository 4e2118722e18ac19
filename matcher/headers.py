"""Header-row detection for grids (CSV, sheets, PDF/HTML tables): skips title rows above the
header and recognises files whose first row is already data."""

from __future__ import annotations

from collections import Counter

from core.models import Table
from matcher import validators as v
from matcher.columns import GENERIC_HEADER_PREFIX
from matcher.lexicon import is_aggregate_header, is_total_cell, is_year_header, match_header

LOOKAHEAD = 30


def is_total_row(row: list[str]) -> bool:
    """A row whose first filled cell (of the first two) says Total, Sum, Todos…"""
    return any(is_total_cell(cell) for cell in row[:2] if cell)


def trailing_totals(rows: list[list[str]]) -> int:
    """How many rows at the end are Total rows: they are not counted as data rows."""
    count = 0
    for row in reversed(rows):
        if not is_total_row(row):
            break
        count += 1
    return count


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c and c.strip())


def _data_like(cell: str) -> bool:
    text = cell.strip()
    if not text or is_year_header(text):
        return False
    return (
        v.is_number(text)
        or v.parse_date(text) is not None
        or v.is_email(text)
        or v.is_national_id(text)
        or v.is_phone(text)
    )


def generic_header(width: int) -> list[str]:
    return [f"{GENERIC_HEADER_PREFIX}{j + 1}" for j in range(width)]


def find_header(rows: list[list[str]]) -> tuple[int, bool]:
    """(index of the header row, or of the first data row when there is no header; has_header)."""
    head = rows[:LOOKAHEAD]
    counts = [_filled(r) for r in head]
    wide = [c for c in counts if c >= 2]
    if not wide:
        first = next((i for i, c in enumerate(counts) if c), 0)
        return first, bool(head) and _single_column_header(head, first)
    width = Counter(wide).most_common(1)[0][0]
    start = next((i for i, c in enumerate(counts) if c >= max(2, int(width * 0.6))), 0)
    row = head[start]
    cells = [c.strip() for c in row if c and c.strip()]
    data_cells = sum(1 for c in cells if _data_like(c))
    data_cells += sum(1 for c in cells if v.is_full_name(c) and v.given_name_hit(c))
    lexicon_hits = sum(1 for c in cells if match_header(c) is not None or is_aggregate_header(c))
    if data_cells and data_cells >= lexicon_hits:
        return start, False
    if lexicon_hits:
        return start, True
    # all text and no known header word: a header if the rows below hold a different kind of value
    below = head[start + 1:start + 11]
    if not below:
        return start, True
    if len(set(cells)) < len(cells):
        return start, False
    return start, True


def _single_column_header(head: list[list[str]], first: int) -> bool:
    cell = head[first][0].strip() if head[first] else ""
    if match_header(cell) is not None:
        return True
    return not (_data_like(cell) or (v.is_full_name(cell) and v.given_name_hit(cell)))


def split_header(rows: list[list[str]]) -> tuple[list[str], int]:
    """(header, index of the first data row) for a grid; a generic header when none is found."""
    if not rows:
        return [], 0
    start, has_header = find_header(rows)
    width = max(len(r) for r in rows[:LOOKAHEAD]) if rows else 0
    if has_header:
        header = [c.strip() for c in rows[start]]
        header += [""] * (width - len(header))
        header = [h or f"{GENERIC_HEADER_PREFIX}{j + 1}" for j, h in enumerate(header)]
        return header, start + 1
    return generic_header(width), start


def keep_row(kept: list[list[str]], sample_rows: int) -> bool:
    """Whether a grid reader still keeps rows: the sample plus room to find the header above it."""
    return len(kept) < sample_rows + LOOKAHEAD


def grid_table(kept: list[list[str]], count: int, locator: str, sample_rows: int) -> Table | None:
    """The table of a grid read row by row (DOCX, HTML): ``kept`` rows of ``count`` filled ones.

    Trailing Total rows are left out of the count only when every row was kept (otherwise the end
    of the grid was not seen)."""
    if not kept:
        return None
    header, start = split_header(kept)
    totals = trailing_totals(kept) if count == len(kept) else 0
    return Table(header=header, rows=kept[start:][:sample_rows], locator=locator, row_count=count - start - totals)
