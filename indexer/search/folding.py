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


class _FoldTable(dict[int, str]):
    """``str.translate`` table: code point → :func:`fold_char` of it, filled as characters are met
    (folding a text is then one C-level ``translate``, not a Python call per character)."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < 65_536:  # bounded, whatever the texts hold
            self[code] = folded
        return folded


_FOLDS = _FoldTable()


def fold(text: str) -> str:
    """Lower-case, accent-free form of ``text`` (``José Müller`` → ``jose muller``)."""
    if text.isascii():  # fast path: NFKD leaves ASCII alone and casefold is lower
        return text.lower()
    return text.translate(_FOLDS)  # = "".join(fold_char(c) for c in text)


def tokens(text: str) -> list[str]:
    """Folded word tokens of ``text``."""
    if text.isascii():  # fast path, same tokens: lower() is the fold of ASCII
        return TOKEN.findall(text.lower())
    return [fold(m.group()) for m in TOKEN.finditer(text)]


def token_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded token) for each word of the original text."""
    for match in TOKEN.finditer(text):
        yield match.start(), match.end(), fold(match.group())


# ASCII bytes to their lower case when they are word characters (``\\w``: letters, digits, ``_``), else
# to a space; non-ASCII bytes never reach it.
_ASCII_WORDS = bytes(
    ord(chr(c).lower()) if chr(c).isascii() and (chr(c).isalnum() or c == 0x5F) else 0x20 for c in range(256)
)


def index_text(text: str) -> str:
    """The form both backends index: folded tokens joined by single spaces."""
    if text.isascii():
        # Fast path, same tokens, all C-level: one translate lower-cases the words and turns every
        # other byte into a space; then runs of spaces collapse.  Splitting at double spaces (a
        # substring search) makes a few pieces where split() would make one object per word; a
        # piece holds single spaces only, plus maybe one at either end (strip() drops it).
        data = text.encode("ascii").translate(_ASCII_WORDS)
        return b" ".join([piece for piece in [part.strip() for part in data.split(b"  ")] if piece]).decode("ascii")
    words = TOKEN.findall(text)
    joined = " ".join(words)
    if joined.isascii():  # non-ASCII only between words (no-break spaces, quotes, dashes): lower() folds
        return joined.lower()
    return " ".join(map(fold, words))
