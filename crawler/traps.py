"""Crawler-trap guards: very long URLs, repeated path segments, endless query variants of a path.

Calendars (``?month=2022-12`` → next month → …), session IDs in URLs and relative-link loops
(``/a/b/a/b/a/b/``) make a site infinite; these guards keep a crawl finite without a site rule."""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlsplit


class TrapGuard:
    def __init__(self, max_url_length: int = 2048, max_repeated_segments: int = 3,
                 max_query_variants: int = 100) -> None:
        self.max_url_length = max_url_length
        self.max_repeated_segments = max_repeated_segments
        self.max_query_variants = max_query_variants
        self._variants: defaultdict[str, set[str]] = defaultdict(set)
        self.tripped: Counter[str] = Counter()

    def check(self, url: str) -> str | None:
        """None if ``url`` looks fine, else the trap's name (``url_length``, ``repeated_segments``,
        ``query_variants``).  Remembers query variants, so call it once per new URL."""
        reason = self._reason(url)
        if reason:
            self.tripped[reason] += 1
        return reason

    def _reason(self, url: str) -> str | None:
        if len(url) > self.max_url_length:
            return "url_length"
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and max(Counter(segments).values()) > self.max_repeated_segments:
            return "repeated_segments"
        if parts.query:
            key = f"{parts.scheme}://{parts.netloc}{parts.path}"
            variants = self._variants[key]
            if parts.query not in variants:
                if len(variants) >= self.max_query_variants:
                    return "query_variants"
                variants.add(parts.query)
        return None
