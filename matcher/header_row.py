"""Where a grid's header is, judged by the values under it (CSV/TSV/pipe/semicolon, sheets, PDF,
HTML, DOCX and JSON grids).

Report titles above the header are skipped: the header (or the first data row) is the first row
that fills most of the table's width.  That row is then compared, column by column, with the
value types of the rows under it (:func:`row_verdict`):

* a word above a column of numbers, dates, e-mails or codes is the column's name (``Amount`` over
  ``$51.24``); a value of the column's own type is data (``1987-03-02`` over dates);
* a header never repeats a value of its own column (``PSD`` over ``PSD``, ``CDS``… is data);
* a full personal name above a column of names is data; a header word (:mod:`matcher.lexicon`)
  is a header;
* a cell whose written shape (case, number of words) differs from the column's usual shape leans
  to a header (``Municipality`` over ``VILA REAL``).

With no evidence either way the row is taken as a header (most published tables have one).  When
several header-like rows come before the first row of data (metadata lines, a group heading, a
units line), the header is the one naming most columns.  Headings that the format marks (HTML
``<th>`` rows, DOCX header rows) are taken as they are (:func:`grid_table`).  A file without a
header gets an empty header (``""`` per column): :mod:`matcher.columns` types such columns by their
values alone.  See docs/matcher-readers.md.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from core.models import Table
from matcher import validators as v
from matcher.headers import is_total_row, trailing_totals
from matcher.lexicon import is_aggregate_header, is_year_header, match_header

LOOKAHEAD = 30  # rows read before the header is decided
BELOW = 20  # rows under a candidate row that its cells are compared with
MIN_BELOW = 2  # values a column needs under the candidate row to give evidence
TYPED_SHARE = 0.7  # share of one value type that makes a column typed (numbers, dates…)
SHAPE_SHARE = 0.6  # share of one written shape that makes a text column's usual shape
MAX_JUDGED_COLUMNS = 200  # columns compared per row (a 2,000-column survey needs no more)
HEADER_WINDOW = 6  # wide rows after the first looked at for where the data begins

_MONEY = re.compile(r"^[-+(]?\s?[$€£¥R]{0,2}\$?\s?[-+]?\d[\d.,\s]*\)?\s?%?$")
_CODE = re.compile(r"^(?=[^\s]*\d)(?=[^\s]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9./_#-]*$")
_TYPED = frozenset({"number", "year", "date", "email", "code", "id"})


@lru_cache(maxsize=8192)  # pure function of the cell; header candidates are judged more than once
def cell_kind(cell: str) -> str:
    """``number``, ``year``, ``date``, ``email``, ``id`` (phone, national ID), ``code`` (``A11``,
    ``X-204``), ``text``, or ``""`` for an empty cell."""
    text = cell.strip()
    if not text:
        return ""
    if is_year_header(text):
        return "year"
    if v.is_number(text) or _MONEY.match(text):
        return "number"
    if v.parse_date(text) is not None:
        return "date"
    if v.is_email(text):
        return "email"
    if v.is_national_id(text) or v.is_phone(text):
        return "id"
    if _CODE.match(text):
        return "code"
    return "text"


@lru_cache(maxsize=8192)
def text_shape(cell: str) -> tuple[str, int]:
    """How a text value is written: letter case (upper, lower, title, mixed) and word count (1–3+)."""
    words = cell.split()
    letters = [ch for ch in cell if ch.isalpha()]
    if not letters:
        case = "symbols"
    elif all(ch.isupper() for ch in letters):
        case = "upper"
    elif all(ch.islower() for ch in letters):
        case = "lower"
    elif all(next((ch.isupper() for ch in w if ch.isalpha()), True) for w in words):
        case = "title"
    else:
        case = "mixed"
    return case, min(len(words), 3)


def _is_person_name(cell: str) -> bool:
    return v.is_full_name(cell) and v.given_name_hit(cell)


def column_vote(cell: str, below: list[str]) -> float:
    """Evidence that ``cell`` names the column whose values are ``below``: > 0 for a header,
    < 0 for data, 0 for none."""
    text = cell.strip()
    values = [b.strip() for b in below if b and b.strip()]
    if not text or len(values) < MIN_BELOW:
        return 0.0
    kind = cell_kind(text)
    major, count = Counter(map(cell_kind, values)).most_common(1)[0]
    if major in _TYPED and count / len(values) >= TYPED_SHARE:
        if kind == major:
            return -1.0
        if kind == "text" or (kind == "year" and major == "number"):
            return 1.0  # a word (or a year heading) above numbers, dates, codes
        return 0.0
    if kind != "text":
        return 0.0
    folded = text.casefold()
    if any(folded == value.casefold() for value in values):
        return -1.0  # a header never repeats one of its column's values
    if _is_person_name(text) and sum(map(v.is_full_name, values)) >= len(values) / 2:
        return -1.0
    if match_header(text) is not None or is_aggregate_header(text):
        return 1.0
    shapes = Counter(text_shape(value) for value in values if cell_kind(value) == "text")
    if shapes:
        usual, seen = shapes.most_common(1)[0]
        if seen / len(values) >= SHAPE_SHARE and text_shape(text) != usual:
            return 0.5
    return 0.0


def _column_numbers(row: list[str]) -> set[int]:
    """Indexes of cells numbering the columns (``0, 1, 2…`` as pandas writes an unnamed frame's
    header): three or more consecutive integers across the row."""
    numbered = [(j, int(c.strip())) for j, c in enumerate(row) if c.strip().isdigit() and len(c.strip()) <= 4]
    if len(numbered) < 3 or any(b[1] - a[1] != 1 for a, b in zip(numbered, numbered[1:], strict=False)):
        return set()
    return {j for j, _ in numbered}


def row_verdict(row: list[str], below: list[list[str]]) -> float:
    """Sum of the column votes of ``row`` against the rows under it: > 0 header, < 0 data."""
    rows = [r for r in below if not is_total_row(r)]
    numbering = _column_numbers(row)
    score = 0.0
    for j, cell in enumerate(row[:MAX_JUDGED_COLUMNS]):
        if j in numbering:
            continue  # a column number says nothing about the values under it
        score += column_vote(cell, [r[j] for r in rows if j < len(r)])
    return score


def _filled(row: list[str]) -> int:
    return sum(1 for c in row if c and c.strip())


def _wide_rows(head: list[list[str]]) -> list[int]:
    """Rows that fill most of the table's usual width (title lines fill one or two cells)."""
    counts = [_filled(r) for r in head]
    wide = [c for c in counts if c >= 2]
    if not wide:
        return []
    width = Counter(wide).most_common(1)[0][0]
    return [i for i, c in enumerate(counts) if c >= max(2, int(width * 0.6))]


def _lexicon_hits(row: list[str]) -> int:
    return sum(1 for c in row if c.strip() and (match_header(c.strip()) is not None or is_aggregate_header(c.strip())))


def find_header(rows: list[list[str]]) -> tuple[int, bool]:
    """(index of the header row, or of the first data row when there is none; has_header)."""
    head = rows[:LOOKAHEAD]
    wide = _wide_rows(head)
    if not wide:
        first = next((i for i, r in enumerate(head) if _filled(r)), 0)
        return first, bool(head) and _single_column_header(head, first)
    scores: dict[int, float] = {}
    for i in wide[: HEADER_WINDOW + 1]:
        scores[i] = row_verdict(head[i], head[i + 1:i + 1 + BELOW])
        if scores[i] < 0:
            break  # the data begins here
    start = wide[0]
    if scores[start] < 0:
        return start, False
    above = [i for i, score in scores.items() if score >= 0]
    if len(above) < len(scores):
        # several header-like rows before the data (metadata lines as wide as a narrow table, a
        # group heading over the column names, a units line): the one naming the most columns
        # in the lexicon, else the last with header evidence
        named = max(above, key=lambda i: (_lexicon_hits(head[i]), scores[i] > 0, i))
        return named, True
    # no data evidence (all-text values): a second title line as wide as the table gives way to
    # the row under it when that row fills more cells and looks more like a header
    following = start + 1
    if following in scores and _filled(head[following]) > _filled(head[start]) and scores[following] > scores[start]:
        return following, True
    return start, True


def _single_column_header(head: list[list[str]], first: int) -> bool:
    cell = head[first][0].strip() if head[first] else ""
    if match_header(cell) is not None:
        return True
    below = [r[0] for r in head[first + 1:first + 1 + BELOW] if r]
    if below:
        return column_vote(cell, below) >= 0
    return not (cell_kind(cell) not in {"", "text"} or _is_person_name(cell))


def split_header(rows: list[list[str]]) -> tuple[list[str], int]:
    """(header, index of the first data row).  Without a header row the header is empty
    (``""`` per column), so columns are typed by their values."""
    if not rows:
        return [], 0
    start, has_header = find_header(rows)
    width = max(len(r) for r in rows[:LOOKAHEAD])
    if not has_header:
        return [""] * width, start
    header = [c.strip() for c in rows[start]]
    return header + [""] * (width - len(header)), start + 1


def fit_header(header: list[str], rows: list[list[str]]) -> list[str]:
    """``header`` padded with empty names to the widest sampled row (rows past the lookahead may
    be wider than the header)."""
    width = max((len(r) for r in rows), default=0)
    return header + [""] * (width - len(header)) if width > len(header) else header


def keep_row(kept: list[list[str]], sample_rows: int) -> bool:
    """Whether a grid reader still keeps rows: the sample plus room to find the header above it."""
    return len(kept) < sample_rows + LOOKAHEAD


def marked_header(kept: list[list[str]], headings: int) -> tuple[list[str], int]:
    """The header of a grid whose first ``headings`` rows are marked as headings (HTML ``<th>``):
    the last of them that fills two cells or more (a one-cell heading above it is a title)."""
    marked = kept[:headings]
    row = next((r for r in reversed(marked) if _filled(r) >= 2), marked[-1])
    width = max(len(r) for r in kept[:LOOKAHEAD])
    return [c.strip() for c in row] + [""] * (width - len(row)), headings


def grid_table(kept: list[list[str]], count: int, locator: str, sample_rows: int,
               headings: int = 0) -> Table | None:
    """The table of a grid read row by row (DOCX, HTML): ``kept`` rows of ``count`` filled ones,
    the first ``headings`` of them marked as headings by the format.

    Trailing Total rows are left out of the count only when every row was kept (otherwise the end
    of the grid was not seen)."""
    if not kept:
        return None
    marked = 0 < headings < len(kept)
    header, start = marked_header(kept, headings) if marked else split_header(kept)
    totals = trailing_totals(kept) if count == len(kept) else 0
    rows = kept[start:][:sample_rows]
    return Table(header=fit_header(header, rows), rows=rows, locator=locator, row_count=count - start - totals)
