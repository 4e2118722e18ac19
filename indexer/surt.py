"""SURT keys (Sort-friendly URI Reordering Transform) with the Internet Archive's ``surt`` library.

The SURT is the catalog's key for "the same URL": host reversed, ``www`` dropped, query sorted,
scheme dropped, so ``http://www.Example.gov/a?b=1&a=2`` and ``https://example.gov/a?a=2&b=1`` share
``gov,example)/a?a=2&b=1``.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from urllib.parse import urlsplit

import surt as surt_lib

MAX_KEY_CHARS = 2000


@lru_cache(maxsize=65536)
def surt_key(url: str) -> str:
    """The SURT of ``url``; URLs the library cannot parse fall back to the lower-cased URL.

    Cached: pages link the same URLs over and over, and the library takes ~0.1 ms a call."""
    try:
        key = str(surt_lib.surt(url))
    except (ValueError, TypeError, AttributeError, IndexError):
        key = url.strip().lower()
    if len(key) > MAX_KEY_CHARS:  # index entries have a size limit (PostgreSQL btree: ~2.7 kB)
        key = key[:MAX_KEY_CHARS - 41] + "#" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key


def host_of(url: str) -> str:
    """Lower-case host of ``url`` without ``www.`` (the search facet for URLs of no configured site)."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host
