"""DOCX: tables via python-docx; hidden text runs (``w:vanish``, white text), comments and tracked
deletions from the raw XML, each reported as hidden content."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import _Row

from matcher.containers import check_xml_parts, check_zip, iter_elements, open_zip
from matcher.errors import ScanError
from matcher.extracted import Extracted, HiddenItem
from matcher.header_row import grid_table, keep_row
from matcher.limits import Limits

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TEXT_CAP = 50_000


def _is_on(element: object) -> bool:
    value = getattr(element, "get", lambda _k: None)(f"{W}val")
    return value not in {"0", "false", "off"}


def extract_docx(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    zf = open_zip(data, locator, "DOCX")
    check_zip(zf, limits, locator, "DOCX")
    check_xml_parts(zf, locator, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ScanError(f"{locator}: damaged DOCX ({type(exc).__name__}); "
                        "open it in a word processor to check it") from None
    out = Extracted()
    for number, table in enumerate(document.tables, start=1):
        rows: list[list[str]] = []
        count = 0
        headings = 0  # leading rows marked "repeat as header row" (w:tblHeader): the header says so itself
        for row in table.rows:
            cells = [cell.text.strip()[: limits.max_cell_chars] for cell in row.cells]
            if not any(cells):
                continue
            if count == headings and _is_heading(row):
                headings += 1
            count += 1
            if keep_row(rows, limits.sample_rows):
                rows.append(cells)
        found = grid_table(rows, count, f"DOCX table {number}", limits.sample_rows, headings)
        if found is not None:
            out.tables.append(found)
    _hidden_text(zf, out, locator)
    return out


def _is_heading(row: _Row) -> bool:
    properties = row._tr.trPr
    if properties is None:
        return False
    mark = properties.find(f"{W}tblHeader")
    return mark is not None and _is_on(mark)


def _hidden_text(zf: zipfile.ZipFile, out: Extracted, locator: str) -> None:
    names = set(zf.namelist())
    hidden: list[str] = []
    deleted: list[str] = []
    runs = deletions = 0
    if "word/document.xml" in names:
        for element in iter_elements(zf, "word/document.xml", (f"{W}r",)):
            props = element.find(f"{W}rPr")
            text = "".join(t.text or "" for t in element.iter(f"{W}t", f"{W}delText"))
            if not text.strip():
                continue
            in_deletion = element.getparent() is not None and element.getparent().tag == f"{W}del"
            if in_deletion or element.find(f"{W}delText") is not None:
                deletions += 1
                if sum(map(len, deleted)) < _TEXT_CAP:
                    deleted.append(text)
                continue
            if props is None:
                continue
            vanish = props.find(f"{W}vanish")
            color = props.find(f"{W}color")
            white = color is not None and (color.get(f"{W}val") or "").upper() in {"FFFFFF", "FFFFFFFF"}
            if (vanish is not None and _is_on(vanish)) or white:
                runs += 1
                if sum(map(len, hidden)) < _TEXT_CAP:
                    hidden.append(text)
    if runs:
        text = " ".join(hidden)
        out.hidden.append(HiddenItem(locator=f"{locator} body",
                                     what=f"{runs} hidden text run(s) (hidden or white text)", count=runs,
                                     text=text, text_chars=len(text)))
    if deletions:
        text = " ".join(deleted)
        out.hidden.append(HiddenItem(locator=f"{locator} tracked changes",
                                     what=f"{deletions} tracked deletion(s) still in the file", count=deletions,
                                     text=text, text_chars=len(text)))
    if "word/comments.xml" in names:
        comments: list[str] = []
        count = 0
        for element in iter_elements(zf, "word/comments.xml", (f"{W}comment",)):
            count += 1
            if sum(map(len, comments)) < _TEXT_CAP:
                comments.append(" ".join(t.text or "" for t in element.iter(f"{W}t")))
        if count:
            text = " ".join(comments)
            out.hidden.append(HiddenItem(locator=f"{locator} comments", what=f"{count} comment(s)", count=count,
                                         text=text, text_chars=len(text)))
