"""What the simulated agency site holds: its resources (bytes with a type, an ETag and a date),
its HTML pages and the log of the requests it answered."""

from __future__ import annotations

import hashlib
import html
import time
from dataclasses import dataclass, field

NAV = [("/", "Home"), ("/about/", "About"), ("/news/", "News"), ("/statistics/", "Statistics")]


@dataclass
class Resource:
    """One URL's current answer."""

    body: bytes
    content_type: str
    status: int = 200
    modified: float = field(default_factory=time.time)
    gzip_encoded: bool = False
    location: str | None = None
    delay: float = 0.0

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:20] + '"'


@dataclass
class Page:
    """An HTML page: either generated from title/paragraphs or raw HTML; links can be added."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    raw_html: str | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    modified: float = field(default_factory=time.time)

    def render(self, nav: list[tuple[str, str]]) -> bytes:
        items = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>\n'
                        for href, text in self.links)
        link_list = f'<ul class="links">\n{items}</ul>\n' if self.links else ""
        if self.raw_html is not None:
            marker = self.raw_html.lower().rfind("</body>")
            if marker < 0:
                return (self.raw_html + link_list).encode("utf-8")
            return (self.raw_html[:marker] + link_list + self.raw_html[marker:]).encode("utf-8")
        menu = " | ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in nav)
        paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in self.paragraphs)
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(self.title)} | Office of Border Statistics</title></head>\n"
            f"<body><nav>{menu}</nav>\n<main><h1>{html.escape(self.title)}</h1>\n{paragraphs}{link_list}"
            "</main>\n<footer>Office of Border Statistics (a fictitious agency)</footer></body></html>\n"
        ).encode()


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float
