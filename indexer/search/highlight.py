"""One highlighter for both backends, over the original (unfolded) text.

Each backend's native highlighter would run on the folded index text and show ``jose`` where the
document says ``José``; matching folded query terms against the spans of the original words
(:func:`indexer.search.folding.token_spans`) shows the document as written, and shows it
identically whichever backend found it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from indexer.search.folding import token_spans
from indexer.search.query import ParsedQuery, Term

_SPACE = re.compile(r"\s+")


def highlight(
    text: str, query: ParsedQuery, fragments: int = 3, width: int = 160
) -> list[list[tuple[str, bool]]]:
    """Up to ``fragments`` snippets around matches of the positive query terms."""
    positive = query.positive
    if not text or not positive:
        return []
    if text.isascii() and all(term.words for term in positive):
        # fast path, same matches: ASCII text folds by lower() (same length), its tokens are \w+
        # runs, so a term is its words separated by non-word characters, at word boundaries; the
        # lookahead finds overlapping matches as the token loop below does
        lowered = text.lower()
        marked = [span for term in positive for span in _ascii_matches(lowered, term)]
    else:
        marked = _token_matches(text, positive)
    return _fragments(text, marked, fragments, width)


@lru_cache(maxsize=512)
def _pattern(term: Term) -> re.Pattern[str]:
    body = r"\W+".join(re.escape(word) for word in term.words)
    return re.compile(r"(?<!\w)(?=(" + body + (r"\w*" if term.prefix else r"(?!\w)") + "))")


def _ascii_matches(lowered: str, term: Term) -> Iterator[tuple[int, int]]:
    """The spans ``_pattern(term).finditer(lowered)`` marks, found faster: ``str.find`` jumps to where the
    term's first word begins and the pattern, anchored there, decides (its look-behind still sees the
    character before).  ``finditer`` tried the pattern at every character: on a page of twenty 20 KB
    documents that was 60% of an Elasticsearch search (bench/README.md, "Search")."""
    pattern = _pattern(term)
    first = term.words[0]
    at = lowered.find(first)
    while at >= 0:
        found = pattern.match(lowered, at)
        if found:
            yield found.span(1)
        at = lowered.find(first, at + 1)


def _token_matches(text: str, positive: tuple[Term, ...]) -> list[tuple[int, int]]:
    spans = list(token_spans(text))
    folded = [s[2] for s in spans]
    marked: list[tuple[int, int]] = []
    for term in positive:
        n = len(term.words)
        for i in range(len(spans) - n + 1):
            ok = True
            for j, word in enumerate(term.words):
                candidate = folded[i + j]
                last = j == n - 1
                if not (candidate == word or (term.prefix and last and candidate.startswith(word))):
                    ok = False
                    break
            if ok:
                marked.append((spans[i][0], spans[i + n - 1][1]))
    return marked


def _fragments(text: str, marked: list[tuple[int, int]], fragments: int, width: int) -> list[list[tuple[str, bool]]]:
    if not marked:
        return []
    marked.sort()
    result: list[list[tuple[str, bool]]] = []
    used_until = -1
    for start, _end in marked:
        if start < used_until:
            continue
        frag_start = max(0, start - width // 3)
        # start at a word boundary
        while frag_start > 0 and not text[frag_start - 1].isspace() and start - frag_start < width // 2:
            frag_start -= 1
        frag_end = min(len(text), frag_start + width)
        segments: list[tuple[str, bool]] = []
        cursor = frag_start
        for m_start, m_end in marked:
            if m_end <= frag_start or m_start >= frag_end or m_start < cursor:
                continue
            if m_start > cursor:
                segments.append((text[cursor:m_start], False))
            segments.append((text[m_start:m_end], True))
            cursor = m_end
        if cursor < frag_end:
            segments.append((text[cursor:frag_end], False))
        if frag_start > 0:
            segments.insert(0, ("…", False))
        if frag_end < len(text):
            segments.append(("…", False))
        result.append([(_SPACE.sub(" ", t), m) for t, m in segments])
        used_until = frag_end
        if len(result) >= fragments:
            break
    return result
