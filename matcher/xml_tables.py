"""XML data files: repeated record elements become tables, the way JSON arrays of records do.

A *record element* is an element repeated (3 times or more, most of its parent's children) whose
members carry attributes or child elements: ``<rows><row><name>…</name><dob>…</dob></row>…``.
Its attributes and leaf children are the columns (``@id``, ``name``); a child with children of its
own is flattened one level (``address.city``); a child repeated inside one record is joined
(``a; b``).  Records whose children are all one repeated tag are positional rows (SpreadsheetML
``<Row><Cell>``, XHTML-like ``<tr><td>``): their first row may be a header
(:mod:`matcher.header_row`).  Records are looked for up to 4 levels below the root and are not
descended into.  Web feeds and sitemaps (``FEED_ROOTS``) hold no tables.

The parser resolves no entity and loads nothing (:func:`matcher.containers.parser`): no external
entities, no network, no entity expansion; ``huge_tree=False`` bounds depth and text sizes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from lxml import etree

from core.models import Table
from matcher.containers import parser
from matcher.errors import ScanError
from matcher.extracted import Extracted
from matcher.header_row import fit_header, split_header
from matcher.json_tables import records_table
from matcher.limits import Limits

MAX_DEPTH = 4  # levels below the root where record elements are looked for
# web feeds and sitemaps (RSS, RDF/RSS 1.0, Atom, sitemaps.org) list pages and posts by
# specification; a government site publishes many, and their author names are bylines, not records
FEED_ROOTS = frozenset({"rss", "RDF", "feed", "urlset", "sitemapindex"})
MIN_RECORDS = 3
JOIN = "; "


def _name(element: etree._Element) -> str:
    return str(etree.QName(element).localname)


def _text(element: etree._Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]  # no comments or processing instructions


def _record_tag(parent: etree._Element) -> str:
    """The tag of the record elements among ``parent``'s children, or ``""``."""
    children = _elements(parent)
    if len(children) < MIN_RECORDS:
        return ""
    tag, count = Counter(_name(c) for c in children).most_common(1)[0]
    if count < MIN_RECORDS or count < 0.5 * len(children):
        return ""
    members = [c for c in children[:50] if _name(c) == tag]
    if sum(1 for c in members if c.attrib or _elements(c)) < 0.8 * len(members):
        return ""
    return tag


def _record(element: etree._Element) -> dict[str, Any]:
    record: dict[str, Any] = {f"@{_name_of(k)}": v for k, v in element.attrib.items()}
    for child in _elements(element):
        key = _name(child)
        grandchildren = _elements(child)
        value: Any = {_name(g): _text(g) for g in grandchildren} if grandchildren else _text(child)
        if key in record and isinstance(record[key], str) and isinstance(value, str):
            record[key] = f"{record[key]}{JOIN}{value}"
        else:
            record.setdefault(key, value)
    return record


def _name_of(attribute: str) -> str:
    return str(etree.QName(attribute).localname) if attribute.startswith("{") else attribute


def _positional(members: list[etree._Element]) -> bool:
    """Rows of cells: every member's children share one tag (``Row``/``Cell``, ``tr``/``td``)."""
    tags = {_name(c) for m in members[:50] for c in _elements(m)}
    return len(tags) == 1


def _find(element: etree._Element, path: str, depth: int, found: list[tuple[str, list[etree._Element]]]) -> None:
    tag = _record_tag(element)
    if tag:
        found.append((f"{path}/{tag}", [c for c in _elements(element) if _name(c) == tag]))
        return
    if depth >= MAX_DEPTH:
        return
    for child in _elements(element):
        _find(child, f"{path}/{_name(child)}", depth + 1, found)


def extract_xml(data: bytes, limits: Limits, locator: str, deadline: float) -> Extracted:
    head = data[:65536]
    if b"<!ENTITY" in head or "<!ENTITY".encode("utf-16-le") in head:
        # data files need no entities; declared ones are how entity bombs and external-entity
        # reads start (the parser would not expand them, but the file is not a plain export)
        raise ScanError(f"{locator}: the XML declares entities (a possible entity bomb); not scanned. "
                        "Open it to check what it is")
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise ScanError(f"{locator}: not well-formed XML (line {exc.lineno}); check that the download is "
                        "complete") from None
    found: list[tuple[str, list[etree._Element]]] = []
    if _name(root) not in FEED_ROOTS:
        _find(root, f"/{_name(root)}", 0, found)
    out = Extracted()
    for path, members in found:
        where = f"XML {path}"
        if _positional(members):
            out.tables.append(_grid(members, limits, where))
        else:
            records = [_record(m) for m in members[: limits.sample_rows]]
            out.tables.append(records_table(records, len(members), limits, locator, where))
    return out


def _grid(members: list[etree._Element], limits: Limits, where: str) -> Table:
    rows = [[_text(c)[: limits.max_cell_chars] for c in _elements(m)[: limits.max_columns]]
            for m in members[: limits.sample_rows + 1]]
    header, start = split_header(rows)
    sample = rows[start:][: limits.sample_rows]
    return Table(header=fit_header(header, sample), rows=sample, locator=where, row_count=len(members) - start)
