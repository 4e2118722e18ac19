"""Build ``matcher/wordlists.json`` (:mod:`matcher.wordlists`) from the installed Faker and pycountry.

    python -m matcher.build_wordlists

Run it after upgrading Faker or pycountry: ``tests/matcher/test_wordlists.py`` rebuilds the lists
and fails while the shipped file differs from what the installed libraries give.
"""

from __future__ import annotations

import gettext
import importlib
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from matcher.names import fold
from matcher.wordlists import WORDLISTS_FILE, WordLists, to_json

# Locales whose name lists the matcher uses.  The synthetic test corpus deliberately also uses
# locales that are *not* listed here, so that detection is shown to work on name shape alone.
NAME_LOCALES: tuple[str, ...] = (
    "en_US", "en_GB", "en_IE", "es_ES", "es_MX", "es_CO", "es_AR", "fr_FR", "fr_CA",
    "pt_BR", "pt_PT", "de_DE", "it_IT",
)
COUNTRY_LANGUAGES: tuple[str, ...] = ("es", "fr", "pt", "pt_BR")  # translations besides English


def build() -> WordLists:
    """The lists, built from the installed Faker and pycountry."""
    given, family = _faker_names()
    names, codes = _pycountry_countries()
    return WordLists(frozenset(given), frozenset(family), frozenset(names), frozenset(codes),
                     {"Faker": metadata.version("Faker"), "pycountry": metadata.version("pycountry")})


def _name_tokens(values: Iterable[object]) -> set[str]:
    out: set[str] = set()
    for value in values:
        for token in str(value).replace("-", " ").split():
            if len(token) > 1:
                out.add(fold(token))
    return out


def _faker_names() -> tuple[set[str], set[str]]:
    given: set[str] = set()
    family: set[str] = set()
    for locale in NAME_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ModuleNotFoundError:
            continue  # an older Faker without this locale: the other lists still apply
        for attribute in ("first_names", "first_names_male", "first_names_female"):
            given |= _name_tokens(getattr(provider, attribute, ()) or ())
        family |= _name_tokens(getattr(provider, "last_names", ()) or ())
    return given, family


def _pycountry_countries() -> tuple[set[str], set[str]]:
    import pycountry

    translations: list[gettext.NullTranslations] = [gettext.NullTranslations()]
    for lang in COUNTRY_LANGUAGES:
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue  # a pycountry build without this language: the English names still work
    names: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                names.update(fold(tr.gettext(value)) for tr in translations)
    return names, {country.alpha_3 for country in pycountry.countries}


def main() -> None:
    path = Path(__file__).with_name(WORDLISTS_FILE)
    lists = build()
    path.write_text(to_json(lists), encoding="utf-8")
    print(f"{path}: {len(lists.given_names):,} given names, {len(lists.surnames):,} surnames, "
          f"{len(lists.country_names):,} country names, {len(lists.country_codes)} codes ({lists.sources})")


if __name__ == "__main__":
    main()
