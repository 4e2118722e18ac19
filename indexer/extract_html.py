"""HTML pages: title, visible text (no scripts, styles or markup) and outgoing links, with lxml.

Tables in pages are the matcher's business (:mod:`indexer.extract` passes the page to it); this
module only produces what search and link tracking need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import etree
from lxml import html as lxml_html

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
LINK_ATTRIBUTES = (("a", "href"), ("area", "href"), ("iframe", "src"), ("frame", "src"), ("embed", "src"),
                   ("object", "data"))
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\s*\n\s*")
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
    text = _SPACES.sub(" ", text)
    return _BLANK_LINES.sub("\n", text).strip()


def parse(data: bytes, content_type: str = "") -> etree._Element | None:
    encoding = _encoding(data, content_type)
    parser = lxml_html.HTMLParser(encoding=encoding, remove_comments=True, remove_pis=True)
    try:
        root = lxml_html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError, LookupError):
        return None
    return root


def visible_text(root: etree._Element) -> str:
    """Text a reader sees: no scripts/styles/templates; block elements separated by newlines."""
    parts: list[str] = []
    skip_depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if skip_depth or tag in INVISIBLE or not tag:
                skip_depth += 1
                continue
            if tag in BLOCKS:
                parts.append("\n")
            if element.text:
                parts.append(element.text)
            continue
        if skip_depth:
            skip_depth -= 1
            if skip_depth == 0 and element.tail:  # the tail follows the invisible element
                parts.append(element.tail)
            continue
        if tag in BLOCKS:
            parts.append("\n")
        elif tag in ("td", "th"):
            parts.append(" ")
        if element.tail:
            parts.append(element.tail)
    return _clean("".join(parts))


def _title(root: etree._Element) -> str:
    titles = root.xpath("//title")
    if titles:
        return _clean(titles[0].text_content()).replace("\n", " ")[:1000]
    for tag in ("h1", "h2"):
        heads = root.xpath(f"//{tag}")
        if heads:
            return _clean(heads[0].text_content()).replace("\n", " ")[:1000]
    return ""


def links(root: etree._Element, page_url: str) -> list[Link]:
    """Absolute http(s) links without fragments, once each, in document order."""
    base = page_url
    bases = root.xpath("//base[@href]/@href")
    if bases:
        base = urljoin(page_url, str(bases[0]).strip())
    seen: set[str] = set()
    found: list[Link] = []
    for tag, attribute in LINK_ATTRIBUTES:
        for element in root.iter(tag):
            raw = (element.get(attribute) or "").strip()
            if not raw or raw.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
                continue
            try:
                target = urldefrag(urljoin(base, raw))[0]
                scheme = urlsplit(target).scheme.lower()
            except ValueError:
                continue
            if scheme not in ("http", "https") or target in seen:
                continue
            seen.add(target)
            anchor = _clean(element.text_content()).replace("\n", " ")[:MAX_ANCHOR_CHARS] if tag == "a" else ""
            found.append(Link(target, anchor))
    return found


def extract(data: bytes, url: str, content_type: str = "") -> HtmlContent:
    """Title, visible text and links of an HTML page (empty content when it does not parse)."""
    root = parse(data, content_type)
    if root is None:
        return HtmlContent()
    return HtmlContent(title=_title(root), text=visible_text(root), links=links(root, url))
