"""HTML pages: title, visible text (no scripts, styles or markup) and outgoing links, with lxml.

Tables in pages are the matcher's business (:mod:`indexer.extract` passes the page to it); this
module only produces what search and link tracking need.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree

from indexer.media_types import charset_of

# Elements whose content is never shown as text.
INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title", "svg", "math", "object"})
# Elements that break the text flow (a space or newline between their text and the next).
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "option", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    "img", "input", "button", "select", "textarea", "label",
})
LINK_ATTRIBUTES = {"a": "href", "area": "href", "iframe": "src", "frame": "src", "embed": "src", "object": "data"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
MAX_ANCHOR_CHARS = 200
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:")
# Parsers by encoding, one set per thread: a parser's first document costs ~15 µs more than its
# next ones (lxml sets up its parser context once), and lxml parsers are not for sharing between
# threads.
_PARSERS = threading.local()


@dataclass
class Link:
    url: str
    text: str = ""


@dataclass
class HtmlContent:
    title: str = ""
    text: str = ""
    links: list[Link] = field(default_factory=list)
    # the text with every table cell masked (what roles without unmasked access see and search);
    # None when the page has no table cells
    viewer_text: str | None = None


def _encoding(data: bytes, content_type: str) -> str:
    declared = charset_of(content_type)
    if not declared:
        match = _META_CHARSET.search(data[:4096])
        declared = match.group(1).decode("ascii", "replace").lower() if match else ""
    if declared:
        try:
            "".encode(declared)
            return "utf-8" if declared in ("utf8", "unicode") else declared
        except LookupError:
            declared = ""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _clean(text: str) -> str:
    """Whitespace runs to one space; one line per block; no blank lines."""
    lines: list[str] = []
    for line in text.split("\n"):
        if not line:
            continue
        # most lines need no change (split/join is the cost for long ones): no space at either end,
        # no double space, and no other whitespace (every whitespace but " " is unprintable)
        if line[0] != " " and line[-1] != " " and "  " not in line and line.isprintable():
            lines.append(line)
        else:
            line = " ".join(line.split())
            if line:
                lines.append(line)
    return "\n".join(lines)


def _parser(encoding: str) -> etree.HTMLParser:
    parsers: dict[str, etree.HTMLParser] | None = getattr(_PARSERS, "by_encoding", None)
    if parsers is None or len(parsers) > 32:  # (the bound: encodings come from the pages)
        parsers = _PARSERS.by_encoding = {}
    parser = parsers.get(encoding)
    if parser is None:
        # lxml.etree's parser, not lxml.html's: the same tree, without lxml.html's element-class
        # lookup (a Python call for every element touched); text_content() is _text_content() here
        parser = parsers[encoding] = etree.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)
    return parser


def parse(data: bytes, content_type: str = "") -> etree._Element | None:
    parser = _parser(_encoding(data, content_type))
    try:
        root = etree.fromstring(data, parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        return None
    return root  # None for an empty document


def _text_content(element: etree._Element) -> str:
    """lxml.html's ``text_content()``: the text of the element and its descendants, without its tail."""
    return "".join(element.itertext())


def visible_text(root: etree._Element) -> str:
    """Text a reader sees: no scripts/styles/templates; block elements on lines of their own.

    Changes the tree (invisible elements are removed): call it last.
    """
    etree.strip_elements(root, *INVISIBLE, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for element in root.iter(*BLOCKS):
        tail, text = element.tail, element.text
        try:
            element.tail = "\n" + tail if tail else "\n"
            element.text = "\n" + text if text else "\n"
        except ValueError:  # libxml2 parsed control characters that lxml refuses to set back
            element.tail = "\n" + _xml_safe(tail)
            element.text = "\n" + _xml_safe(text)
    # (no space after table cells: td and th are blocks, their tails start with a line break)
    return _clean(etree.tostring(root, method="text", encoding="unicode", with_tail=False))


# C0 control characters other than tab, line feed and carriage return: lxml refuses them in text
# it is given, and archived pages do contain them.
_CONTROL_TO_SPACE = dict.fromkeys([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)], " ")


def _xml_safe(text: str | None) -> str:
    return text.translate(_CONTROL_TO_SPACE) if text else ""


def _title(root: etree._Element) -> str:
    for tag in ("title", "h1", "h2"):
        element = next(root.iterdescendants(tag), None)  # root.find(f".//{tag}"), without ElementPath
        if element is not None:
            return " ".join(_text_content(element).split())[:1000]
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _base_href(root: etree._Element) -> str | None:
    """``root.xpath("//base[@href]/@href")[0]``, ~20x faster with iter().  The whole document: libxml2
    leaves more than one top-level element in some broken pages."""
    for top in (root, *root.itersiblings()):
        for element in top.iter("base"):
            href = element.get("href")
            if href is not None:
                return href
    return None


def links(root: etree._Element, page_url: str) -> list[Link]:
    """Absolute http(s) links without fragments, once each, in document order."""
    base = page_url
    href = _base_href(root)
    if href is not None:
        base = urljoin(page_url, href.strip())
    try:
        origin = _origin(base)
    except ValueError:
        return []
    seen: set[str] = set()
    found: list[Link] = []
    for element in root.iter(*LINK_ATTRIBUTES):
        tag = element.tag
        raw = element.get(LINK_ATTRIBUTES[tag])
        if not raw:
            continue
        raw = raw.strip()
        if not raw or raw.startswith(_NOT_LINKS):
            continue
        # fast paths for the common absolute and root-relative links; urljoin for the rest
        if raw.startswith(("http://", "https://")):
            target = raw.partition("#")[0]
        elif raw[0] == "/" and raw[1:2] != "/":
            target = origin + raw.partition("#")[0]
        else:
            try:
                target = urldefrag(urljoin(base, raw))[0]
                if urlsplit(target).scheme.lower() not in ("http", "https"):
                    continue
            except ValueError:
                continue
        if target in seen:
            continue
        seen.add(target)
        if tag != "a":
            anchor = ""
        else:  # an anchor without child elements has one text node (comments are parsed away)
            content = _text_content(element) if len(element) else (element.text or "")
            anchor = " ".join(content.split())[:MAX_ANCHOR_CHARS]
        found.append(Link(target, anchor))
    return found


def page_text(data: bytes, content_type: str = "") -> str:
    """Only the visible text of an HTML page (what :func:`extract` gives as ``text``)."""
    root = parse(data, content_type)
    return visible_text(root) if root is not None else ""


def extract(data: bytes, url: str, content_type: str = "") -> HtmlContent:
    """Title, visible text and links of an HTML page (empty content when it does not parse)."""
    root = parse(data, content_type)
    if root is None:
        return HtmlContent()
    title, found = _title(root), links(root, url)
    text = visible_text(root)
    return HtmlContent(title=title, text=text, links=found, viewer_text=cells_masked_text(root))


def cells_masked_text(root: etree._Element) -> str | None:
    """The visible text again with the text of every table cell masked (:func:`matcher.masking.mask_text`),
    or None without cells.  Call after :func:`visible_text` (it reuses the tree that call prepared).

    Any table may list people below the matcher's threshold, and a page's prose cannot be told from
    a table's cells in the flat text, so the cells are masked in the tree; prose outside tables stays."""
    from matcher.masking import mask_text

    cells = list(root.iter("td", "th"))
    if not cells:
        return None
    # Speed: the cells' texts are masked in one call, joined by NUL (never in lxml text, and masking
    # leaves it alone), not one call per text node.
    places: list[tuple[etree._Element, bool]] = []  # (node, its tail rather than its text)
    for cell in cells:
        for node in cell.iter():
            if node.text and node.text.strip():
                places.append((node, False))
            if node is not cell and node.tail and node.tail.strip():
                places.append((node, True))
    if not places:
        return None
    masked = mask_text("\0".join(node.tail if tail else node.text for node, tail in places)).split("\0")
    for (node, tail), text in zip(places, masked, strict=True):
        if tail:
            node.tail = text
        else:
            node.text = text
    return _clean(etree.tostring(root, method="text", encoding="unicode", with_tail=False))
