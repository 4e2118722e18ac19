"""Text folding for search, done in Python so both backends see the same tokens.

Elasticsearch's integration-test distribution has no ``analysis-common`` module (no
``asciifolding``, no ``html_strip``), so accents and case are folded here and both backends index
the same space-separated folded tokens.  Folding is per character, which keeps a token's span in
the original text: the highlighter (:mod:`indexer.search.highlight`) marks original words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

TOKEN = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=4096)
def fold_char(char: str) -> str:
    decomposed = unicodedata.normalize("NFKD", char)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (``José Müller`` → ``jose muller``)."""
    if text.isascii():  # fast path: NFKD leaves ASCII alone and casefold is lower
        return text.lower()
    return "".join(fold_char(c) for c in text)


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text``."""
    if text.isascii():  # fast path, same tokens: lower() is the fold of ASCII
        return TOKEN.findall(text.lower())
    return [fold(m.group()) for m in TOKEN.finditer(text)]


def token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each word of the original text."""
    for match in TOKEN.finditer(text):
        yield match.start(), match.end(), fold(match.group())


# ASCII bytes to themselves when they are word characters (``\\w``: letters, digits, ``_``), else to a
# space; non-ASCII bytes never reach it.
_ASCII_WORDS = bytes(c if chr(c).isascii() and (chr(c).isalnum() or c == 0x5F) else 0x20 for c in range(256))


def index_text(text: str) -> str:
    """The form both backends index: folded tokens joined by single spaces."""
    if text.isascii():  # fast path, same tokens: non-word bytes to spaces, split, join (all C-level)
        return b" ".join(text.encode("ascii").lower().translate(_ASCII_WORDS).split()).decode("ascii")
    return " ".join(tokens(text))
