"""Table decision and severity (docs/architecture.md §4).

A table is person-level when its rows describe individuals and it has a direct identifier column
(a personal name, a government ID number, a personal email or phone, a home address) filled in on
at least a few rows, and no aggregate guard vetoes it.  Severity follows the categories present:
critical (ID number, or a sensitive category, or nationality with detention), high (birth date,
home address, personal phone or email), medium (quasi-identifiers: age, sex, postal code,
nationality), low (names with business contact details or nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from core.models import Severity, Table
from matcher import validators as v
from matcher.columns import ColumnEvidence, safe_header
from matcher.headers import is_total_row
from matcher.lexicon import is_year_header

MIN_ROWS = 3
IDENTIFYING = frozenset({"person_name", "gov_id", "email", "phone", "address"})
ATTRIBUTES = frozenset(
    {"birth_date", "age", "sex", "nationality", "gov_id", "address", "postal_code", "location_detention",
     "case_id", "sensitive_category", "email", "phone"}
)
@dataclass
class Decision:
    person_level: bool
    score: float
    severity: Severity
    reasons: list[str] = field(default_factory=list)
    guards: list[str] = field(default_factory=list)


def reason_for(ev: ColumnEvidence) -> str:
    return f"column {ev.index + 1} '{safe_header(ev.header)}': {ev.valid}/{ev.total} {ev.what}"


def _has_total_row(table: Table) -> bool:
    return any(is_total_row(row) for row in table.rows[:50] + table.rows[-10:])


def decide(table: Table, columns: list[ColumnEvidence]) -> Decision:
    by_type: dict[str, list[ColumnEvidence]] = {}
    for ev in columns:
        if ev.type:
            by_type.setdefault(ev.type, []).append(ev)
    guards: list[str] = []
    identifiers: list[ColumnEvidence] = []

    names = by_type.get("person_name", [])
    full_names = [c for c in names if c.what == "personal names"]
    single_names = [c for c in names if c not in full_names]
    given, family = by_type.get("given_name", []), by_type.get("family_name", [])
    attributes = [c for c in columns if c.type in ATTRIBUTES - {"email", "phone"}]
    personal_attributes = [c for c in attributes if c.type != "postal_code"]

    # single names (a given name or a surname alone) identify someone only beside attributes that
    # describe a person; sex alone does not (baby-name tables list names with sex and counts)
    describing = [c for c in personal_attributes if c.type != "sex"]
    identifiers.extend(full_names)
    if given and family:
        identifiers.extend([given[0], family[0]])
    elif (single_names or family) and describing:
        identifiers.extend(single_names or family)
    identifiers.extend(by_type.get("gov_id", []))
    organisations = [c for c in columns if c.org_ratio >= 0.5 and c.type not in IDENTIFYING]
    if organisations and not identifiers:
        # organisations with addresses and phones: contact details of bodies, not of people
        guards.append(f"column {organisations[0].index + 1}: organisations, not people")
    else:
        emails = by_type.get("email", [])
        work_emails = bool(emails) and all(ev.business_contact for ev in emails)
        for ev in emails + by_type.get("phone", []):
            if ev.type == "phone" and work_emails:
                ev.business_contact = True  # phones listed beside work emails are work phones
            if not ev.business_contact:
                identifiers.append(ev)
        # an address identifies a person only in rows about people: alone (with units, years
        # built, wards…) it describes places
        person_context = [c for c in personal_attributes if c.type != "address"]
        if identifiers or person_context:
            identifiers.extend(by_type.get("address", []))
        elif by_type.get("address"):
            guards.append("addresses without any personal attribute (a list of places)")

    rows = table.total_rows
    score = 0.0
    if identifiers:
        score = max(ev.confidence for ev in identifiers)
        score += 0.08 * min(len(personal_attributes), 4)
    # --- aggregate guards
    others = [c for c in columns if c not in identifiers and c.total]
    numeric_others = [c for c in others if c.numeric_ratio >= 0.9]
    name_columns = [c for c in identifiers if c.type in {"person_name", "given_name", "family_name"}]
    only_names = bool(name_columns) and len(name_columns) == len(identifiers)
    if only_names and not personal_attributes:
        singles = all(c.single_token_ratio >= 0.6 or c.type != "person_name" or c.what != "personal names"
                      for c in name_columns)
        if others and len(numeric_others) >= 0.7 * len(others) and singles:
            guards.append("names are the unit: the other columns are counts or shares")
            score -= 0.6
    for c in name_columns:
        if c.single_token_ratio >= 0.7 and not personal_attributes and c.distinct_ratio >= 0.95:
            if len(numeric_others) >= max(1, len(others) // 2):
                guards.append(f"column {c.index + 1}: single names with frequencies (a name list)")
                score -= 0.5
    year_headers = [h for h in table.header if is_year_header(h)]
    if len(year_headers) >= 3:
        guards.append(f"{len(year_headers)} year/period headers (a pivoted aggregate)")
        score -= 0.5
    aggregate_headers = [c for c in columns if c.aggregate_header]
    if columns and len(aggregate_headers) >= 0.6 * len(columns) and not by_type.get("gov_id"):
        guards.append(f"{len(aggregate_headers)}/{len(columns)} headers name statistics (total, rate, %…)")
        score -= 0.4
    if _has_total_row(table) and not by_type.get("gov_id"):
        guards.append("a Total row")
        score -= 0.25
    age_bands = [c for c in columns if c.age_band_ratio >= 0.3]
    if age_bands:
        guards.append(f"column {age_bands[0].index + 1}: age bands")
        score -= 0.3
    if rows < MIN_ROWS:
        guards.append(f"only {rows} row(s)")
        score = min(score, 0.3)
    filled = max((ev.total for ev in identifiers), default=0)
    if identifiers and filled < MIN_ROWS:
        guards.append("identifier column filled on fewer than 3 rows")
        score = min(score, 0.3)
    score = max(0.0, min(1.0, score))
    person_level = bool(identifiers) and score >= 0.5

    reasons = [reason_for(ev) for ev in identifiers]
    reasons += [reason_for(ev) for ev in columns if ev.type and ev not in identifiers]
    reasons += [f"aggregate guard: {g}" for g in guards]
    return Decision(person_level, score, severity_for(columns), reasons, guards)


def severity_for(columns: list[ColumnEvidence]) -> Severity:
    types = {c.type for c in columns if c.type}
    personal_contact = any(c.type in {"email", "phone"} and not c.business_contact for c in columns)
    if "gov_id" in types or "sensitive_category" in types:
        return Severity.critical
    if "nationality" in types and "location_detention" in types:
        return Severity.critical
    if types & {"birth_date", "address"} or personal_contact:
        return Severity.high
    if types & {"age", "sex", "postal_code", "nationality", "location_detention", "case_id"}:
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
