"""Which URLs belong to a crawl: allowed domains, include/exclude patterns, document types."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from scrapy.linkextractors import IGNORED_EXTENSIONS

# File extension → document type of the site config's ``follow_types``.
DOCUMENT_EXTENSIONS: dict[str, str] = {
    "pdf": "pdf", "csv": "csv", "tsv": "tsv", "tab": "tsv", "xls": "xls", "xlsx": "xlsx", "xlsm": "xlsx",
    "ods": "ods", "docx": "docx", "json": "json", "zip": "zip",
}
HTML_EXTENSIONS = frozenset({"", "html", "htm", "xhtml", "shtml", "php", "asp", "aspx", "jsp", "cfm"})
SKIPPED_EXTENSIONS = frozenset(IGNORED_EXTENSIONS) - set(DOCUMENT_EXTENSIONS) - HTML_EXTENSIONS


def link_kind(url: str) -> str:
    """``html``, a document type (``pdf``, ``xlsx``…), or ``skip`` (images, scripts, media…).

    Decided from the path's extension; paths without a known extension count as HTML pages
    (``/download?id=3`` may well be a spreadsheet: it is fetched and stored whatever it is)."""
    path = urlsplit(url).path
    ext = posixpath.splitext(path)[1].lower().lstrip(".")
    if ext in DOCUMENT_EXTENSIONS:
        return DOCUMENT_EXTENSIONS[ext]
    if ext in SKIPPED_EXTENSIONS:
        return "skip"
    return "html"


def host_in(host: str, domains: Iterable[str]) -> bool:
    """``host`` is one of ``domains`` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower().rstrip(".") for d in domains) if d)


class Scope:
    def __init__(self, allowed_domains: Iterable[str], include: Iterable[str] = (),
                 exclude: Iterable[str] = (), follow_types: Iterable[str] = ("html",)) -> None:
        self.allowed_domains = [d for d in allowed_domains if d]
        self.include = [re.compile(p) for p in include]
        self.exclude = [re.compile(p) for p in exclude]
        self.follow_types = frozenset(follow_types)

    def why_not(self, url: str, *, seed: bool = False) -> str | None:
        """None if the crawl may fetch ``url``, else a short reason (for debug logs and stats)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "scheme"
        if self.allowed_domains and not host_in(parts.hostname or "", self.allowed_domains):
            return "offsite"
        if seed:
            return None
        if any(p.search(url) for p in self.exclude):
            return "excluded"
        if self.include and not any(p.search(url) for p in self.include):
            return "not_included"
        kind = link_kind(url)
        if kind == "skip" or kind not in self.follow_types:
            return "type"
        return None
