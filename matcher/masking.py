"""Masking of sample values: findings, logs and errors never carry a raw cell value.

* names and free text keep the first letter of each word: ``Maria Hernandez`` → ``M**** H*******``
* dates keep the year only: ``1987-03-14`` → ``1987-**-**``
* identifiers keep a leading letter and the last two characters: ``A123456721`` → ``A*******21``
* emails keep the first letter and the top-level domain: ``m****@*****.com``
* numbers (ages, counts) keep their length only: ``34`` → ``**``
"""

from __future__ import annotations

import re

from matcher.validators import parse_date

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)

ID_TYPES = frozenset({"gov_id", "case_id", "phone", "postal_code"})
DATE_TYPES = frozenset({"birth_date", "date"})


def mask_text(value: str) -> str:
    """Keep the first letter of each word, star the rest; star every digit."""

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        return token[0] + "*" * (len(token) - 1)

    return _DIGIT.sub("*", _WORD.sub(word, value))


def mask_date(value: str) -> str:
    parsed = parse_date(value)
    if parsed is not None:
        return f"{parsed.year:04d}-**-**"
    return _ALNUM.sub("*", value)


def mask_identifier(value: str) -> str:
    text = value.strip()
    if len(text) <= 4:
        return "*" * len(text)
    head = text[0] if text[0].isalpha() else "*"
    middle = "".join("*" if ch.isalnum() else ch for ch in text[1:-2])
    return head + middle + text[-2:]


def mask_email(value: str) -> str:
    local, _, domain = value.strip().partition("@")
    if not domain:
        return mask_text(value)
    labels = domain.split(".")
    masked_domain = ".".join(["*" * len(lbl) for lbl in labels[:-1]] + [labels[-1]])
    return (local[:1] + "*" * (len(local) - 1)) + "@" + masked_domain


def mask_value(value: str, column_type: str = "") -> str:
    """Mask one cell according to its column type; unknown types get :func:`mask_text`."""
    if not value:
        return ""
    text = value.strip()
    if column_type in DATE_TYPES:
        return mask_date(text)
    if column_type in ID_TYPES:
        return mask_identifier(text)
    if column_type == "email" or ("@" in text and "." in text.partition("@")[2]):
        return mask_email(text)
    return mask_text(text)


def mask_row(row: list[str], column_types: list[str]) -> list[str]:
    types = column_types + [""] * (len(row) - len(column_types))
    return [mask_value(cell, types[i]) for i, cell in enumerate(row)]
