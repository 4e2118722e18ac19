"""Value validators: does one cell look like a name, a birth date, an SSN, a passport number…

Each validator takes one cell string and answers with a bool (or a parsed value); the column
typer (:mod:`matcher.columns`) counts hits over a sample of a column.  Validators never log or
raise with the value.

Most validators are pure functions of the cell text and are cached (``lru_cache``, bounded): a
column is checked against many types, and the same values (categories, words, small numbers)
recur from table to table of an index run.  ``parse_date`` keys its cache on the current year too
(two-digit years pivot on it).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from functools import lru_cache
from types import MappingProxyType

from matcher.names import (
    HONORIFICS,
    NAME_PARTICLES,
    ORG_WORDS_STRONG,
    ORG_WORDS_WEAK,
    fold,
    is_given_name,
    is_surname,
)

# entries per cached validator: bounded, so a scan of many distinct values cannot grow memory
_CACHE = 8192

# ---------------------------------------------------------------------------------------- numbers

_NUMBER = re.compile(r"^[-+]?(\d{1,3}([,  ]\d{3})+|\d+)?([.,]\d+)?\s*%?$")
_THOUSANDS_END = re.compile(r",\d{3}$")
# precompiled patterns used by several validators below (re.* calls would look them up each time)
_LETTER_WORDS = re.compile(r"[^\W\d_]+")
_LETTER_WORDS_DOT = re.compile(r"[^\W\d_]+\.?")


@lru_cache(maxsize=_CACHE)
def is_number(value: str) -> bool:
    text = value.strip()
    return bool(text) and any(ch.isdigit() for ch in text) and bool(_NUMBER.match(text))


@lru_cache(maxsize=_CACHE)
def to_float(value: str) -> float | None:
    text = value.strip().replace(" ", "").rstrip("%")
    if not text or not is_number(value):
        return None
    if text.count(",") and not text.count("."):
        # 1,234 (thousands) vs 3,5 (decimal comma)
        text = text.replace(",", "") if _THOUSANDS_END.search(text) else text.replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


@lru_cache(maxsize=_CACHE)
def is_year(value: str) -> bool:
    text = value.strip()
    if text.endswith(".0"):
        text = text[:-2]
    return len(text) == 4 and text.isdigit() and 1800 <= int(text) <= 2100


_AGE_BAND = re.compile(r"^\s*(\d{1,3}\s*(-|–|to|a|à|y)\s*\d{1,3}|\d{1,3}\s*\+|"
                       r"(under|over|<|>|menos de|mas de)\s*\d{1,3})"
                       r"(\s*(years|yrs|anos|ans))?\s*$", re.IGNORECASE)


@lru_cache(maxsize=_CACHE)
def is_age_band(value: str) -> bool:
    return bool(_AGE_BAND.match(value))


@lru_cache(maxsize=_CACHE)
def is_age(value: str) -> bool:
    number = to_float(value)
    return number is not None and 0 <= number <= 120 and (number == int(number) or value.count(".") == 1)


# ------------------------------------------------------------------------------------------ dates

_MONTH_NAMES = (
    "january jan enero ene janvier janv janeiro",
    "february feb febrero fevrier fev fevereiro fevr",
    "march mar marzo mars marco",
    "april apr abril abr avril avr",
    "may mayo mai maio",
    "june jun junio juin junho",
    "july jul julio juillet juil julho",
    "august aug agosto ago aout",
    "september sep sept septiembre septembre setembro set",
    "october oct octubre octobre outubro out",
    "november nov noviembre novembre novembro",
    "december dec diciembre dic decembre dezembro dez",
)
# month word (EN/ES/FR/PT, accents folded) → month number; read-only
_MONTHS: Mapping[str, int] = MappingProxyType(
    {word: number for number, words in enumerate(_MONTH_NAMES, start=1) for word in words.split()}
)

_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_NUMERIC = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_WORDY = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _year4(year: int, digits: int, pivot: int) -> int:
    if digits == 2:
        # two-digit years: pivot on the current year (a birth year '05' is 2005, '47' is 1947)
        return 2000 + year if year <= pivot else 1900 + year
    return year


def parse_date(value: str, day_first: bool = False) -> date | None:
    """Parse the date formats seen in published tables, or return None.

    ISO ``1987-03-14`` (with an optional time), ``03/14/1987`` and ``14/03/1987`` (month-first
    unless impossible or ``day_first``), ``14.03.87``, and month names in EN/ES/FR/PT:
    ``March 14, 1987``, ``14 mars 1987``, ``14 de marzo de 1987``, ``Saturday, March 14, 1987``.
    """
    text = value.strip()
    if len(text) < 6 or len(text) > 40:
        return None
    return _parse_date(text, day_first, date.today().year % 100)


@lru_cache(maxsize=_CACHE)
def _parse_date(text: str, day_first: bool, pivot: int) -> date | None:
    """:func:`parse_date` of stripped text; ``pivot`` is the current year mod 100 (part of the
    cache key, so a cached answer never outlives the year it was computed in)."""
    match = _ISO.match(text)
    if match:
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    match = _NUMERIC.match(text)
    if match:
        first, second, year_text = int(match.group(1)), int(match.group(2)), match.group(3)
        year = _year4(int(year_text), len(year_text), pivot)
        if day_first or first > 12 or match.group(0)[2:3] == ".":
            return _make(year, second, first) or _make(year, first, second)
        return _make(year, first, second) or _make(year, second, first)
    if not any(ch.isalpha() for ch in text):
        return None
    tokens = _WORDY.findall(fold(text))
    month = None
    numbers: list[str] = []
    for token in tokens:
        if token.isdigit():
            numbers.append(token)
        elif token in _MONTHS and month is None:
            month = _MONTHS[token]
        elif token in {"de", "of", "the", "st", "nd", "rd", "th", "er", "del", "eow"} or token in _WEEKDAYS:
            continue
        else:
            return None
    if month is None or len(numbers) != 2:
        return None
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if len(years) != 1 or len(days) != 1:
        return None
    return _make(int(years[0]), month, int(days[0]))


_WEEKDAYS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday mon tue wed thu fri sat sun lunes
    martes miercoles jueves viernes sabado domingo lundi mardi mercredi jeudi vendredi samedi
    dimanche segunda terca quarta quinta sexta feira""".split()
)


def is_plausible_birth_date(parsed: date, today: date | None = None, historical: bool = False) -> bool:
    """Born in the past and at most 120 years ago; ``historical`` (the header says birth date)
    accepts any date since 1800, for registers of people long dead."""
    today = today or date.today()
    oldest = 1800 if historical else today.year - 120
    return oldest <= parsed.year and parsed <= today


# ------------------------------------------------------------------------------------------ names

_NAME_TOKEN = re.compile(r"^[^\W\d_][^\W\d_'’\-.]*(?:['’\-][^\W\d_]+)*\.?$", re.UNICODE)
_INITIAL = re.compile(r"^[^\W\d_]\.?$", re.UNICODE)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]|\"[^\"]*\"|“[^”]*”")  # brackets and quoted nicknames
_SUFFIX = re.compile(r",?\s+(jr|sr|ii|iii|iv|phd|md|esq)\.?\s*$", re.IGNORECASE)


def name_tokens(value: str) -> list[str] | None:
    """Tokens of a personal-name-shaped value, or None when the shape is wrong.

    Accepts ``Maria Hernandez``, ``HERNANDEZ, Maria``, ``F. Davis``, ``José da Silva``,
    ``Deputy Sheriff Isaac Smith`` (honorifics dropped), ``Anthony White (Alabama)`` (bracketed
    parts dropped).  Rejects digits, organisation words and more than six words.
    """
    tokens = _name_tokens(value)
    return None if tokens is None else list(tokens)


@lru_cache(maxsize=_CACHE)
def _name_tokens(value: str) -> tuple[str, ...] | None:
    """:func:`name_tokens` as an immutable (cacheable) tuple; shared by the name validators."""
    if len(value) > 80:
        return None
    text = _SUFFIX.sub("", _PAREN.sub(" ", value)).strip()
    if not text:
        return None
    inner = _PAREN.search(value)
    if inner and len(text.split()) == 1:
        # "Batman (Bruce Wayne)": an alias outside, the person's name inside the brackets
        inside = _name_tokens(inner.group(0)[1:-1])
        if inside and len(inside) >= 2:
            return inside
    parts = [part.strip() for part in text.split(",")]
    if len(parts) == 3 and _INITIAL.match(parts[2]):
        parts = [parts[0], f"{parts[1]} {parts[2]}"]  # "AAMODT, DENISE, E": the middle initial after a comma
    if len(parts) == 2:
        last, first = parts
        if not last or not first:
            return None
        text = f"{first} {last}"
    elif len(parts) > 2:
        return None
    raw = text.split()
    # an all-lower-case value ("maria hernandez") is a name only when its words are listed names
    # ("dusty rose" is not: "dusty" is not a name)
    words = [w for w in raw if len(w) > 2 and fold(w) not in NAME_PARTICLES]
    lower = text.islower() and bool(words) and all(is_given_name(w) or is_surname(w) for w in words)
    folded_words = [fold(t).strip(".") for t in raw]
    weak = sum(1 for w in folded_words if w in ORG_WORDS_WEAK)
    if any(w in ORG_WORDS_STRONG for w in folded_words) or weak >= 2:
        return None
    tokens: list[str] = []
    for token, folded in zip(raw, folded_words, strict=True):
        if folded in HONORIFICS and len(raw) > 2:
            continue
        if folded in NAME_PARTICLES:
            continue
        if _INITIAL.match(token):
            tokens.append(token)
            continue
        if not _NAME_TOKEN.match(token):
            return None
        if not (token[0].isupper() or token.isupper() or lower):
            return None
        tokens.append(token)
    if not tokens or len(tokens) > 6:
        return None
    return tuple(tokens)


@lru_cache(maxsize=_CACHE)
def is_full_name(value: str) -> bool:
    tokens = _name_tokens(value)
    if tokens is None:
        return False
    full = [t for t in tokens if not _INITIAL.match(t)]
    return len(tokens) >= 2 and len(full) >= 1


@lru_cache(maxsize=_CACHE)
def is_single_name(value: str) -> bool:
    tokens = _name_tokens(value)
    return tokens is not None and 1 <= len(tokens) <= 3 and not all(_INITIAL.match(t) for t in tokens)


@lru_cache(maxsize=_CACHE)
def name_list_hit(value: str) -> bool:
    """Does any word of the value appear in the given-name or surname lists?"""
    tokens = _name_tokens(value) or ()
    return any(is_given_name(t.strip(".")) or is_surname(t.strip(".")) for t in tokens if len(t) > 2)


@lru_cache(maxsize=_CACHE)
def given_name_hit(value: str) -> bool:
    tokens = _name_tokens(value) or ()
    return any(is_given_name(t.strip(".")) for t in tokens if len(t) > 1)


@lru_cache(maxsize=_CACHE)
def is_organisation(value: str) -> bool:
    words = _LETTER_WORDS.findall(fold(value))
    weak = sum(1 for w in words if w in ORG_WORDS_WEAK)
    return any(w in ORG_WORDS_STRONG for w in words) or weak >= 2 or "&" in value


# ---------------------------------------------------------------------------------- identifiers

_SSN = re.compile(r"^(\d{3})[- ]?(\d{2})[- ]?(\d{4})$")


def is_ssn(value: str, dashed_only: bool = True) -> bool:
    """US Social Security Number under the SSA's assignment rules (no 000/666/9xx area…)."""
    text = value.strip()
    match = _SSN.match(text)
    if not match or (dashed_only and "-" not in text):
        return False
    area, group, serial = match.groups()
    return area not in {"000", "666"} and not area.startswith("9") and group != "00" and serial != "0000"


_A_NUMBER = re.compile(r"^A[- ]?(\d{3}[- ]?\d{3}[- ]?\d{2,3})$", re.IGNORECASE)
_A_DIGITS = re.compile(r"^\d{8,9}$")


def is_a_number(value: str, header_says_so: bool = False) -> bool:
    """US alien registration number: ``A`` + 8 or 9 digits; bare digits only when the header says so."""
    text = value.strip()
    if _A_NUMBER.match(text):
        return True
    return header_says_so and bool(_A_DIGITS.match(text.replace("-", "")))


_PASSPORT = re.compile(r"^(?=.*\d)[A-Z0-9]{6,9}$")


def is_passport_number(value: str) -> bool:
    return bool(_PASSPORT.match(value.strip().upper().replace(" ", "")))


_CPF_SEPARATORS = re.compile(r"[.\-\s]")
_CPF_DIGITS = re.compile(r"\d{11}")


def is_cpf(value: str) -> bool:
    """Brazilian CPF with its two check digits."""
    digits = _CPF_SEPARATORS.sub("", value.strip())
    if not _CPF_DIGITS.fullmatch(digits) or len(set(digits)) == 1:
        return False
    numbers = [int(d) for d in digits]
    for size in (9, 10):
        total = sum(n * w for n, w in zip(numbers[:size], range(size + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != numbers[size]:
            return False
    return True


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
_DNI = re.compile(r"([XYZ]?)(\d{7,8})([A-Z])")


def is_dni_nie(value: str) -> bool:
    """Spanish DNI/NIE with its check letter."""
    text = value.strip().upper().replace("-", "").replace(" ", "")
    match = _DNI.fullmatch(text)
    if not match:
        return False
    prefix, digits, letter = match.groups()
    number = int(str("XYZ".index(prefix)) + digits) if prefix else int(digits)
    return _DNI_LETTERS[number % 23] == letter


_CURP = re.compile(r"^[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[A-Z0-9]\d$")


def is_curp(value: str) -> bool:
    """Mexican CURP (structure; the check digit is validated too)."""
    text = value.strip().upper()
    if not _CURP.match(text):
        return False
    alphabet = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ"
    total = sum(alphabet.index(ch) * (18 - i) for i, ch in enumerate(text[:17]))
    return (10 - total % 10) % 10 == int(text[17])


@lru_cache(maxsize=_CACHE)
def is_national_id(value: str) -> bool:
    """An ID number that validates on its own (checksummed or unmistakable format)."""
    return is_ssn(value) or is_cpf(value) or is_dni_nie(value) or is_curp(value) or bool(_A_NUMBER.match(value.strip()))


# ------------------------------------------------------------------------------ contact details

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,24}$")
FREE_MAIL = frozenset(
    """gmail.com googlemail.com yahoo.com yahoo.es yahoo.fr yahoo.com.br yahoo.com.mx hotmail.com
    hotmail.es hotmail.fr outlook.com outlook.es live.com msn.com aol.com icloud.com me.com mail.com
    gmx.com gmx.de gmx.net protonmail.com proton.me yandex.ru mail.ru orange.fr free.fr laposte.net
    sfr.fr wanadoo.fr uol.com.br bol.com.br terra.com.br ig.com.br prodigy.net.mx comcast.net
    verizon.net att.net sbcglobal.net""".split()
)


@lru_cache(maxsize=_CACHE)
def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value.strip()))


@lru_cache(maxsize=_CACHE)
def is_personal_email(value: str) -> bool:
    if not is_email(value):
        return False
    domain = value.strip().rsplit("@", 1)[1].lower()
    # a free-mail provider under any country domain (yahoo.co.uk, hotmail.it, gmx.at, web.de…)
    provider, _, suffix = domain.partition(".")
    # the rest must be a country or generic suffix (de, co.uk, com.br), not an organisation's domain
    return domain in FREE_MAIL or (provider in FREE_MAIL_PROVIDERS and len(suffix) <= 6)


FREE_MAIL_PROVIDERS = frozenset(
    """gmail googlemail yahoo ymail hotmail outlook live msn aol icloud gmx web protonmail proton yandex
    libero virgilio tiscali alice btinternet bigpond orange wanadoo laposte terra uol bol rediffmail
    seznam wp onet interia t-online freenet""".split()
)


_PHONE_SHAPE = re.compile(r"^\+?[\d\s().\-]{7,22}(\s*(x|ext\.?)\s*\d{1,5})?$", re.IGNORECASE)
_PHONE_FORMATTED = re.compile(r"^\+|\(\d{2,4}\)|\d[\s.\-]\d")
_PHONE_DATE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")


@lru_cache(maxsize=_CACHE)
def is_phone(value: str, header_says_so: bool = False, region: str = "US") -> bool:
    """A phone number by ``phonenumbers``; without header evidence it must be written like one."""
    text = value.strip()
    if not _PHONE_SHAPE.match(text) or is_number(text) or sum(ch.isdigit() for ch in text) < 7:
        return False
    if not header_says_so and not _PHONE_FORMATTED.search(text):
        return False
    if not header_says_so and _PHONE_DATE.fullmatch(text):
        return False  # a date
    import phonenumbers  # imported by the first value shaped like a phone number (~10 ms a process)

    try:
        parsed = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


_STREET_WORDS = frozenset(
    """st street ave avenue av rd road ln lane blvd boulevard dr drive ct court pl place way pkwy
    parkway hwy highway cir circle ter terrace trl trail sq square aly alley row loop pike route rte
    calle avenida av. carrera cra cl calzada camino paseo plaza rue boulevard bd chemin allee impasse
    quai place rua travessa praca estrada rodovia alameda""".split()
)
_HOUSE_NUMBER = re.compile(r"(^|\s)(\d{1,6}[a-zA-Z]?|n[ºo°]\s*\d+)(\s|,|$)")


@lru_cache(maxsize=_CACHE)
def is_street_address(value: str) -> bool:
    """``123 Main St``, ``Calle Mayor 5``, ``12 rue de la Paix``, ``Rua das Flores, 100``."""
    text = value.strip()
    if len(text) < 5 or len(text) > 120:
        return False
    words = _LETTER_WORDS_DOT.findall(fold(text))
    has_street_word = any(w.rstrip(".") in _STREET_WORDS or w in _STREET_WORDS for w in words)
    return has_street_word and bool(_HOUSE_NUMBER.search(text)) and len(words) >= 1


_NUMBERED = re.compile(r"^\s*(\d{1,6}[a-zA-Z]?|n[ºo°]\s*\d+),?\s+[^\W\d_]{2,}", re.UNICODE)
_NUMBER_LAST = re.compile(r"^[^\W\d_]{2,}[^\d]*,?\s+(\d{1,6}[a-zA-Z]?|n[ºo°]\s*\d+)\b", re.UNICODE)


@lru_cache(maxsize=_CACHE)
def is_numbered_address(value: str) -> bool:
    """``9436 Mack Ville``, ``Rua das Flores, 100``: a house number and a name, in either order.
    Only used when the header already says the column holds addresses."""
    text = value.strip()
    return 5 <= len(text) <= 120 and bool(_NUMBERED.match(text) or _NUMBER_LAST.match(text))


@lru_cache(maxsize=_CACHE)
def is_street_name(value: str) -> bool:
    words = _LETTER_WORDS.findall(fold(value))
    return bool(words) and words[-1] in _STREET_WORDS or (bool(words) and words[0] in _STREET_WORDS)


_POSTAL = re.compile(r"^(\d{5}(-\d{4})?|\d{5}-\d{3}|\d{4,5}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})$")


@lru_cache(maxsize=_CACHE)
def is_postal_code(value: str) -> bool:
    return bool(_POSTAL.match(value.strip().upper()))


# ------------------------------------------------------------------------------------ categories

SEX_VALUES = frozenset(
    """m f male female man woman men women x u unknown h hombre mujer masculino femenino masculina
    femenina homme femme masculin feminin feminine masc fem varon nonbinary non-binary other otro
    autre outro""".split()
)


@lru_cache(maxsize=_CACHE)
def is_sex(value: str) -> bool:
    return fold(value.strip()) in SEX_VALUES


_FACILITY_WORDS = re.compile(
    r"detention|processing cent|correctional|county jail|jail|prison|penitentiary|contract detention|"
    r"\bspc\b|\bcdf\b|\bipc\b|\bice\b|family residential|holding|staging|estaci[oó]n migratoria|"
    r"centro de detenci|centre de r[ée]tention|\bcra\b|centro de deten|pris[aã]o|c[aá]rcel",
    re.IGNORECASE,
)


@lru_cache(maxsize=_CACHE)
def is_detention_facility(value: str) -> bool:
    return bool(_FACILITY_WORDS.search(value))


_CASE_ID = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9\-/.:]{4,24}$")


@lru_cache(maxsize=_CACHE)
def is_case_id(value: str) -> bool:
    text = value.strip().upper()
    return bool(_CASE_ID.match(text)) and sum(ch.isdigit() for ch in text) >= 3


IMMIGRATION_STATUS = re.compile(
    r"asyl|refug|removal|deport|parole|\btps\b|daca|undocumented|detained|detainee|credible fear|"
    r"withholding|visa overstay|inadmissible|\bcat\b|solicitante|asilo|refugiad|deportad|demandeur|"
    r"r[ée]fugi[ée]|expuls|sans[- ]papiers|requerente|unaccompanied|\buac\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=_CACHE)
def is_immigration_status(value: str) -> bool:
    return bool(IMMIGRATION_STATUS.search(value))
