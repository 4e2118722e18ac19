"""Person or corporation: ``probablepeople`` (a CRF model trained on romanised names of people and
companies, maintained by DataMade) tags a string as a ``Person``, a ``Household`` or a
``Corporation``.  The matcher uses the share of a name column's values tagged ``Corporation`` as
evidence that the rows describe organisations rather than people.

The model was trained mostly on English-language names: four-word Portuguese or Spanish personal
names are sometimes tagged ``Corporation``, so the share is one cue among several
(:mod:`matcher.entity`), never a decision on its own.
"""

from __future__ import annotations

import importlib
from functools import lru_cache
from types import ModuleType

_CACHE = 8192


@lru_cache(maxsize=1)
def _parser() -> ModuleType:
    # loaded on first use (~0.2 s, ~30 MB): a scan that meets no name column never pays for it
    return importlib.import_module("probablepeople")


@lru_cache(maxsize=_CACHE)  # values repeat from table to table; the CRF costs ~0.3 ms a value
def is_corporation(value: str) -> bool:
    text = " ".join(value.split())[:120]
    if not text:
        return False
    parser = _parser()
    try:
        _, kind = parser.tag(text)
    except parser.RepeatedLabelError:
        return False  # the parser could not settle on one reading: no evidence either way
    return kind == "Corporation"


def corporation_ratio(values: list[str]) -> float:
    """Share of ``values`` tagged ``Corporation`` (0.0 for none)."""
    if not values:
        return 0.0
    return sum(1 for x in values if is_corporation(x)) / len(values)
