"""HTML pages: title, visible text (no scripts, styles or markup) and outgoing links, with lxml.

Tables in pages are the matcher's business (:mod:`indexer.extract` passes the page to it); this
module only produces what search and link tracking need.
"""

from __future__ import annotations

import re
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


@dataclass
class Link:
    url: str
    text: str = ""


@dataclass
class HtmlContent:
    title: str = ""
    text: str = ""
    links: list[Link] = field(default_factory=list)


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
    return "\n".join(filter(None, [" ".join(line.split()) for line in text.split("\n")]))


def parse(data: bytes, content_type: str = "") -> etree._Element | None:
    encoding = _encoding(data, content_type)
    # lxml.etree's parser, not lxml.html's: the same tree, without lxml.html's element-class lookup
    # (a Python call for every element touched); text_content() is _text_content() here
    parser = etree.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)
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
        element.tail = "\n" + element.tail if element.tail else "\n"
        element.text = "\n" + element.text if element.text else "\n"
    for element in root.iter("td", "th"):
        element.tail = " " + element.tail if element.tail else " "
    return _clean(etree.tostring(root, method="text", encoding="unicode", with_tail=False))


def _title(root: etree._Element) -> str:
    for tag in ("title", "h1", "h2"):
        element = root.find(f".//{tag}")
        if element is not None:
            return " ".join(_text_content(element).split())[:1000]
    return ""


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def links(root: etree._Element, page_url: str) -> list[Link]:
    """Absolute http(s) links without fragments, once each, in document order."""
    base = page_url
    bases = root.xpath("//base[@href]/@href")
    if bases:
        base = urljoin(page_url, str(bases[0]).strip())
    try:
        origin = _origin(base)
    except ValueError:
        return []
    seen: set[str] = set()
    found: list[Link] = []
    for element in root.iter(*LINK_ATTRIBUTES):
        tag = element.tag
        raw = (element.get(LINK_ATTRIBUTES[tag]) or "").strip()
        if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        # fast paths for the common absolute and root-relative links; urljoin for the rest
        if raw.startswith(("http://", "https://")):
            target = raw.split("#", 1)[0]
        elif raw.startswith("/") and not raw.startswith("//"):
            target = origin + raw.split("#", 1)[0]
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
    return HtmlContent(title=title, text=visible_text(root), links=found)
