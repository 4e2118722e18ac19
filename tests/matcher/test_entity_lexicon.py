"""The general lexicon (WordNet 3.0) behind the row-entity decision's header cues."""

from __future__ import annotations

import pytest

from core.models import Table
from matcher.columns import type_columns
from matcher.decide import decide
from matcher.entity import Tuning
from matcher.entity_lexicon import category_names, category_words, creator_words, lexicon_cues
from matcher.entity_vocabulary import Entity
from tests.matcher import synthetic as syn


@pytest.mark.parametrize(("category", "words"), [
    ("animal", {"animal", "animals", "species", "breed", "dog", "cats", "horse", "livestock"}),
    ("work", {"painting", "paintings", "etching", "sculpture", "film", "publication"}),
    ("place", {"highway", "road", "tunnel", "building", "monument"}),  # "street" is an address header
    ("creator", {"artist", "author", "painter", "composer"}),
])
def test_general_words_are_filed_under_their_category(category: str, words: set[str]) -> None:
    assert words <= category_words(category)


def test_headers_common_in_rosters_are_in_no_category() -> None:
    # first senses only and no adjectives: a job title, a party, a facility, a photo, a monthly salary;
    # no word that describes and names a person (WordNet's first "male" is an animal); no word of the
    # multilingual person-header terms (Spanish "Primer nombre")
    roster = {"title", "party", "department", "facility", "office", "photo", "monthly", "name", "rank", "unit",
              "team", "race", "position", "command", "county", "location", "address", "citizenship", "cell",
              "male", "female", "males", "females", "adult", "juvenile", "primer"}
    for category in category_names():
        assert not roster & category_words(category), category


def test_every_category_is_a_cue_or_the_creator_relation() -> None:
    cues = {c.name.removeprefix("lexicon: ") for c in lexicon_cues()}
    assert cues | {"creator"} == set(category_names())
    assert all(c.entity != Entity.person and c.weight > 0 for c in lexicon_cues())
    assert "artist" in creator_words()


def _table(grid: list[list[str]]) -> Table:
    return Table(header=grid[0], rows=grid[1:], locator="t", row_count=len(grid) - 1)


def test_a_table_of_horses_is_recognised_by_words_no_hand_list_holds() -> None:
    grid = [["Horse", "Foaled", "Sex", "Owner city"]] + [
        [p.given, str(2010 + i), "F", "Lexington"] for i, p in enumerate(syn.people(8, 21))]
    table = _table(grid)
    decision = decide(table, type_columns(table), tuning=Tuning(words=frozenset()))
    assert decision.entity == Entity.animal and not decision.person_level
