"""The word lists shipped with the matcher (matcher/wordlists.json) are what Faker and pycountry give."""

from __future__ import annotations

from importlib import resources

from matcher.build_wordlists import build
from matcher.names import is_given_name, is_surname
from matcher.places import is_country_or_nationality
from matcher.wordlists import WORDLISTS_FILE, shipped, to_json


def test_shipped_lists_are_what_the_installed_libraries_give() -> None:
    built, lists = build(), shipped()
    hint = (f"matcher/wordlists.json came from {lists.sources}, the installed libraries are {built.sources}: "
            "run `python -m matcher.build_wordlists`")
    assert lists.given_names == built.given_names, hint
    assert lists.surnames == built.surnames, hint
    assert lists.country_names == built.country_names, hint
    assert lists.country_codes == built.country_codes, hint


def test_shipped_file_is_the_builders_output() -> None:
    text = resources.files("matcher").joinpath(WORDLISTS_FILE).read_text(encoding="utf-8")
    assert text == to_json(shipped())  # sorted, one word a line: not edited by hand


def test_lookups_read_the_shipped_lists() -> None:
    assert is_given_name("José") and is_given_name("MARGARET") and not is_given_name("Spreadsheet")
    assert is_surname("Müller") and is_surname("González") and not is_surname("Quarterly")
    # English names from pycountry, its es/fr/pt translations, and alpha-3 codes in capitals only
    assert all(is_country_or_nationality(v) for v in ("Honduras", "Alemania", "Allemagne", "Alemanha", "HND"))
    assert not is_country_or_nationality("hnd") and not is_country_or_nationality("Invoice")
