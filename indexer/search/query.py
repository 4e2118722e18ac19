"""The search query language shared by both backends.

Plain words must all match (AND); ``"quoted phrases"`` match as phrases; ``word*`` is a prefix;
``-word`` excludes.  Parsed once in Python and translated by each backend, so the two return
the same documents for the same query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from indexer.search.folding import tokens

_PART = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # folded; more than one word = phrase
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...] = ()

    @property
    def positive(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if not t.negated)

    @property
    def negative(self) -> tuple[Term, ...]:
        return tuple(t for t in self.terms if t.negated)


def parse_query(text: str) -> ParsedQuery:
    terms: list[Term] = []
    for match in _PART.finditer(text or ""):
        if match.group(2) is not None:
            words = tokens(match.group(2))
            if words:
                terms.append(Term(tuple(words), negated=bool(match.group(1))))
            continue
        raw = match.group(4)
        negated = bool(match.group(3))
        prefix = raw.endswith("*")
        words = tokens(raw)
        if not words:
            continue
        if len(words) == 1:
            terms.append(Term((words[0],), prefix=prefix, negated=negated))
        else:  # "e-mail", "A-123": the tokens must appear together, as the indexer split them
            terms.append(Term(tuple(words), prefix=prefix, negated=negated))
    return ParsedQuery(tuple(terms))


SORTS = ("relevance", "newest", "oldest")
FACET_FIELDS = ("site", "media_type", "has_finding", "severity")


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    sites: tuple[str, ...] = ()
    media_types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    date_from: datetime | None = None
    date_to: datetime | None = None
    has_finding: bool | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True
    # The asker cannot see unmasked data (a viewer): match and highlight the documents' viewer view
    # only (indexer/search/masking.py), so masked values cannot be probed.
    masked: bool = False

    def __post_init__(self) -> None:
        if self.sort not in SORTS:
            raise ValueError(f"sort {self.sort!r} is not allowed; expected one of: {', '.join(SORTS)}")
        if self.page < 1:
            raise ValueError("page must be 1 or more")
        if not 1 <= self.per_page <= 200:
            raise ValueError("per_page must be between 1 and 200")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass
class SearchHit:
    id: str
    url: str
    site: str
    media_type: str
    captured_at: datetime
    title: str
    has_finding: bool
    severity: str | None
    capture_id: int | None
    score: float
    # Each highlight is a list of (text, matched) segments: the UI escapes the text and marks the
    # matched parts itself, so archived text is never passed through as markup.
    highlights: list[list[tuple[str, bool]]] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    page: int
    per_page: int
    # False: ``total`` is a lower bound (a backend that stops counting at a cap, shown as "10,000+")
    total_exact: bool = True
    # Set when the hits and facets come from this many of the matches only (the SQLite backend's
    # ``search_rank_window``: its most recently indexed matches); None: from every match.
    ranked_among: int | None = None

    @property
    def pages(self) -> int:
        """Pages that can be shown: those of the ranked matches when only some were ranked."""
        shown = self.total if self.ranked_among is None else min(self.total, self.ranked_among)
        return max(1, -(-shown // self.per_page))

    @property
    def scope_note(self) -> str:
        """What the page and its counts cover when only some matches were ranked (else empty)."""
        if self.ranked_among is None:
            return ""
        return (f"Ranked, and counted by site, type and severity, among the {self.ranked_among:,} most recently "
                f"indexed of the {self.total_label} matches: add words or filters to reach the others.")

    @property
    def total_label(self) -> str:
        """The total as people read it: "1,234", or "10,000+" when counting stopped there."""
        return f"{self.total:,}" + ("" if self.total_exact else "+")
