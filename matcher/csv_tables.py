"""CSV / TSV / semicolon tables, streamed: memory stays flat and the row count is exact.

The first rows go through a checking line reader (line length and column limits, header and
title-row detection); the rest of the file goes straight from ``readline`` into the C ``csv``
reader and is only counted, so a 1 GB file costs little more than a plain ``csv`` pass.
"""

from __future__ import annotations

import csv
import io
import time
from collections import Counter
from collections.abc import Iterator
from functools import partial
from itertools import islice
from typing import IO

from core.models import Table
from matcher.errors import LimitExceeded, ScanError
from matcher.extracted import Extracted
from matcher.header_row import LOOKAHEAD, fit_header, split_header
from matcher.headers import trailing_totals
from matcher.limits import Limits
from matcher.textcodec import detect_encoding, looks_binary

HEAD_BYTES = 65536
DELIMITERS = (",", ";", "\t", "|")
COUNT_CHUNK = 200_000


class _Dialect(csv.Dialect):
    delimiter = ","
    quotechar = '"'
    doublequote = True
    skipinitialspace = False
    lineterminator = "\r\n"
    quoting = csv.QUOTE_MINIMAL
    strict = False


def sniff_delimiter(text: str) -> str:
    """The delimiter giving the most rows of one consistent width > 1.

    Hand-written rather than ``csv.Sniffer``: the sniffer picks quote-internal commas and
    letters as delimiters on real exports; counting consistent widths is simple and robust.
    """
    lines = text.splitlines()[:-1] or text.splitlines()
    lines = [ln for ln in lines[:60] if ln.strip()]
    if not lines:
        return ","
    best, best_score = ",", 0.0
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(lines, delimiter=delimiter, quotechar='"')]
        except csv.Error:
            continue
        widths = [w for w in widths if w > 1]
        if not widths:
            continue
        width, count = Counter(widths).most_common(1)[0]
        score = count / len(lines) + min(width, 20) / 100
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _checked_lines(lines: Iterator[str], limits: Limits, locator: str) -> Iterator[str]:
    for line in lines:
        if len(line) >= limits.max_line_chars and not line.endswith(("\n", "\r")):
            raise LimitExceeded(
                f"{locator}: a line longer than {limits.max_line_chars:,} characters; this is not a "
                "delimited table (a single-line dump or a binary file). Open it to check what it is."
            )
        yield line


def _take(reader: Iterator[list[str]], wanted: int, limits: Limits, locator: str) -> list[list[str]]:
    """Up to ``wanted`` non-empty rows, checked against the column limit, cells cut to size."""
    rows: list[list[str]] = []
    for row in reader:
        if len(row) > limits.max_columns:
            raise LimitExceeded(
                f"{locator}: a row with {len(row):,} columns (limit {limits.max_columns:,}); a table this "
                "wide is not a list of people. Split the file or raise Limits.max_columns to scan it."
            )
        if row:
            rows.append([c[: limits.max_cell_chars] for c in row])
            if len(rows) >= wanted:
                break
    return rows


def extract_delimited(stream: IO[bytes], limits: Limits, locator: str, deadline: float) -> Extracted:
    head = stream.read(HEAD_BYTES)
    if looks_binary(head):
        raise ScanError(
            f"{locator}: binary data, not a text table (the name or type says CSV but the content is not "
            "text); check what the file really is"
        )
    encoding = detect_encoding(head)
    head_text = head.decode(encoding, errors="replace")
    delimiter = sniff_delimiter(head_text)
    stream.seek(0)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    raw_lines: Iterator[str] = iter(partial(text.readline, limits.max_line_chars), "")
    dialect = type("Sniffed", (_Dialect,), {"delimiter": delimiter})
    checked = csv.reader(_checked_lines(raw_lines, limits, locator), dialect)
    try:
        first = _take(checked, LOOKAHEAD, limits, locator)
        header, data_start = split_header(first)
        sample = first[data_start:]
        if len(sample) < limits.sample_rows and len(first) == LOOKAHEAD:
            sample += _take(checked, limits.sample_rows - len(sample), limits, locator)
        count = len(sample)
        # the rest of the file: C reader straight over readline, rows only counted
        rest = csv.reader(raw_lines, dialect)
        while True:
            chunk = sum(map(bool, islice(rest, COUNT_CHUNK)))  # C-level count of non-empty rows
            count += chunk
            if chunk < COUNT_CHUNK:
                break
            if time.monotonic() > deadline:
                raise LimitExceeded(
                    f"{locator}: time budget exhausted after {count:,} rows; the row count is incomplete. "
                    "Raise Limits.time_budget_seconds for very large files."
                )
    except csv.Error as exc:
        raise ScanError(f"{locator}: not a readable delimited file (csv: {_safe_csv_error(exc)})") from None
    finally:
        text.detach()
    if count == len(sample):
        count -= trailing_totals(sample)  # the whole file is in the sample: drop a closing Total row
    sample = sample[: limits.sample_rows]
    table = Table(header=fit_header(header, sample), rows=sample, locator="table", row_count=count)
    return Extracted(tables=[table] if header or sample else [])


def _safe_csv_error(exc: csv.Error) -> str:
    # csv error messages name limits and line numbers, never cell contents; keep them short anyway
    return str(exc).split("\n")[0][:120]
