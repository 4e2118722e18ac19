"""What an XLSX hides from its reader, read from the raw XML (calamine reads values only):
hidden rows and columns, white-on-white cells, and pivot caches that keep their source rows.

Sheet XML is only parsed when a cheap byte scan shows it can hide something, so a plain 100k-row
sheet costs one inflate pass, not a parse.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from core.models import Table
from matcher.containers import iter_elements, parse_xml, read_member
from matcher.limits import Limits

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_WHITE = {"FFFFFFFF", "FFFFFF", "00FFFFFF"}


@dataclass
class SheetHiding:
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_cols: set[int] = field(default_factory=set)  # 0-based
    white_cells: set[tuple[int, int]] = field(default_factory=set)  # (row, col) 0-based


def column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _rels(zf: zipfile.ZipFile, part: str, limits: Limits, locator: str) -> dict[str, str]:
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in zf.namelist():
        return {}
    root = parse_xml(read_member(zf, rels_name, limits, locator), rels_name)
    out: dict[str, str] = {}
    for rel in root.iter(f"{PKG_REL}Relationship"):
        target = rel.get("Target", "")
        out[rel.get("Id", "")] = posixpath.normpath(posixpath.join(folder, target)).lstrip("/")
    return out


def sheet_parts(zf: zipfile.ZipFile, limits: Limits, locator: str) -> dict[str, str]:
    """Sheet name → worksheet part (``xl/worksheets/sheet1.xml``)."""
    if "xl/workbook.xml" not in zf.namelist():
        return {}
    root = parse_xml(read_member(zf, "xl/workbook.xml", limits, locator), "xl/workbook.xml")
    rels = _rels(zf, "xl/workbook.xml", limits, locator)
    out: dict[str, str] = {}
    for sheet in root.iter(f"{NS}sheet"):
        target = rels.get(sheet.get(f"{REL_NS}id", ""), "")
        if target:
            out[sheet.get("name", "")] = target
    return out


def white_styles(zf: zipfile.ZipFile, limits: Limits, locator: str) -> set[str]:
    """Cell style indexes (``s="…"``) whose font is white on no fill or a white fill."""
    if "xl/styles.xml" not in zf.namelist():
        return set()
    root = parse_xml(read_member(zf, "xl/styles.xml", limits, locator), "xl/styles.xml")
    white_fonts: set[int] = set()
    fonts = root.find(f"{NS}fonts")
    for i, font in enumerate(fonts if fonts is not None else []):
        color = font.find(f"{NS}color")
        if color is not None and ((color.get("rgb", "").upper() in _WHITE) or color.get("theme") == "0"):
            white_fonts.add(i)
    if not white_fonts:
        return set()
    light_fills: set[int] = {0, 1}
    fills = root.find(f"{NS}fills")
    for i, fill in enumerate(fills if fills is not None else []):
        fg = fill.find(f"{NS}patternFill/{NS}fgColor")
        if fg is not None and (fg.get("rgb", "").upper() in _WHITE or fg.get("theme") == "0"):
            light_fills.add(i)
    out: set[str] = set()
    xfs = root.find(f"{NS}cellXfs")
    for i, xf in enumerate(xfs if xfs is not None else []):
        if int(xf.get("fontId", "0")) in white_fonts and int(xf.get("fillId", "0")) in light_fills:
            out.add(str(i))
    return out


def _mentions(zf: zipfile.ZipFile, part: str, needles: tuple[bytes, ...]) -> bool:
    """Byte scan of an inflated part, 1 MiB at a time: does any needle occur at all?"""
    return any(any(n in window for n in needles) for window in _chunks(zf, part))


@dataclass
class SheetScan:
    """What one inflate pass over a worksheet part tells before any parser runs."""

    may_hide: bool = False
    rows: int = 0  # highest row number used
    columns: int = 0  # highest column number used (an upper bound for columns A-Z)


_ROW_REF = re.compile(rb'<row r="(\d+)"')
_BIG_ROW = re.compile(rb'<row r="(\d{6,})"')
_CELL3 = re.compile(rb'<c r="([A-Z]{3})\d')
_CELL2 = re.compile(rb'<c r="([A-Z]{2})\d')
_SMALL_ROWS = 99_999


def _chunks(zf: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The inflated part in 1 MiB windows overlapping by 64 bytes (so no reference is cut)."""
    carry = b""
    with zf.open(part) as member:
        while chunk := member.read(1 << 20):
            yield carry + chunk
            carry = chunk[-64:]


def scan_sheet_part(zf: zipfile.ZipFile, part: str, styles: set[str], max_cells: int) -> SheetScan:
    """One streaming pass: does the sheet mention hidden rows/columns or a white style, and how
    far apart are its cells?  calamine builds a dense grid over the used range, so one cell at
    XFD1048576 would make it allocate hundreds of GB and abort the process; this pass lets the
    caller refuse such a sheet first.  Row numbers of 100,000 and more are collected exactly;
    smaller ones only matter for very wide sheets, which get a second, exact pass."""
    needles = (b'hidden="1"', b'hidden="true"') + tuple(f's="{s}"'.encode() for s in styles)
    out = SheetScan()
    letters3: set[bytes] = set()
    letters2: set[bytes] = set()
    big_rows = 0
    for window in _chunks(zf, part):
        if not out.may_hide and any(n in window for n in needles):
            out.may_hide = True
        for row in _BIG_ROW.findall(window):
            big_rows = max(big_rows, int(row))
        letters3.update(_CELL3.findall(window))
        if not letters3:
            letters2.update(_CELL2.findall(window))
    if letters3:
        out.columns = max(column_index(x.decode()) + 1 for x in letters3)
    elif letters2:
        out.columns = max(column_index(x.decode()) + 1 for x in letters2)
    else:
        out.columns = 26
    out.rows = big_rows or _SMALL_ROWS
    if not big_rows and out.rows * out.columns > max_cells:
        out.rows = max((int(r) for window in _chunks(zf, part) for r in _ROW_REF.findall(window)), default=0)
    return out


def sheet_hiding(zf: zipfile.ZipFile, part: str, styles: set[str], may_hide: bool = True) -> SheetHiding:
    out = SheetHiding()
    if part not in zf.namelist() or not may_hide:
        return out
    tags = (f"{NS}col", f"{NS}row") + ((f"{NS}c",) if styles else ())
    for element in iter_elements(zf, part, tags):
        tag = element.tag
        if tag == f"{NS}c":
            if element.get("s") in styles and len(element):
                match = _CELL_REF.match(element.get("r", ""))
                if match:
                    out.white_cells.add((int(match.group(2)) - 1, column_index(match.group(1))))
        elif tag == f"{NS}row":
            if element.get("hidden") in {"1", "true"}:
                out.hidden_rows.add(int(element.get("r", "0")) - 1)
        elif element.get("hidden") in {"1", "true"}:
            first, last = int(element.get("min", "1")), int(element.get("max", "1"))
            out.hidden_cols.update(range(first - 1, min(last, first + 16384)))
    return out


def _cache_value(element: etree._Element) -> str:
    """A shared item or inline record value: ``<s v=…>``, ``<n v=…>``, ``<d v=…>``, ``<b v=…>``;
    ``<m/>`` is a missing value."""
    if element.tag == f"{NS}m":
        return ""
    return str(element.get("v", ""))


def pivot_cache_tables(zf: zipfile.ZipFile, limits: Limits, locator: str) -> list[Table]:
    """Source rows kept in ``xl/pivotCache/pivotCacheRecords*.xml`` (even after the source sheet is
    deleted), decoded through the shared items of ``pivotCacheDefinition*.xml``."""
    tables: list[Table] = []
    definitions = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/pivotCache/pivotCacheDefinition\d*\.xml", n))
    for definition in definitions:
        root = parse_xml(read_member(zf, definition, limits, locator), definition)
        header: list[str] = []
        shared: list[list[str]] = []
        for field_el in root.iter(f"{NS}cacheField"):
            header.append(field_el.get("name", ""))
            items = field_el.find(f"{NS}sharedItems")
            shared.append([_cache_value(item) for item in (items if items is not None else [])])
        rels = _rels(zf, definition, limits, locator)
        records_part = next((t for t in rels.values() if "pivotCacheRecords" in t), "")
        if not records_part or records_part not in zf.namelist():
            continue
        rows: list[list[str]] = []
        count = 0
        for record in iter_elements(zf, records_part, (f"{NS}r",)):
            count += 1
            if len(rows) >= limits.sample_rows:
                continue
            row: list[str] = []
            for j, cell in enumerate(record):
                if cell.tag == f"{NS}x":
                    index = int(cell.get("v", "0"))
                    pool = shared[j] if j < len(shared) else []
                    row.append(pool[index] if 0 <= index < len(pool) else "")
                else:
                    row.append(_cache_value(cell))
            rows.append(row)
        number = re.sub(r"\D", "", posixpath.basename(definition)) or "1"
        tables.append(Table(header=header, rows=rows, locator=f"pivot cache {number}", row_count=count,
                            hidden=True, hidden_reason=f"pivot cache {number} keeps {count:,} source rows"))
    return tables


ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_HIDDEN = {"collapse", "filter"}
_ODS_REPEAT_CAP = 1_048_576
_ODS_NEEDLES = (b'visibility="collapse"', b'visibility="filter"')


def ods_hiding(zf: zipfile.ZipFile) -> dict[str, SheetHiding]:
    """Hidden rows and columns per sheet of an ODS (``table:visibility="collapse"`` or
    ``"filter"`` on rows and columns, with their repeat counts), streamed from content.xml."""
    if "content.xml" not in zf.namelist() or not _mentions(zf, "content.xml", _ODS_NEEDLES):
        return {}
    out: dict[str, SheetHiding] = {}
    current = SheetHiding()
    row = col = 0
    tags = (f"{ODS_TABLE}table", f"{ODS_TABLE}table-row", f"{ODS_TABLE}table-column")
    for element in iter_elements(zf, "content.xml", tags):
        hidden = element.get(f"{ODS_TABLE}visibility") in _ODS_HIDDEN
        if element.tag == f"{ODS_TABLE}table-row":
            repeat = min(int(element.get(f"{ODS_TABLE}number-rows-repeated", "1")), _ODS_REPEAT_CAP)
            if hidden:
                current.hidden_rows.update(range(row, row + repeat))
            row += repeat
        elif element.tag == f"{ODS_TABLE}table-column":
            repeat = min(int(element.get(f"{ODS_TABLE}number-columns-repeated", "1")), 16384)
            if hidden:
                current.hidden_cols.update(range(col, col + repeat))
            col += repeat
        else:
            out[element.get(f"{ODS_TABLE}name", "")] = current
            current, row, col = SheetHiding(), 0, 0
    return out
