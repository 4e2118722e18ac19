"""Table decision and severity (docs/architecture.md §4).

A table is person-level when its rows describe individuals (:mod:`matcher.entity`) and it has a
direct identifier column (a personal name, a government ID number, a personal email or phone, a
home address) filled in on at least a few rows, and no aggregate guard vetoes it.  Severity
follows the categories present: critical (ID number, or a sensitive category, or nationality with
detention, or minors), high (birth date, home address, personal phone or email), medium
(quasi-identifiers: age, sex, postal code, nationality), low (names with business contact details
or nothing else).  ``critical`` and ``high`` need a direct identifier of a person in the table.

The score and the aggregate guards are named data (:data:`GUARDS`, the weights below): every
decision carries readable ``reasons``, including why a table with a name-shaped column was not
flagged.  Nothing here changes the column evidence it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from core.models import Severity, Table
from matcher import validators as v
from matcher.columns import ColumnEvidence, safe_header
from matcher.entity import DEFAULT_TUNING, Entity, EntityDecision, RowEvidence, Tuning, describe_rows
from matcher.headers import is_total_row
from matcher.lexicon import has_person_role, is_year_header

MIN_ROWS = 3
ATTRIBUTE_BONUS = 0.08  # per attribute describing a person (at most MAX_ATTRIBUTES count)
MAX_ATTRIBUTES = 4
NAME_TYPES = frozenset({"person_name", "given_name", "family_name"})
ATTRIBUTES = frozenset(
    {"birth_date", "age", "sex", "nationality", "gov_id", "address", "postal_code", "location_detention",
     "case_id", "sensitive_category", "email", "phone"}
)


@dataclass(frozen=True)
class Decision:
    person_level: bool
    score: float
    severity: Severity
    reasons: list[str] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)
    entity: Entity = Entity.person
    row_entity: EntityDecision | None = None


def reason_for(ev: ColumnEvidence) -> str:
    return f"column {ev.index + 1} '{safe_header(ev.header)}': {ev.valid}/{ev.total} {ev.what}"


@dataclass(frozen=True)
class Context:
    """The facts the guards look at, computed once per table."""

    table: Table
    columns: list[ColumnEvidence]
    identifiers: list[ColumnEvidence]
    personal_attributes: list[ColumnEvidence]
    has_gov_id: bool

    @property
    def others(self) -> list[ColumnEvidence]:
        return [c for c in self.columns if c not in self.identifiers and c.total]

    @property
    def numeric_others(self) -> list[ColumnEvidence]:
        return [c for c in self.others if c.numeric_ratio >= 0.9]

    @property
    def name_columns(self) -> list[ColumnEvidence]:
        return [c for c in self.identifiers if c.type in NAME_TYPES]


def _names_are_the_unit(ctx: Context) -> str | None:
    names = ctx.name_columns
    if not names or len(names) != len(ctx.identifiers) or ctx.personal_attributes:
        return None
    singles = all(c.single_token_ratio >= 0.6 or c.type != "person_name" or c.what != "personal names"
                  for c in names)
    others = ctx.others
    if others and len(ctx.numeric_others) >= 0.7 * len(others) and singles:
        return "names are the unit: the other columns are counts or shares"
    if others and all(c.numeric_ratio >= 0.9 and c.aggregate_header for c in others):
        return "names are counted: every other column is a total, count or share"
    return None


def _name_list(ctx: Context) -> str | None:
    if ctx.personal_attributes or len(ctx.identifiers) != 1:
        return None  # a name list has one name column and nothing else that identifies anyone
    for c in ctx.name_columns:
        if c.single_token_ratio >= 0.7 and c.distinct_ratio >= 0.95:
            if len(ctx.numeric_others) >= max(1, len(ctx.others) // 2):
                return f"column {c.index + 1}: single names with frequencies (a name list)"
    return None


def _year_headers(ctx: Context) -> str | None:
    years = [h for h in ctx.table.header if is_year_header(h)]
    return f"{len(years)} year/period headers (a pivoted aggregate)" if len(years) >= 3 else None


def _statistic_headers(ctx: Context) -> str | None:
    stats = [c for c in ctx.columns if c.aggregate_header]
    if ctx.columns and len(stats) >= 0.6 * len(ctx.columns) and not ctx.has_gov_id:
        return f"{len(stats)}/{len(ctx.columns)} headers name statistics (total, rate, %…)"
    return None


def _total_row(ctx: Context) -> str | None:
    rows = ctx.table.rows
    if not ctx.has_gov_id and any(is_total_row(row) for row in rows[:50] + rows[-10:]):
        return "a Total row"
    return None


def _age_bands(ctx: Context) -> str | None:
    bands = [c for c in ctx.columns if c.age_band_ratio >= 0.3]
    return f"column {bands[0].index + 1}: age bands" if bands else None


@dataclass(frozen=True)
class Guard:
    """An aggregate guard: when ``test`` answers, the score drops by ``penalty``."""

    name: str
    penalty: float
    why: str
    test: Callable[[Context], str | None]


GUARDS: tuple[Guard, ...] = (
    Guard("names are the unit", 0.6, "a list of names with counts describes names, not people", _names_are_the_unit),
    Guard("name list", 0.5, "single names with frequencies: a name-popularity table", _name_list),
    Guard("year headers", 0.5, "years across the header: a pivoted aggregate", _year_headers),
    Guard("statistic headers", 0.4, "most headers name statistics", _statistic_headers),
    Guard("total row", 0.25, "a Total row sums the rows above: an aggregate", _total_row),
    Guard("age bands", 0.3, "ages grouped in bands: an aggregate", _age_bands),
)


def _identifiers(columns: list[ColumnEvidence], guards: list[str]) -> tuple[list[ColumnEvidence], set[int]]:
    """The identifier columns, and the indexes of contact columns that are work contacts."""
    by_type: dict[str, list[ColumnEvidence]] = {}
    for ev in columns:
        if ev.type:
            by_type.setdefault(ev.type, []).append(ev)
    names = by_type.get("person_name", [])
    full_names = [c for c in names if c.what == "personal names"]
    single_names = [c for c in names if c not in full_names]
    given, family = by_type.get("given_name", []), by_type.get("family_name", [])
    personal = [c for c in columns if c.type in ATTRIBUTES - {"email", "phone", "postal_code"}]
    # single names (a given name or a surname alone) identify someone only beside attributes that
    # describe a person; sex alone does not (baby-name tables list names with sex and counts)
    describing = [c for c in personal if c.type != "sex"]
    identifiers = list(full_names)
    if given and family:
        identifiers += [given[0], family[0]]
    elif (single_names or family) and describing:
        identifiers += single_names or family
    identifiers += by_type.get("gov_id", [])
    emails = by_type.get("email", [])
    work_emails = bool(emails) and all(ev.business_contact for ev in emails)
    # phones listed beside work emails are work phones
    business = {ev.index for ev in emails + by_type.get("phone", [])
                if ev.business_contact or (ev.type == "phone" and work_emails)}
    organisations = [c for c in columns if c.org_ratio >= 0.5 and c.type not in ATTRIBUTES | NAME_TYPES]
    if organisations and not identifiers:
        guards.append(f"column {organisations[0].index + 1}: organisations, not people")
        return identifiers, business
    identifiers += [ev for ev in emails + by_type.get("phone", []) if ev.index not in business]
    # an address identifies a person only in rows about people: alone (with units, years built,
    # wards…) it describes places
    homes = [c for c in by_type.get("address", []) if not c.business_contact]  # not an office's address
    if identifiers or [c for c in personal if c.type != "address"]:
        identifiers += homes
    elif by_type.get("address"):
        guards.append("addresses without any personal attribute (a list of places)")
    return identifiers, business


def decide(table: Table, columns: list[ColumnEvidence], today: date | None = None,
           tuning: Tuning = DEFAULT_TUNING) -> Decision:
    """Decide one table.  ``tuning`` is for the cross-validation in ``bench/detection.py``; the
    scanner uses the defaults."""
    guards: list[str] = []
    identifiers, business = _identifiers(columns, guards)
    # attributes that describe a person (contact details and postal codes do not on their own)
    personal_attributes = [c for c in columns if c.type in ATTRIBUTES - {"email", "phone", "postal_code"}]
    ctx = Context(table, columns, identifiers, personal_attributes, any(c.type == "gov_id" for c in columns))

    score = 0.0
    if identifiers:
        score = max(ev.confidence for ev in identifiers)
        score += ATTRIBUTE_BONUS * min(len(personal_attributes), MAX_ATTRIBUTES)
    for guard in GUARDS:
        found = guard.test(ctx)
        if found:
            guards.append(found)
            score -= guard.penalty
    rows = table.total_rows
    if rows < MIN_ROWS:
        guards.append(f"only {rows} row(s)")
        score = min(score, 0.3)
    if identifiers and max(ev.total for ev in identifiers) < MIN_ROWS:
        guards.append(f"identifier column filled on fewer than {MIN_ROWS} rows")
        score = min(score, 0.3)
    score = max(0.0, min(1.0, score))

    row_entity = _row_entity(table, ctx, tuning)
    person_level = bool(identifiers) and score >= tuning.threshold and row_entity.entity == Entity.person
    entity = row_entity.entity
    if entity == Entity.person and not person_level:  # not people after all: an aggregate, or nothing known
        entity = Entity.aggregate if guards else Entity.unknown
    reasons = _reasons(columns, identifiers, guards, row_entity, person_level, score, tuning.threshold)
    severity = severity_for(columns, identifiers, business)
    if person_level and severity < Severity.critical and looks_like_minors(columns, table, today):
        severity = Severity.critical
        reasons.append("most of the people are under 18 (minors)")
    return Decision(person_level, score, severity, reasons, guards, entity, row_entity)


def _row_entity(table: Table, ctx: Context, tuning: Tuning) -> EntityDecision:
    names = ctx.name_columns
    values = {c.index: [r[c.index].strip() for r in table.rows[:400] if c.index < len(r) and r[c.index].strip()]
              for c in names}
    roles = [c.header for c in ctx.identifiers if has_person_role(c.header)]
    evidence = RowEvidence(ctx.columns, names, [c for c in ctx.identifiers if c not in names],
                           [c for c in ctx.personal_attributes if c not in ctx.identifiers], roles, values)
    return describe_rows(evidence, tuning)


def _reasons(columns: list[ColumnEvidence], identifiers: list[ColumnEvidence], guards: list[str],
             row_entity: EntityDecision, person_level: bool, score: float, threshold: float) -> list[str]:
    reasons = [reason_for(ev) for ev in identifiers]
    reasons += [reason_for(ev) for ev in columns if ev.type and ev not in identifiers]
    reasons += [f"aggregate guard: {g}" for g in guards]
    against = row_entity.against()
    if row_entity.entity != Entity.person and identifiers:
        reasons.append(f"not a list of people: the rows describe {row_entity.entity.value}s "
                       f"(evidence {row_entity.other:.1f} against {row_entity.person:.1f} for people)")
        reasons += [f"row entity: {s.text}" for s in against[:3]]
    elif person_level and against:
        reasons.append(f"rows describe people (evidence {row_entity.person:.1f}) rather than "
                       f"{against[0].entity.value}s ({row_entity.other:.1f}): {against[0].text}")
    elif not identifiers and any(c.type in NAME_TYPES for c in columns):
        reasons.append("name-shaped values without an attribute that describes a person (a single given "
                       "name or surname alone does not identify anyone)")
    elif not identifiers:
        reasons.append("no direct identifier: no column holds personal names, ID numbers, personal contacts "
                       "or home addresses")
    if not identifiers and against:
        reasons.append(f"the headers say the rows describe {row_entity.entity.value}s: {against[0].text}")
    elif identifiers and not person_level and row_entity.entity == Entity.person:
        reasons.append(f"score {score:.2f} is under the threshold {threshold:.2f} after the guards above")
    return reasons


def severity_for(columns: list[ColumnEvidence], identifiers: list[ColumnEvidence] | None = None,
                 business: set[int] | None = None) -> Severity:
    """Severity from the categories present.  ``critical`` and ``high`` need a direct identifier
    (a name, an ID number, a personal contact) among ``identifiers`` when they are given."""
    types = {c.type for c in columns if c.type}
    business = business or set()
    personal_contact = any(c.type in {"email", "phone"} and not c.business_contact and c.index not in business
                           for c in columns)
    direct = identifiers is None or bool(identifiers)
    if direct and ("gov_id" in types or "sensitive_category" in types):
        return Severity.critical
    if direct and "nationality" in types and "location_detention" in types:
        return Severity.critical
    home = any(c.type == "address" and not c.business_contact for c in columns)
    if direct and ("birth_date" in types or home or personal_contact):
        return Severity.high
    if types & {"age", "sex", "postal_code", "nationality", "location_detention", "case_id", "birth_date",
                "address", "gov_id", "sensitive_category"}:
        return Severity.medium
    return Severity.low


def looks_like_minors(columns: list[ColumnEvidence], table: Table, today: date | None = None) -> bool:
    """Ages, or birth dates, mostly under 18 make a table of minors (a sensitive category)."""
    today = today or date.today()
    for ev in columns:
        cells = [r[ev.index] for r in table.rows[:400] if ev.index < len(r) and r[ev.index]]
        ages: list[float] = []
        if ev.type == "age":
            ages = [a for a in (v.to_float(c) for c in cells) if a is not None]
        elif ev.type == "birth_date":
            born = [d for d in (v.parse_date(c) for c in cells) if d is not None]
            ages = [(today - d).days / 365.25 for d in born]
        if ages and sum(1 for a in ages if a < 18) / len(ages) >= 0.5:
            return True
    return False
