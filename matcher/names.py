"""Given-name and surname lists, honorifics and organisation words.

The name lists come from Faker's per-locale person providers (MIT licence, maintained, and covering
the languages Spillwatch's lexicon covers), lower-cased and accent-folded; they are built once and
shipped with the matcher (:mod:`matcher.wordlists`).  A list hit is one signal among several: names
not in the lists still pass on shape.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from matcher.wordlists import shipped

HONORIFICS = frozenset(
    """mr mrs ms miss mx dr prof sir dame rev fr sr sra srta don dona dona mme mlle m monsieur madame
    senor senora sgt sergeant officer deputy sheriff constable trooper patrolman patrolwoman detective
    lieutenant lt captain capt corporal cpl agent marshal chief inspector special investigator jailer
    correctional corrections jr snr sr ii iii iv""".split()
)

NAME_PARTICLES = frozenset(
    "de da das do dos del della di du la le van von der den ter bin ibn al el y e st saint mc".split()
)

# Words that mark an organisation, place or thing rather than a person.  Strong words do so on
# their own; weak words are also common surnames (Post, Bank, Church, Law, Court…) and only count
# beside another organisation word.
ORG_WORDS_STRONG = frozenset(
    """inc llc ltd corp corporation company co plc gmbh sa srl ag limited group holdings association
    department dept office agency bureau ministry ministerio ministere council county city town state
    university college school academy institute hospital clinic center centre foundation services
    service solutions systems partners consulting research polling poll airlines airline airways
    police committee commission board society federation republic kingdom international global
    engineering studies science sciences management education arts health total unknown other others
    all none sum subtotal average mean median hurricane storm tropical cyclone typhoon vessel ship
    boat""".split()
)
ORG_WORDS_WEAK = frozenset(
    """church bank trust post news times press radio tv network court club team fund union party
    united national general law air""".split()
)
ORG_WORDS = ORG_WORDS_STRONG | ORG_WORDS_WEAK


def fold(text: str) -> str:
    """Lower-case and strip accents: ``José`` → ``jose``."""
    if text.isascii():
        return text.lower()  # NFKD leaves ASCII as it is and ASCII has no combining marks
    return _fold_unicode(text)


@lru_cache(maxsize=8192)
def _fold_unicode(text: str) -> str:
    # cached: the same accented cells and headers recur across the tables of a run
    decomposed = unicodedata.normalize("NFKD", text)
    if decomposed.isascii():
        return decomposed.lower()  # e.g. a ligature: nothing left to strip (combining marks are not ASCII)
    return "".join([ch for ch in decomposed if not unicodedata.combining(ch)]).lower()


@lru_cache(maxsize=1)  # looked up for every name token of every cell
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(given names, surnames), folded: Faker's lists, shipped precomputed (:mod:`matcher.wordlists`)."""
    lists = shipped()
    return lists.given_names, lists.surnames


def is_given_name(token: str) -> bool:
    return fold(token) in name_lists()[0]


def is_surname(token: str) -> bool:
    return fold(token) in name_lists()[1]
