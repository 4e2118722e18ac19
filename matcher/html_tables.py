"""HTML ``<table>`` elements, read with lxml (no network, no entity resolution)."""

from __future__ import annotations

from lxml import etree, html

from matcher.errors import ScanError
from matcher.extracted import Extracted
from matcher.header_row import grid_table, keep_row
from matcher.limits import Limits


def _text(cell: etree._Element) -> str:
    if len(cell) == 0:
        # no child elements: itertext() would yield just cell.text (the cell's own tail is not its text)
        return " ".join((cell.text or "").split())
    return " ".join(" ".join(cell.itertext()).split())


def extract_html(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    # a plain etree parser: the same tree as lxml.html's, without lxml.html's Python-level element
    # class lookup on every element the loops below touch (nothing here needs HtmlElement methods)
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise ScanError(f"{locator}: not readable HTML; check that the download is complete") from None
    out = Extracted()
    for number, table in enumerate(root.iter("table"), start=1):
        rows: list[list[str]] = []
        count = 0
        headings = 0  # leading rows made only of <th> cells: the header says so itself
        for tr in table.iter("tr"):
            if tr.getparent() is not None and _owning_table(tr) is not table:
                continue  # rows of a nested table belong to that table
            tags = [c for c in tr if c.tag in {"td", "th"}]
            cells = [_text(c)[: limits.max_cell_chars] for c in tags]
            if not any(cells):
                continue
            if len(cells) > limits.max_columns:
                raise ScanError(f"{locator}: an HTML table with {len(cells):,} columns; not scanned")
            if count == headings and all(c.tag == "th" for c in tags):
                headings += 1
            count += 1
            if keep_row(rows, limits.sample_rows):
                rows.append(cells)
        found = grid_table(rows, count, f"HTML table {number}", limits.sample_rows, headings)
        if found is not None:
            out.tables.append(found)
    return out


def _owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent
