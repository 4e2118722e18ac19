"""Passport numbers per issuing country, and A-numbers without a header (issue 20).

Passport numbers carry no check digit of their own (the check digit of the machine-readable zone
is printed beside the number, not in it), so a value can only be checked against the *format* its
issuing country uses.  ``python-stdnum`` validates one (the Netherlands); the others are written
here from the issuing authorities' published descriptions, as a table a reader can check.  Under a
header that names a passport, a column whose values mostly take one or more of these formats is a
column of passport numbers; values that only take the generic shape (6–9 letters and digits) still
count under such a header, with a lower confidence and a reason that says so.

A-numbers (US alien registration numbers: ``A`` + 8 or 9 digits) without a header: the shape with
its literal ``A`` is specific, but part and catalogue numbers take it too, so a header-less column
of them counts only in a table that already lists people by name *and* gives their nationality or
a detention location — the columns of an immigration roster (:func:`a_number_column`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Protocol

from matcher.govids import is_sequential
from matcher.lexicon import normalise


class TypedColumn(Protocol):
    """What :func:`a_number_column` reads and sets of a column (matcher.columns.ColumnEvidence)."""

    index: int
    header: str
    type: str
    valid: int
    confidence: float
    what: str
    distinct_ratio: float


def _pattern(regex: str) -> Callable[[str], bool]:
    compiled = re.compile(regex)
    return lambda value: bool(compiled.fullmatch(value))


def _stdnum_nl(value: str) -> bool:
    from stdnum.nl import identiteitskaartnummer

    return bool(identiteitskaartnummer.is_valid(value))


# Current passport-number formats (upper-case, spaces removed).  Sources: each authority's
# description of its passport (US State Department next-generation passport, HM Passport Office,
# IRCC, Bundesdruckerei, ANTS, Policía Nacional, Poligrafico, Ministry of External Affairs,
# Polícia Federal, SRE, National Immigration Administration).
PASSPORT_FORMATS: Mapping[str, Callable[[str], bool]] = MappingProxyType({
    "US": _pattern(r"[0-9]{9}|[A-Z][0-9]{8}"),
    "UK": _pattern(r"[0-9]{9}"),
    "Canada": _pattern(r"[A-Z]{2}[0-9]{6}"),
    "Germany": _pattern(r"[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}"),
    "France": _pattern(r"[0-9]{2}[A-Z]{2}[0-9]{5}"),
    "Spain": _pattern(r"[A-Z]{2,3}[0-9]{6}"),
    "Italy": _pattern(r"[A-Z]{2}[0-9]{7}"),
    "Netherlands": _stdnum_nl,
    "India": _pattern(r"[A-Z][0-9]{7}"),
    "Brazil": _pattern(r"[A-Z]{2}[0-9]{6}"),
    "Mexico": _pattern(r"[A-Z][0-9]{8}|[0-9]{10}"),
    "China": _pattern(r"E[A-Z0-9][0-9]{7}|G[0-9]{8}"),
})
PASSPORT_WORDS = frozenset({"passport", "pasaporte", "passeport", "passaporte", "passaporto", "reisepass",
                            "reisepassnummer", "paspoort"})
_GENERIC = re.compile(r"(?=.*\d)[A-Z0-9]{6,9}")
FORMAT_SHARE = 0.6  # of the values, for a column of passport numbers


def names_passport(header: str) -> bool:
    return bool(PASSPORT_WORDS & set(normalise(header).split()))


def _compact(value: str) -> str:
    return value.strip().upper().replace(" ", "")


def passport_evidence(values: Sequence[str]) -> tuple[int, str]:
    """How many ``values`` take a national passport format, and which formats (the most common
    first), or the generic shape when no national format reaches :data:`FORMAT_SHARE`."""
    compact = [_compact(x) for x in values]
    counts = {country: sum(1 for x in compact if check(x)) for country, check in PASSPORT_FORMATS.items()}
    national = sum(1 for x in compact if any(check(x) for check in PASSPORT_FORMATS.values()))
    if compact and national / len(compact) >= FORMAT_SHARE:
        named = [c for c, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n][:3]
        return national, f"passport numbers (formats of {', '.join(named)})"
    generic = sum(1 for x in compact if _GENERIC.fullmatch(x))
    return generic, "passport-shaped numbers (no national format)"


_A_NUMBER = re.compile(r"A[- ]?\d{3}[- ]?\d{3}[- ]?\d{2,3}", re.IGNORECASE)
A_NUMBER_SHARE = 0.8
ROSTER_CONTEXT = frozenset({"nationality", "location_detention"})
NAME_TYPES = frozenset({"person_name", "given_name", "family_name"})


def a_number_column(columns: Sequence[TypedColumn], rows: list[list[str]]) -> None:
    """Type a header-less column of A-numbers as ``gov_id`` in an immigration roster: the table
    has a personal-name column and a nationality or detention-location column."""
    types = {ev.type for ev in columns}
    if not types & NAME_TYPES or not types & ROSTER_CONTEXT:
        return
    for ev in columns:
        if ev.type or ev.header.strip() or ev.distinct_ratio < 0.8:
            continue
        values = [r[ev.index].strip() for r in rows if ev.index < len(r) and r[ev.index].strip()]
        if len(values) < 3 or is_sequential(values):
            continue
        hits = sum(1 for x in values if _A_NUMBER.fullmatch(x))
        if hits / len(values) >= A_NUMBER_SHARE:
            ev.type, ev.valid, ev.confidence = "gov_id", hits, 0.6
            ev.what = "A-numbers (A + 8 or 9 digits) in a roster of names with nationality or detention"
