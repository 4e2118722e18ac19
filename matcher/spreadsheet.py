"""XLSX / XLSM / XLS / ODS: python-calamine reads the values (fast, Rust); hidden and very-hidden
sheets come from calamine's sheet metadata, hidden rows/columns, white text and pivot caches from
the raw XML (:mod:`matcher.hidden`)."""

from __future__ import annotations

import io
import time
from datetime import date, datetime, timedelta
from datetime import time as dtime
from typing import Any

from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from core.models import Table
from matcher import hidden as xl
from matcher.containers import check_xml_parts, check_zip, open_zip
from matcher.errors import EncryptedFile, LimitExceeded, ScanError
from matcher.extracted import Extracted, HiddenItem
from matcher.header_row import LOOKAHEAD, fit_header, split_header
from matcher.headers import is_total_row
from matcher.limits import Limits
from matcher.sniff import ODS, XLS, XLSM, XLSX

KIND = {XLSX: "XLSX", XLSM: "XLSM", XLS: "XLS", ODS: "ODS"}


def cell_text(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0, 0) else value.isoformat(sep=" ")
    if isinstance(value, date | dtime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _row_text(row: list[Any], limit: int) -> list[str]:
    return [cell_text(c)[:limit] for c in row]


def _filled(row: list[Any]) -> bool:
    return any(c != "" and c is not None for c in row)


def extract_spreadsheet(data: bytes, media_type: str, limits: Limits, locator: str, deadline: float) -> Extracted:
    kind = KIND.get(media_type, "spreadsheet")
    zf = None
    if media_type in {XLSX, XLSM, ODS}:
        zf = open_zip(data, locator, kind)
        check_zip(zf, limits, locator, kind)
        check_xml_parts(zf, locator, kind)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError:
        raise EncryptedFile(f"{locator}: encrypted, not scanned (password-protected {kind}); "
                            "ask the publisher for an unprotected copy") from None
    except (CalamineError, ValueError, OSError) as exc:
        raise ScanError(f"{locator}: damaged or unsupported {kind} ({type(exc).__name__}); "
                        "open it in a spreadsheet application to check it") from None
    out = Extracted()
    parts: dict[str, str] = {}
    styles: set[str] = set()
    ods: dict[str, xl.SheetHiding] = {}
    if zf is not None and media_type != ODS:
        parts = xl.sheet_parts(zf, limits, locator)
        styles = xl.white_styles(zf, limits, locator)
    elif zf is not None:
        ods = xl.ods_hiding(zf)
    for meta in workbook.sheets_metadata:
        if time.monotonic() > deadline:
            out.errors.append(f"{locator}: time budget exhausted; sheets after '{meta.name}' not scanned")
            break
        if meta.typ != SheetTypeEnum.WorkSheet:
            continue
        scanned = None
        if zf is not None and media_type != ODS and meta.name in parts and parts[meta.name] in zf.namelist():
            scanned = xl.scan_sheet_part(zf, parts[meta.name], styles, limits.max_sheet_cells)
            if scanned.rows * scanned.columns > limits.max_sheet_cells:
                out.errors.append(
                    f"{locator}: sheet '{meta.name}' spans {scanned.rows:,} rows x {scanned.columns:,} columns "
                    f"(limit {limits.max_sheet_cells:,} cells); not scanned. A sheet with cells this far apart is "
                    "damaged or built to exhaust memory; other sheets scanned"
                )
                continue
        try:
            rows = workbook.get_sheet_by_name(meta.name).to_python(
                skip_empty_area=False, nrows=limits.max_sheet_rows
            )
        except (CalamineError, ValueError) as exc:
            out.errors.append(f"{locator}: sheet could not be read ({type(exc).__name__}); other sheets scanned")
            continue
        state = ""
        if meta.visible == SheetVisibleEnum.Hidden:
            state = "hidden"
        elif meta.visible == SheetVisibleEnum.VeryHidden:
            state = "very hidden"
        if zf is not None and media_type != ODS:
            hiding = xl.sheet_hiding(zf, parts[meta.name], styles, scanned.may_hide) if scanned else None
        else:
            hiding = ods.get(meta.name)
        _sheet(out, rows, meta.name, state, limits, locator, hiding)
    if zf is not None and media_type != ODS:
        for table in xl.pivot_cache_tables(zf, limits, locator):
            out.tables.append(table)
            out.hidden.append(HiddenItem(locator=table.locator, what=table.hidden_reason,
                                         count=table.total_rows, table=table))
    return out


def _sheet(out: Extracted, rows: list[list[Any]], name: str, state: str, limits: Limits, locator: str,
           hiding: xl.SheetHiding | None) -> None:
    if rows and max(len(r) for r in rows[:LOOKAHEAD]) > limits.max_columns:
        raise LimitExceeded(f"{locator}: sheet with more than {limits.max_columns:,} columns; not scanned")
    head = [_row_text(r, limits.max_cell_chars) for r in rows[:LOOKAHEAD]]
    header, start = split_header(head)
    sample: list[list[str]] = []
    count = 0
    last: list[Any] = []
    for row in rows[start:]:
        if _filled(row):
            count += 1
            last = row
            if len(sample) < limits.sample_rows:
                sample.append(_row_text(row, limits.max_cell_chars))
    if last and is_total_row(_row_text(last[:2], limits.max_cell_chars)):
        count -= 1  # a closing Total row is not a data row
    where = f"sheet '{name}'" + (f" ({state})" if state else "")
    header = fit_header(header, sample)
    table = Table(header=header, rows=sample, locator=where, row_count=count, hidden=bool(state),
                  hidden_reason=f"{state} sheet" if state else "")
    if header or sample:
        out.tables.append(table)
    if state:
        out.hidden.append(HiddenItem(locator=where, what=f"{state} sheet '{name}' ({count:,} rows)",
                                     count=count, table=table))
        return
    if hiding is None:
        return
    hidden_rows = [i for i in sorted(hiding.hidden_rows) if start <= i < len(rows) and _filled(rows[i])]
    if hidden_rows:
        hidden_table = Table(header=header, rows=[_row_text(rows[i], limits.max_cell_chars)
                                                  for i in hidden_rows[: limits.sample_rows]],
                             locator=f"{where} hidden rows", row_count=len(hidden_rows), hidden=True,
                             hidden_reason="hidden rows")
        out.hidden.append(HiddenItem(locator=where, what=f"{len(hidden_rows):,} hidden rows in sheet '{name}'",
                                     count=len(hidden_rows), table=hidden_table))
    width = len(header)
    hidden_cols = [j for j in sorted(hiding.hidden_cols) if j < width and any(
        j < len(r) and r[j] != "" for r in rows[start:start + limits.sample_rows])]
    if hidden_cols:
        out.hidden.append(HiddenItem(locator=where, what=f"{len(hidden_cols)} hidden columns in sheet '{name}'",
                                     count=len(hidden_cols), parent=table, columns=hidden_cols))
    if hiding.white_cells:
        _white(out, hiding.white_cells, rows, start, table, where, name, limits)


def _white(out: Extracted, cells: set[tuple[int, int]], rows: list[list[Any]], start: int, table: Table,
           where: str, name: str, limits: Limits) -> None:
    filled = {(i, j) for i, j in cells if i < len(rows) and j < len(rows[i]) and rows[i][j] != ""}
    if not filled:
        return
    per_column: dict[int, int] = {}
    for i, j in filled:
        if i >= start:
            per_column[j] = per_column.get(j, 0) + 1
    data_rows = max(1, sum(1 for r in rows[start:] if _filled(r)))
    white_cols = sorted(j for j, n in per_column.items() if n >= 0.8 * data_rows and j < len(table.header))
    text = " ".join(cell_text(rows[i][j]) for i, j in sorted(filled)[:500])[:20000]
    out.hidden.append(HiddenItem(
        locator=where, what=f"{len(filled):,} cells of white text in sheet '{name}'", count=len(filled),
        parent=table if white_cols else None, columns=white_cols, text=text, text_chars=len(text),
    ))
