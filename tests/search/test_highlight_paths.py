"""The highlighter's fast path for ASCII text (regular expressions over the lower-cased text) marks
exactly what the token-by-token path marks: same words, phrases, prefixes and overlapping matches."""

from __future__ import annotations

import random

from indexer.search.highlight import _ascii_matches, _fragments, _pattern, _token_matches, highlight
from indexer.search.query import parse_query

WORDS = ["data", "database", "Data", "ICE", "ice", "detention", "a", "A", "stats", "statistics", "b2", "x_y"]
GLUE = [" ", "  ", ", ", "-", "\n", ". ", "/", "_", "'"]
QUERIES = ["data", "data*", "ice", "detention stats", '"a a"', '"data base"', "stat*", "x_y", "b2",
           '"ice detention"*', "a -data", "dat* ice"]


def test_fast_path_marks_what_the_token_path_marks() -> None:
    rng = random.Random(15)
    for _ in range(400):
        text = "".join(rng.choice(WORDS) + rng.choice(GLUE) for _ in range(rng.randint(1, 120)))
        for raw in QUERIES:
            query = parse_query(raw)
            expected = _fragments(text, _token_matches(text, query.positive), 3, 160)
            assert highlight(text, query) == expected, (raw, text)


def test_finding_first_words_marks_what_the_pattern_marks_everywhere() -> None:
    rng = random.Random(16)
    for _ in range(300):
        lowered = "".join(rng.choice(WORDS) + rng.choice(GLUE) for _ in range(rng.randint(1, 80))).lower()
        for raw in QUERIES:
            for term in parse_query(raw).positive:
                everywhere = [m.span(1) for m in _pattern(term).finditer(lowered)]
                assert list(_ascii_matches(lowered, term)) == everywhere, (raw, lowered)
