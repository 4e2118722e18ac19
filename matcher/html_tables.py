"""HTML ``<table>`` elements, read with lxml (no network, no entity resolution)."""

from __future__ import annotations

from lxml import etree, html

from matcher.errors import ScanError
from matcher.extracted import Extracted
from matcher.headers import split_header, trailing_totals
from matcher.limits import Limits
from spillwatch.models import Table


def _text(cell: etree._Element) -> str:
    return " ".join(" ".join(cell.itertext()).split())


def extract_html(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    parser = html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        raise ScanError(f"{locator}: not readable HTML; check that the download is complete") from None
    out = Extracted()
    for number, table in enumerate(root.iter("table"), start=1):
        rows: list[list[str]] = []
        count = 0
        for tr in table.iter("tr"):
            if tr.getparent() is not None and _owning_table(tr) is not table:
                continue  # rows of a nested table belong to that table
            cells = [_text(c)[: limits.max_cell_chars] for c in tr if c.tag in {"td", "th"}]
            if not any(cells):
                continue
            if len(cells) > limits.max_columns:
                raise ScanError(f"{locator}: an HTML table with {len(cells):,} columns; not scanned")
            count += 1
            if len(rows) < limits.sample_rows + 30:
                rows.append(cells)
        if not rows:
            continue
        header, start = split_header(rows)
        totals = trailing_totals(rows) if count == len(rows) else 0
        out.tables.append(Table(header=header, rows=rows[start:][: limits.sample_rows],
                                locator=f"HTML table {number}", row_count=count - start - totals))
    return out


def _owning_table(element: etree._Element) -> etree._Element | None:
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent
