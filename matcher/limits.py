"""Limits every parser runs under (docs/architecture.md §5: sizes, zip-bomb ratios, time and memory per file).

The limits are plain parameters, not settings: the CLI and the indexer pass a :class:`Limits`
(usually :data:`DEFAULT_LIMITS`) to :func:`matcher.scan.scan_bytes` / :func:`matcher.scan.scan_file`.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    # whole-file formats (spreadsheets, PDF, DOCX, HTML, JSON) are read into memory up to this size;
    # CSV/TSV streams and has no size limit
    max_file_bytes: int = 200 * MB
    # a CSV line longer than this is not a table row (a 50 MB single-line file is an error)
    max_line_chars: int = 1 * MB
    # a table wider than this is not a list of people; refused rather than guessed at
    max_columns: int = 2000
    # rows kept per table for column typing and samples; row counts stay exact
    sample_rows: int = 400
    max_cell_chars: int = 2000
    # ZIP archives (and the ZIP containers inside XLSX/DOCX/ODS)
    max_archive_depth: int = 3
    max_archive_members: int = 2000
    max_member_bytes: int = 200 * MB
    max_total_uncompressed: int = 1024 * MB
    max_compression_ratio: float = 200.0
    # PDF
    max_pdf_pages: int = 300
    # spreadsheets: rows read per sheet (exact counts still come from the sheet dimension)
    max_sheet_rows: int = 2_000_000
    # used range of an XLSX sheet (rows x columns): calamine allocates the dense grid
    max_sheet_cells: int = 25_000_000
    # JSON records walked
    max_json_records: int = 1_000_000
    # wall-clock budget for one file; checked between pages, sheets and members
    time_budget_seconds: float = 120.0
    # rows of masked sample in a finding
    sample_in_finding: int = 3


DEFAULT_LIMITS = Limits()
