"""The matcher's fast paths (ASCII fold, cached validators) give the answers of the plain code."""

from __future__ import annotations

import unicodedata
from datetime import date

from matcher import validators as v
from matcher.names import fold


def _reference_fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def test_fold_matches_the_reference() -> None:
    samples = ["José", "MÜLLER", "Ñandú", "ﬁle", "plain ASCII 123", "", "São Paulo", "Ærø", "İstanbul", "ß",
               "Ⅻ", "œuvre", "Đorđe", "naïve café", "\u00a0x"]
    for text in samples:
        assert fold(text) == _reference_fold(text), text
        assert fold(text) == _reference_fold(text), text  # second call: from the cache


def test_name_tokens_returns_a_fresh_list() -> None:
    first = v.name_tokens("Maria Hernandez")
    assert first == ["Maria", "Hernandez"]
    assert first is not None
    first.append("mutated")
    assert v.name_tokens("Maria Hernandez") == ["Maria", "Hernandez"]


def test_two_digit_years_pivot_on_the_current_year() -> None:
    pivot = date.today().year % 100
    assert v.parse_date(f"03/14/{pivot:02d}") == date(2000 + pivot, 3, 14)
    later = (pivot + 1) % 100
    assert v.parse_date(f"03/14/{later:02d}") == date((1900 if later else 2000) + later, 3, 14)
    assert v.parse_date("  1987-03-14 ") == date(1987, 3, 14)
