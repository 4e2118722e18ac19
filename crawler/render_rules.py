"""Which pages are rendered, and which URLs a rendered page's JSON answers point at.

``render: auto`` (docs/crawler.md "Rendered crawling") renders a page when **both** hold:

1. it has at least one ``<script>`` (inline or ``src``): without scripts a browser shows exactly what
   the plain crawler read;
2. its visible text (``<body>`` without ``script``, ``style``, ``noscript``, ``template``, and without
   the page's chrome: ``nav``, ``aside``, the page's ``header`` and ``footer``, the ARIA landmarks
   banner, navigation, contentinfo and complementary; whitespace collapsed) is shorter than
   :data:`AUTO_MAX_TEXT` characters: the page is a shell that scripts fill.  A page that already shows
   its content as text is read well enough without a browser.

The chrome is left out because an agency page's menus and footer alone often exceed 1,000 characters,
so a script-filled release list under a large menu was never rendered: ``bench/render_threshold.py``
measured it (real Chromium decides which pages need rendering; figures in bench/README.md): on
agency-like pages the whole body's text missed 65 of 68 such pages, the text without chrome 19.  The
limit itself stays the round 1,000: a higher one catches a few more shells of the synthetic pages at
the price of more pages rendered for nothing, and their text lengths are the generator's, not measured
on agency sites.  Chrome built of plain ``div`` elements is still counted, so such sites may need
``render: browser``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

from crawler.scope import DOCUMENT_EXTENSIONS, link_kind

AUTO_MAX_TEXT = 1000
HIDDEN_TAGS = ("script", "style", "noscript", "template")
CHROME_TAGS = frozenset({"nav", "aside"})
SECTIONING = frozenset({"article", "section", "main"})
CHROME_ROLES = frozenset({"banner", "navigation", "contentinfo", "complementary"})
_SPACES = re.compile(r"\s+")
MAX_JSON_STRINGS = 100_000  # strings looked at in one JSON answer (a huge answer is not walked whole)


def is_html(content_type: str) -> bool:
    return "html" in content_type.lower()


def page_shape(body: bytes) -> tuple[int, int]:
    """``(scripts, visible text characters)`` of an HTML page."""
    try:
        root = lxml.html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return 0, 0
    scripts = len(root.findall(".//script"))
    body_el = root.find("body")
    if body_el is None:
        return scripts, 0
    for element in list(body_el.iter(*HIDDEN_TAGS)):
        element.drop_tree()
    for element in _chrome(body_el):
        element.drop_tree()
    text = _SPACES.sub(" ", body_el.text_content()).strip()
    return scripts, len(text)


def _chrome(body: Any) -> list[Any]:
    """The page's chrome: ``nav``, ``aside``, the ``header`` and ``footer`` of the page (not those of an
    ``article``, ``section`` or ``main``), and the ARIA landmarks banner, navigation, contentinfo and
    complementary; never an element holding the ``main`` content."""
    found = []
    for element in body.iter():
        role = (element.get("role") or "").strip().lower() if isinstance(element.tag, str) else ""
        if element.tag in ("header", "footer"):
            chrome = not any(a.tag in SECTIONING for a in element.iterancestors())
        else:
            chrome = element.tag in CHROME_TAGS or role in CHROME_ROLES
        if chrome and element.tag != "main" and element.find(".//main") is None:
            found.append(element)
    return found


def needs_render(mode: str, body: bytes, content_type: str) -> bool:
    """Whether a fetched page is rendered under the site's ``render`` mode."""
    if mode == "plain" or not is_html(content_type):
        return False
    if mode == "browser":
        return True
    scripts, text = page_shape(body)
    return scripts > 0 and text < AUTO_MAX_TEXT


def _strings(value: Any, budget: list[int]) -> Iterator[str]:
    if budget[0] <= 0:
        return
    if isinstance(value, str):
        budget[0] -= 1
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item, budget)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, budget)


def urls_in_json(body: bytes, page_url: str) -> list[str]:
    """Document and page URLs named in a JSON answer, absolute (relative ones against the page, as the
    page's scripts use them in links).

    A string counts when it is an absolute http(s) URL, or a path (``/…``, ``./…``) whose extension is
    a document type; free text is never taken for a link."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return []
    found: list[str] = []
    for text in _strings(data, [MAX_JSON_STRINGS]):
        text = text.strip()
        if not text or len(text) > 2048 or any(c.isspace() for c in text):
            continue
        if text.startswith(("http://", "https://")):
            url = text
        elif text.startswith(("/", "./", "../")) and link_kind(text) in DOCUMENT_EXTENSIONS.values():
            url = urljoin(page_url, text)
        else:
            continue
        if urlsplit(url).hostname:
            found.append(url)
    return list(dict.fromkeys(found))
