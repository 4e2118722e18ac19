"""Passport numbers per issuing country and header-less A-numbers (matcher.passports)."""

from __future__ import annotations

from core.models import Table
from matcher.columns import type_columns
from matcher.passports import PASSPORT_FORMATS, names_passport, passport_evidence


def test_each_country_format_takes_its_own_numbers() -> None:
    samples = {"US": "A12345678", "UK": "123456789", "Canada": "AB123456", "Germany": "C01X00T47",
               "France": "12AB34567", "Spain": "PAA123456", "Italy": "YA1234567", "Netherlands": "XR1001R58",
               "India": "J8369854", "Brazil": "FG123456", "Mexico": "G12345678", "China": "E12345678"}
    assert set(samples) == set(PASSPORT_FORMATS)
    for country, number in samples.items():
        assert PASSPORT_FORMATS[country](number), country
    assert not any(check("ABCDEFGHI") for check in PASSPORT_FORMATS.values())


def test_passport_evidence_names_the_formats_or_says_there_is_none() -> None:
    hits, what = passport_evidence(["12AB34567", "55CK12345", "07FR99881", "123456789"])
    assert hits == 4 and "France" in what
    hits, what = passport_evidence(["Q1W2E3", "Z9X8C7", "M5N6B7"])
    assert hits == 3 and "no national format" in what
    assert names_passport("Número de pasaporte") and names_passport("Reisepass") and not names_passport("Pass rate")


def _types(grid: list[list[str]]) -> list[str]:
    return [c.type for c in type_columns(Table(header=grid[0], rows=grid[1:], locator="t", row_count=len(grid) - 1))]


def test_a_header_less_a_number_counts_only_in_an_immigration_roster() -> None:
    names = ["GARCIA, Maria", "LOPEZ, Juan", "PEREZ, Ana", "MARTINEZ, Luis", "HERNANDEZ, Rosa"]
    numbers = ["A208113456", "A071234519", "A213377810", "A099812345", "A204456712"]
    countries = ["Honduras", "Guatemala", "Mexico", "Honduras", "El Salvador"]
    roster = [["", "", ""]] + [list(row) for row in zip(names, numbers, countries, strict=True)]
    assert _types(roster)[1] == "gov_id"
    cities = ["Austin", "Dallas", "Reno", "Waco", "Boise"]
    orders = [["", "", ""]] + [list(row) for row in zip(names, numbers, cities, strict=True)]
    assert _types(orders)[1] != "gov_id"
