"""Person or corporation: ``probablepeople`` (a CRF model trained on romanised names of people and
companies, maintained by DataMade) tags a string as a ``Person``, a ``Household`` or a
``Corporation``.  The matcher uses the share of a name column's values tagged ``Corporation`` as
evidence that the rows describe organisations rather than people.

The model was trained mostly on English-language names: four-word Portuguese or Spanish personal
names are sometimes tagged ``Corporation``, so the share is one cue among several
(:mod:`matcher.entity`), never a decision on its own.
"""

from __future__ import annotations

from functools import lru_cache

import probablepeople

_CACHE = 8192


@lru_cache(maxsize=_CACHE)  # values repeat from table to table; the CRF costs ~0.3 ms a value
def is_corporation(value: str) -> bool:
    text = " ".join(value.split())[:120]
    if not text:
        return False
    try:
        _, kind = probablepeople.tag(text)
    except probablepeople.RepeatedLabelError:
        return False  # the parser could not settle on one reading: no evidence either way
    return kind == "Corporation"


def corporation_ratio(values: list[str]) -> float:
    """Share of ``values`` tagged ``Corporation`` (0.0 for none)."""
    if not values:
        return 0.0
    return sum(1 for x in values if is_corporation(x)) / len(values)
