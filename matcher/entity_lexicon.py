"""Header words from a general lexicon (WordNet 3.0) for the row-entity decision.

The hand-written cues of :mod:`matcher.entity_vocabulary` hold the words their authors thought of,
multilingual and specific (``breedname``, ``call number``, ``razon social``).  This module adds, for
English headers, the words that WordNet files under animals, works, roads and buildings, and
creators (``matcher/entity_lexicon.json``, built by ``scripts/build_entity_lexicon.py``: a word
counts when its most frequent noun sense lies under the category's root).  They back the hand lists
with general knowledge, so a table of an animal, work or place the authors never listed is still
recognised, and ``bench/detection.py`` can validate these cues on sources whose words were never
looked at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from types import MappingProxyType

from matcher.entity_vocabulary import Entity, HeaderCue

LEXICON_FILE = "entity_lexicon.json"
# Weights per category, as the hand-written cue of the same entity (matcher.entity_vocabulary).
LEXICON_WEIGHTS: Mapping[str, float] = MappingProxyType({"animal": 1.2, "work": 0.6, "place": 0.4})
CREATOR_CATEGORY = "creator"  # name-column headers that make the row a work ("Artist", "Author")
PREFIX = "lexicon: "  # cue names of lexicon categories start with it


@lru_cache(maxsize=1)
def _categories() -> tuple[tuple[str, Entity, str, frozenset[str]], ...]:
    text = resources.files("matcher").joinpath(LEXICON_FILE).read_text(encoding="utf-8")
    data = json.loads(text)
    return tuple((c["name"], Entity(c["entity"]), c["why"], frozenset(c["words"])) for c in data["categories"])


def lexicon_cues() -> tuple[HeaderCue, ...]:
    """One header cue per lexicon category (the creator category is a relation, see
    :func:`creator_words`)."""
    return tuple(HeaderCue(cue_name(name), entity, LEXICON_WEIGHTS[name], words, why)
                 for name, entity, why, words in _categories() if name in LEXICON_WEIGHTS)


def creator_words() -> frozenset[str]:
    """Header words of a name column whose names are the row's creator (the row is a work)."""
    return next((words for name, _, _, words in _categories() if name == CREATOR_CATEGORY), frozenset())


def category_names() -> list[str]:
    return [name for name, *_ in _categories()]


def category_words(name: str) -> frozenset[str]:
    return next((words for n, _, _, words in _categories() if n == name), frozenset())


def cue_name(category: str) -> str:
    return f"{PREFIX}{category}"
