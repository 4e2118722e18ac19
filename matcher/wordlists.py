"""The word lists the matcher takes from libraries, shipped precomputed in ``matcher/wordlists.json``.

Given names and surnames come from Faker's per-locale person providers (MIT licence), country names
(English, with pycountry's gettext translations for es/fr/pt) and ISO 3166 alpha-3 codes from
pycountry.  Building them takes ~70 ms of CPU in every process that scans a table — importing Faker
lists every locale module it has, and pycountry reads its JSON and gettext catalogues — a quarter of
what ``spillwatch scan small.csv`` cost; reading the built lists takes ~3 ms.  So they are built
once, by :mod:`matcher.build_wordlists` (``python -m matcher.build_wordlists``), and shipped beside
this module with the Faker and pycountry versions they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

WORDLISTS_FILE = "wordlists.json"


@dataclass(frozen=True)
class WordLists:
    given_names: frozenset[str]  # folded (lower case, no accents: matcher.names.fold)
    surnames: frozenset[str]  # folded
    country_names: frozenset[str]  # folded, every language
    country_codes: frozenset[str]  # ISO 3166 alpha-3, upper case
    sources: dict[str, str]  # library name → version the lists came from


@lru_cache(maxsize=1)
def shipped() -> WordLists:
    """The lists shipped with the matcher (read once per process)."""
    return from_json(resources.files("matcher").joinpath(WORDLISTS_FILE).read_text(encoding="utf-8"))


def from_json(text: str) -> WordLists:
    data: dict[str, Any] = json.loads(text)
    return WordLists(frozenset(data["given_names"]), frozenset(data["surnames"]), frozenset(data["country_names"]),
                     frozenset(data["country_codes"]), dict(data["sources"]))


def to_json(lists: WordLists) -> str:
    """The shipped file's text: sorted lists, one word a line (readable diffs when a library changes)."""
    data = {"built_by": "python -m matcher.build_wordlists", "sources": lists.sources,
            "given_names": sorted(lists.given_names), "surnames": sorted(lists.surnames),
            "country_names": sorted(lists.country_names), "country_codes": sorted(lists.country_codes)}
    return json.dumps(data, ensure_ascii=False, indent=0) + "\n"
