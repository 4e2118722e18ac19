"""Words for the matcher's internal names, as the UI shows them: column types, finding kinds, severities
and scores explained, media types as the CLI's ``--type`` spells them.

One table per kind of name; a name missing from a table is shown made readable (``foo_bar`` → "Foo bar"),
never as an error.  ``tests/web/test_labels.py`` checks that every column type the matcher assigns has a
label here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from core.models import Severity

COLUMN_TYPES = {
    "person_name": "Full name",
    "given_name": "Given name",
    "family_name": "Family name",
    "birth_date": "Date of birth",
    "age": "Age",
    "sex": "Sex or gender",
    "nationality": "Nationality or citizenship",
    "gov_id": "Government ID number",
    "address": "Home address",
    "postal_code": "Postal code",
    "location_detention": "Detention location",
    "case_id": "Case or file number",
    "sensitive_category": "Sensitive category (health, religion, status…)",
    "email": "Email address",
    "phone": "Phone number",
    "date": "Date",
    "number": "Number",
    "organisation": "Organisation",
    "country": "Country",
}

FINDING_KINDS = {
    "person_table": "Table of people",
    "hidden_content": "Hidden content",
    "failed_redaction": "Failed redaction",
}

SEVERITY_MEANING = {
    "critical": "names or other direct identifiers together with a government ID number or a sensitive "
                "category (immigration status, nationality with detention, health, criminal history, religion…)",
    "high": "direct identifiers together with dates of birth, home addresses or personal phone numbers or emails",
    "medium": "direct identifiers with quasi-identifiers only (age, sex, postal code)",
    "low": "names with business contact details only (staff directories, board members)",
}


def readable(name: str) -> str:
    return name.replace("_", " ").strip().capitalize() or "—"


def column_type(name: str | None) -> str:
    return COLUMN_TYPES.get(name or "", readable(name or "")) if name else "Unknown"


def finding_kind(name: str) -> str:
    return FINDING_KINDS.get(name, readable(name))


def severity_meaning(name: str) -> str:
    return SEVERITY_MEANING.get(name, "")


def score_words(score: float | None) -> str:
    """How sure the matcher is that the rows describe individual people, in words."""
    if score is None:
        return "—"
    if score >= 0.9:
        sure = "very sure"
    elif score >= 0.7:
        sure = "fairly sure"
    elif score >= 0.5:
        sure = "unsure"
    else:
        sure = "doubtful"
    return f"{sure} ({score:.2f} of 1) that each row describes one person"


def column_summary(columns: list[dict[str, Any]], limit: int = 4) -> str:
    """The personal column types of a finding, in words: "Full name, Date of birth, +2 more"."""
    names = list(dict.fromkeys(column_type(c.get("type")) for c in columns
                               if c.get("type") and c.get("type") in COLUMN_TYPES))
    shown = ", ".join(names[:limit])
    return shown + (f", +{len(names) - limit} more" if len(names) > limit else "")


def file_name(url: str) -> str:
    """The last path part of a URL, decoded (the whole URL when there is none)."""
    path = urlsplit(url).path
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1]) if path.strip("/") else ""
    return name or url


SEVERITIES = Severity.names(worst_first=True)
