"""Column typing: header evidence (:mod:`matcher.lexicon`) combined with value evidence
(:mod:`matcher.validators`) on a sample of each column.

A header alone never types a column (a ``name`` column of storm names is not personal), and values
alone type a column only for formats that cannot be mistaken (emails, checksummed ID numbers,
phone numbers written as such, full personal names with list hits, street addresses).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import compress

from core.models import Table
from matcher import validators as v
from matcher.govids import CHECKED_FORMATS, HEADER_ONLY_FORMATS, checked_format, is_sequential, names_other_numbers
from matcher.lexicon import (
    has_person_role,
    is_aggregate_header,
    is_total_cell,
    match_header,
    names_non_person,
    normalise,
)
from matcher.masking import mask_text
from matcher.names import fold, is_given_name, is_surname
from matcher.passports import a_number_column, names_passport, passport_evidence
from matcher.places import is_country_or_nationality

GENERIC_HEADER_PREFIX = "column "
ANY_ID_FORMAT = {**CHECKED_FORMATS, **HEADER_ONLY_FORMATS}
_WORK = re.compile(r"\b(office|work|business|desk|agency|oficina|trabajo|bureau|travail|trabalho|escritorio|"
                   r"corporate|headquarters|company|empresa|entreprise|firma|sede)\b")


@dataclass
class ColumnEvidence:
    index: int
    header: str
    type: str = ""
    confidence: float = 0.0
    valid: int = 0
    total: int = 0
    what: str = ""  # "plausible birth dates"
    distinct_ratio: float = 0.0
    numeric_ratio: float = 0.0
    single_token_ratio: float = 0.0
    org_ratio: float = 0.0
    aggregate_header: bool = False
    age_band_ratio: float = 0.0
    business_contact: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.valid / self.total if self.total else 0.0


@lru_cache(maxsize=4096)  # pure function of the header; called per typed column in reasons and findings
def safe_header(header: str) -> str:
    """A header fit to quote in a reason: data-looking headers are masked, long ones cut."""
    text = " ".join(header.split())
    if v.is_email(text) or v.is_national_id(text) or v.parse_date(text) is not None or v.is_phone(text):
        return mask_text(text)
    if v.is_full_name(text) and v.given_name_hit(text):
        return mask_text(text)  # a first data row taken for a header must not quote a name
    return text if len(text) <= 40 else text[:37] + "..."


class _Values(list[str]):
    """The non-empty values of a column, with their distinct counts: validators run once per
    distinct value (categorical columns have few), hits are weighted by frequency."""

    def __init__(self, values: list[str]) -> None:
        super().__init__(values)
        self.counts = Counter(values)


def _fraction(values: list[str], test: Callable[[str], bool]) -> int:
    counts = values.counts if isinstance(values, _Values) else Counter(values)
    # C-level loop: each distinct value tested once, the counts of those that pass added up
    return sum(compress(counts.values(), map(test, counts)))


def _is_date(value: str) -> bool:
    return v.parse_date(value) is not None


def _birth_dates(values: list[str], today: date, historical: bool = False) -> tuple[int, list[date]]:
    parsed = [v.parse_date(value) for value in values]
    plausible = [d for d in parsed if d is not None and v.is_plausible_birth_date(d, today, historical)]
    return len(plausible), plausible


def _year_spread(dates: list[date]) -> float:
    import statistics  # imported by the first column of birth dates (~2 ms a process)

    years = [d.year for d in dates]
    return statistics.pstdev(years) if len(years) >= 2 else 0.0


def _header_years(values: list[str]) -> int:
    """Birth-year columns (``year of birth``) hold 4-digit years."""
    this_year = date.today().year
    return sum(1 for value in values if v.is_year(value) and int(float(value)) <= this_year)


def type_column(index: int, header: str, cells: list[str], today: date | None = None) -> ColumnEvidence:
    """Type one column from its header and a sample of its cells."""
    today = today or date.today()
    # the non-blank cells, stripped; "Total" labels of sum rows are not values of the column
    values = _Values([c for c in map(str.strip, filter(None, cells)) if c and not is_total_cell(c)])
    ev = ColumnEvidence(index=index, header=header, total=len(values))
    ev.aggregate_header = is_aggregate_header(header)
    if not values:
        return ev
    n = len(values)
    ev.distinct_ratio = len(values.counts) / n
    ev.numeric_ratio = _fraction(values, v.is_number) / n
    ev.age_band_ratio = _fraction(values, v.is_age_band) / n
    ev.org_ratio = _fraction(values, v.is_organisation) / n if ev.numeric_ratio < 0.5 else 0.0
    generic = not header.strip() or header.startswith(GENERIC_HEADER_PREFIX)
    if not generic and _by_header(ev, values, today):
        return ev
    _by_values(ev, values, today, generic)
    return ev


def _choose(ev: ColumnEvidence, column_type: str, valid: int, what: str, base: float) -> bool:
    ev.type, ev.valid, ev.what = column_type, valid, what
    ev.confidence = round(min(1.0, base + 0.4 * valid / max(1, ev.total)), 3)
    return True


NAME_HEADER_TYPES = frozenset({"person_name", "given_name", "family_name"})


def _names_by_header(ev: ColumnEvidence, values: _Values, htype: str) -> bool:
    """A name header (full, given or family name) over name-shaped values."""
    n = len(values)
    full = _fraction(values, v.is_full_name)
    single = _fraction(values, v.is_single_name)
    ev.single_token_ratio = max(0, single - full) / n
    orgs = _fraction(values, v.is_organisation)
    listed = _fraction(values, v.name_list_hit)
    # a header naming the given/family name is enough; a bare "name" header also needs list hits
    # or a consistent multi-word name shape (it is used for things too)
    plausible = htype != "person_name" or listed / n >= 0.15 or full / n >= 0.8
    if orgs / n >= 0.3 or not plausible:
        return False
    if htype == "person_name" and full / n >= 0.5:
        return _choose(ev, "person_name", full, "personal names", 0.55)
    if full / n >= 0.6 and _fraction(values, v.given_name_hit) / n >= 0.3:
        # a given/family-name header over whole names (French "Nom" is the name or the surname):
        # the column holds full names
        return _choose(ev, "person_name", full, "personal names", 0.55)
    if single / n >= 0.6:
        kind = {"given_name": "given_name", "family_name": "family_name"}.get(htype, "person_name")
        return _choose(ev, kind, single, "name-shaped values", 0.5)
    return False


def _gov_id_by_header(ev: ColumnEvidence, values: _Values) -> bool:
    """An ID header over values of the format it names (matcher.govids)."""
    header, n = ev.header, len(values)
    if names_other_numbers(header) or is_sequential(values):
        ev.notes.append("invoice, order or sequential numbers: not government IDs")
        return False
    norm = normalise(header)
    if "ssn" in norm or "social" in norm or "soc sec" in norm:
        hits, what = _fraction(values, lambda x: v.is_ssn(x, dashed_only=False)), "valid SSNs"
    elif norm.startswith("a ") or "alien" in norm or norm in {"anum", "anumber", "afile"}:
        hits, what = _fraction(values, lambda x: v.is_a_number(x, header_says_so=True)), "A-numbers"
    elif names_passport(header):
        hits, what = passport_evidence(values)
    else:
        hits = _fraction(values, lambda x: v.is_passport_number(x) or v.is_national_id(x))
        what = "ID-number formats"
    label, check = checked_format(values, ANY_ID_FORMAT, share=0.6)
    if check is not None:
        checked = _fraction(values, check)
        if checked >= hits:
            hits, what = checked, f"{label} numbers (check digit valid)"
    if hits / n >= 0.6 and ev.distinct_ratio >= 0.5:
        return _choose(ev, "gov_id", hits, what, 0.45 if "no national format" in what else 0.6)
    return False


def _by_header(ev: ColumnEvidence, values: _Values, today: date) -> bool:
    """The header names a type and the values agree with it."""
    header, n = ev.header, len(values)
    match = match_header(header)
    htype = match.type if match else ""
    non_person = names_non_person(header)

    names_ok = htype in NAME_HEADER_TYPES and not non_person and not ev.aggregate_header
    if names_ok and _names_by_header(ev, values, htype):
        return True
    if htype in {"birth_date", "age"} and ev.aggregate_header:
        ev.notes.append("a statistic of ages or birth dates (mean, median, count), not a person's")
        return False
    if htype == "birth_date":
        hits, dates = _birth_dates(values, today, historical=True)
        if hits / n >= 0.6:
            return _choose(ev, "birth_date", hits, "plausible birth dates", 0.55)
        years = _header_years(values)
        if years / n >= 0.8:
            return _choose(ev, "birth_date", years, "birth years", 0.45)
    if htype == "age":
        if ev.age_band_ratio >= 0.3:
            ev.notes.append("age bands, not ages")
        else:
            hits = _fraction(values, v.is_age)
            if hits / n >= 0.8:
                return _choose(ev, "age", hits, "plausible ages", 0.5)
    if htype == "sex":
        hits = _fraction(values, v.is_sex)
        if hits / n >= 0.8:
            return _choose(ev, "sex", hits, "sex/gender codes", 0.5)
    if htype == "nationality":
        hits = _fraction(values, is_country_or_nationality)
        if hits / n >= 0.6:
            return _choose(ev, "nationality", hits, "countries or nationalities", 0.5)
    if htype == "gov_id" and _gov_id_by_header(ev, values):
        return True
    if htype == "email":
        hits = _fraction(values, v.is_email)
        if hits / n >= 0.6:
            personal = _fraction(values, v.is_personal_email)
            ev.business_contact = personal / n < 0.3 or bool(_WORK.search(normalise(header)))
            return _choose(ev, "email", hits, "email addresses", 0.55)
    if htype == "phone":
        hits = _fraction(values, lambda x: v.is_phone(x, header_says_so=True))
        if hits / n >= 0.6:
            ev.business_contact = bool(_WORK.search(normalise(header)))
            return _choose(ev, "phone", hits, "phone numbers", 0.55)
    if htype == "address":
        hits = _fraction(values, lambda x: v.is_street_address(x) or v.is_street_name(x) or v.is_numbered_address(x))
        if hits / n >= 0.5:
            ev.business_contact = bool(_WORK.search(normalise(header)))  # an office's address, not a home
            return _choose(ev, "address", hits, "street addresses", 0.55)
    if htype == "postal_code":
        hits = _fraction(values, v.is_postal_code)
        if hits / n >= 0.7:
            return _choose(ev, "postal_code", hits, "postal codes", 0.5)
    if htype == "location_detention":
        hits = _fraction(values, v.is_detention_facility)
        if hits / n >= 0.3 or (ev.distinct_ratio < 0.5 and ev.numeric_ratio < 0.2):
            return _choose(ev, "location_detention", hits, "detention facility names", 0.5)
    if htype == "case_id":
        hits = _fraction(values, v.is_case_id)
        if hits / n >= 0.6 and ev.distinct_ratio >= 0.5:
            return _choose(ev, "case_id", hits, "case-number formats", 0.5)
    if htype == "sensitive_category" and ev.numeric_ratio < 0.5 and not ev.aggregate_header:
        return _choose(ev, "sensitive_category", n, "values of a sensitive category", 0.6)
    if htype == "date" or normalise(header).split()[-1:] == ["date"]:
        hits = _fraction(values, _is_date)
        if hits / n >= 0.6:
            return _choose(ev, "date", hits, "dates", 0.4)

    return False


def _by_values(ev: ColumnEvidence, values: _Values, today: date, generic: bool) -> bool:
    """Values alone, for formats that cannot be mistaken."""
    header, n = ev.header, len(values)
    non_person = not generic and names_non_person(header)  # "column 3" says nothing about the values
    hits = _fraction(values, v.is_email)
    if hits / n >= 0.8:
        personal = _fraction(values, v.is_personal_email)
        ev.business_contact = personal / n < 0.3
        return _choose(ev, "email", hits, "email addresses", 0.4)
    # without header evidence only a format with a check digit counts: a dashed 123-45-6789 alone
    # may be an invoice number (matcher.govids)
    label, check = checked_format(values) if ev.distinct_ratio >= 0.8 and not is_sequential(values) else ("", None)
    if check is not None:
        return _choose(ev, "gov_id", _fraction(values, check), f"{label} numbers (check digit valid)", 0.5)
    hits = _fraction(values, v.is_phone)
    if hits / n >= 0.8 and ev.distinct_ratio >= 0.8:
        return _choose(ev, "phone", hits, "phone numbers", 0.35)
    hits = _fraction(values, v.is_street_address)
    if hits / n >= 0.7:
        return _choose(ev, "address", hits, "street addresses", 0.35)
    if not non_person and not ev.aggregate_header and ev.numeric_ratio < 0.2:
        full = _fraction(values, v.is_full_name)
        given = _fraction(values, v.given_name_hit)
        orgs = _fraction(values, v.is_organisation)
        role = has_person_role(header)
        if full / n >= 0.6 and orgs / n < 0.2 and len(set(values)) >= 3:
            if given / n >= 0.35 or (role and given / n >= 0.15):
                return _choose(ev, "person_name", full, "personal names", 0.35 + (0.15 if role else 0.0))
    hits, dates = _birth_dates(values, today)
    if generic and hits / n >= 0.8 and _year_spread(dates) >= 8:
        ages = sorted(today.year - d.year for d in dates)
        if 16 <= ages[len(ages) // 2] <= 90:
            return _choose(ev, "birth_date", hits, "plausible birth dates", 0.3)
    hits = _fraction(values, _is_date)
    if hits / n >= 0.8:
        return _choose(ev, "date", hits, "dates", 0.3)
    hits = _fraction(values, v.is_immigration_status)
    if hits / n >= 0.5 and ev.numeric_ratio < 0.2:
        return _choose(ev, "sensitive_category", hits, "immigration or asylum statuses", 0.4)
    hits = _fraction(values, v.is_detention_facility)
    if hits / n >= 0.6:
        return _choose(ev, "location_detention", hits, "detention facility names", 0.35)
    hits = _fraction(values, v.is_sex)
    if hits / n >= 0.9 and len(set(x.lower() for x in values)) <= 6:
        return _choose(ev, "sex", hits, "sex/gender codes", 0.3)
    hits = _fraction(values, is_country_or_nationality)
    if hits / n >= 0.7:
        return _choose(ev, "nationality", hits, "countries or nationalities", 0.3)
    return False


# cells typed per table: wide tables get fewer sample rows per column (a 2,000-column survey
# export is typed on 50 rows, not 400)
CELL_BUDGET = 60_000


def type_columns(table: Table, sample_limit: int = 400) -> list[ColumnEvidence]:
    width = max([len(table.header)] + [len(r) for r in table.rows[:sample_limit]]) if table.rows else len(table.header)
    rows = table.rows[: max(30, min(sample_limit, CELL_BUDGET // max(1, width)))]
    out: list[ColumnEvidence] = []
    for j in range(width):
        header = table.header[j] if j < len(table.header) else f"{GENERIC_HEADER_PREFIX}{j + 1}"
        cells = [r[j] if j < len(r) else "" for r in rows]
        out.append(type_column(j, header, cells))
    _split_name_columns(out, rows)
    a_number_column(out, rows)
    return out


SPLIT_GIVEN_SHARE = 0.6  # of a column's one-word values that are listed given names
SPLIT_SURNAME_SHARE = 0.5  # of another column's one-word values that are listed surnames
SPLIT_DISTINCT = 0.5  # names vary: a column of a few repeated words (colours, grades) is not one


def _split_name_columns(columns: list[ColumnEvidence], rows: list[list[str]]) -> None:
    """Surname and given name in two columns without a header that says so (a header-less export,
    ``"Garcia","Maria",1987-03-02,…``): one word per cell cannot be told from any other word on its
    own, so the evidence is the pair — one untyped column of listed given names *and* another of
    listed surnames in the same table.  Neither alone types a column (Green, White, Young…)."""
    candidates = []
    for ev in columns:
        if ev.type or ev.numeric_ratio >= 0.2 or ev.distinct_ratio < SPLIT_DISTINCT or names_non_person(ev.header):
            continue
        values = [r[ev.index].strip() for r in rows if ev.index < len(r) and r[ev.index].strip()]
        single = [x for x in values if len(x.split()) == 1 and v.name_tokens(x) is not None]
        if len(values) < 3 or len(single) / len(values) < 0.8:
            continue
        givens = sum(1 for x in single if is_given_name(fold(x)))
        surnames = sum(1 for x in single if is_surname(fold(x)))
        candidates.append((ev, givens / len(values), surnames / len(values)))
    given = max((c for c in candidates if c[1] >= SPLIT_GIVEN_SHARE and c[1] >= c[2]), key=lambda c: c[1],
                default=None)
    family = max((c for c in candidates if c[2] >= SPLIT_SURNAME_SHARE and (given is None or c[0] is not given[0])),
                 key=lambda c: c[2], default=None)
    if given is None or family is None:
        return
    for (ev, _g, _s), kind, share, what in ((given, "given_name", given[1], "given names"),
                                          (family, "family_name", family[2], "surnames")):
        ev.type, ev.valid, ev.confidence = kind, round(share * ev.total), 0.35
        ev.what = f"{what} (beside a column of {'surnames' if kind == 'given_name' else 'given names'})"
