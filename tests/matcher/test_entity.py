"""The row-entity decision's rules are named data, and decide() leaves its input alone."""

from __future__ import annotations

import copy

from core.models import Table
from matcher.columns import type_columns
from matcher.decide import GUARDS, decide
from matcher.entity import VALUE_CUES, Tuning, cue_names, header_cues
from matcher.entity_vocabulary import RELATION_WORDS, Entity
from matcher.govids import checked_format, is_sequential, names_other_numbers
from matcher.orgnames import is_corporation
from tests.matcher import synthetic as syn


def test_every_rule_has_a_unique_name_a_reason_and_a_weight():
    names = cue_names() + [g.name for g in GUARDS]
    assert len(names) == len(set(names))
    for cue in header_cues():
        assert cue.why and cue.weight > 0 and (cue.words or cue.phrases) and cue.entity != Entity.person
    for value_cue in VALUE_CUES:
        assert value_cue.why and value_cue.weight > 0
    for guard in GUARDS:
        assert guard.why and guard.penalty > 0
    assert set(RELATION_WORDS.values()) <= set(Entity)


def _table(grid: list[list[str]]) -> Table:
    return Table(header=grid[0], rows=grid[1:], locator="t", row_count=len(grid) - 1)


def test_decide_does_not_change_the_column_evidence():
    rows = [["Name", "Work Email", "Phone"]] + [
        [p.full, f"{p.given.lower()}@agency.gov", f"(202) 555-{1000 + i:04d}"] for i, p in enumerate(syn.people(8, 3))]
    table = _table(rows)
    columns = type_columns(table)
    before = copy.deepcopy(columns)
    decision = decide(table, columns)
    assert columns == before
    assert decision.person_level and decision.severity.name == "low"  # work contacts only


def test_a_cue_left_out_or_a_higher_margin_changes_the_decision():
    grid = [["Name", "Species", "Breed", "Sex", "Birth year"]] + [
        [n, "Dog", "Boxer", "F", str(2010 + i)] for i, n in enumerate(["Bella", "Luna", "Daisy", "Rosie", "Ruby"])]
    table = _table(grid)
    columns = type_columns(table)
    assert decide(table, columns).entity == Entity.animal
    # without the hand-written words the general lexicon still knows species and breeds
    assert decide(table, columns, tuning=Tuning(words=frozenset())).entity == Entity.animal
    assert decide(table, columns, tuning=Tuning(disabled=frozenset({"animal words", "lexicon: animal"}))).person_level
    assert decide(table, columns, tuning=Tuning(words=frozenset(), lexicon=frozenset())).person_level


def test_reasons_say_why_a_name_shaped_table_was_not_flagged():
    grid = [["ISBN", "Title", "Author", "Publisher"]] + [
        [f"978{i:010d}", f"Book {i}", p.full, "Example Press"] for i, p in enumerate(syn.people(6, 4))]
    table = _table(grid)
    decision = decide(table, type_columns(table))
    assert not decision.person_level and decision.entity == Entity.work
    assert any("the rows describe works" in r for r in decision.reasons), decision.reasons


def test_probablepeople_separates_companies_from_people():
    assert is_corporation("Acme Widgets Corporation") and not is_corporation("Maria Hernandez")


def test_id_numbers_need_a_checked_format_and_no_counter():
    assert checked_format(["529.982.247-25", "111.444.777-35", "390.533.447-05"])[0] == "Brazil CPF"
    assert checked_format(["123-45-6789", "234-56-7890", "345-67-8901"]) == ("", None)
    assert is_sequential([f"INV-{1000 + i}" for i in range(10)]) and not is_sequential(["5", "90", "17", "300", "41"])
    assert names_other_numbers("Invoice No") and names_other_numbers("order_id") and not names_other_numbers("SSN")


def test_an_office_address_is_not_a_home_address():
    grid = [["Name", "Office address"]] + [[p.full, f"{100 + i} Main Street"] for i, p in enumerate(syn.people(6, 5))]
    table = _table(grid)
    columns = type_columns(table)
    address = next(c for c in columns if c.type == "address")
    assert address.business_contact
    decision = decide(table, columns)
    assert decision.severity.name != "high"
