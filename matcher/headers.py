"""Total rows at the foot of a grid (``Total``, ``Sum``, ``Todos``…): not data rows.  The header row
itself is found by :mod:`matcher.header_row`."""

from __future__ import annotations

from matcher.lexicon import is_total_cell


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
