"""Government ID numbers of people: which formats count, and when (docs/architecture.md §4, issue 20 item 5).

An ID-shaped column counts as ``gov_id`` only
- with header evidence (``SSN``, ``A-Number``, ``passport``, ``DNI``…) and values that pass the
  format the header names (SSN area/group/serial rules, A-number shape, passport shape, or any
  national ID format below), or
- without header evidence, when its values pass a *checked* format: a national ID number with a
  check digit that ``python-stdnum`` validates (a random number passes these rarely, see
  :data:`CHECKED_FORMATS`).  A dashed ``123-45-6789`` alone is not enough: invoice and order numbers
  take that shape too.
Sequential numbers (an invoice or row counter) and headers that name invoices, orders or accounts
never count.

Library first: the check-digit rules come from ``python-stdnum`` (maintained, LGPL, pure Python);
the matcher keeps only the US rules stdnum does not cover (A-numbers).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import MappingProxyType

from matcher.lexicon import normalise

# Person-ID formats with a check digit (or date + check) that random digits pass rarely (< 3% of
# random 9–13 digit strings, measured with the module list below).  Module paths under stdnum.
CHECKED_FORMATS: Mapping[str, str] = MappingProxyType({
    "br.cpf": "Brazil CPF", "es.dni": "Spain DNI", "es.nie": "Spain NIE", "mx.curp": "Mexico CURP",
    "it.codicefiscale": "Italy codice fiscale", "fr.nir": "France NIR", "be.nn": "Belgium national number",
    "nl.bsn": "Netherlands BSN", "se.personnummer": "Sweden personnummer", "dk.cpr": "Denmark CPR",
    "fi.hetu": "Finland HETU", "no.fodselsnummer": "Norway fødselsnummer", "ec.ci": "Ecuador cédula",
    "de.idnr": "Germany tax ID", "ca.sin": "Canada SIN", "pl.pesel": "Poland PESEL", "ro.cnp": "Romania CNP",
    "za.idnr": "South Africa ID", "ie.pps": "Ireland PPS", "ch.ssn": "Switzerland AHV", "gr.amka": "Greece AMKA",
    "cn.ric": "China resident ID", "kr.rrn": "Korea RRN", "in_.aadhaar": "India Aadhaar",
})
# Formats that also pass for many random numbers or also number companies: only under an ID header.
HEADER_ONLY_FORMATS: Mapping[str, str] = MappingProxyType({
    "us.ssn": "US SSN", "pt.cc": "Portugal cartão de cidadão", "cl.rut": "Chile RUT", "ar.cuit": "Argentina CUIT",
    "ar.dni": "Argentina DNI", "co.nit": "Colombia NIT", "at.vnr": "Austria social security number",
    "pe.cui": "Peru CUI",
})

# headers that name numbers of things, not of people
_NOT_PERSON_ID = re.compile(r"\b(invoice|order|receipt|transaction|ticket|reference|ref|account|acct|sku|serial|"
                            r"product|item|shipment|tracking|policy|factura|pedido|facture|commande|fattura|"
                            r"rechnung|bestellung)\b")
_ID_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\- /]{5,23}$")
_DIGITS = re.compile(r"\d+")
SAMPLE = 60


@lru_cache(maxsize=64)
def _validator(module: str) -> Callable[[str], bool]:
    return importlib.import_module(f"stdnum.{module}").is_valid  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def names_other_numbers(header: str) -> bool:
    """The header numbers invoices, orders, accounts…: not people's IDs."""
    return bool(_NOT_PERSON_ID.search(normalise(header)))


def is_sequential(values: list[str]) -> bool:
    """Mostly consecutive numbers (a counter): the digits of the sorted values step by 1 or 2."""
    numbers = sorted({int("".join(_DIGITS.findall(x))) for x in values if _DIGITS.search(x)})
    if len(numbers) < 5:
        return False
    steps = [b - a for a, b in zip(numbers, numbers[1:], strict=False)]
    return sum(1 for s in steps if s <= 2) >= 0.8 * len(steps)


def checked_format(values: list[str], formats: Mapping[str, str] = CHECKED_FORMATS,
                   share: float = 0.8) -> tuple[str, Callable[[str], bool] | None]:
    """The name and check of the one format that at least ``share`` of the distinct ``values``
    pass, or ``("", None)``."""
    head = list(dict.fromkeys(x.strip() for x in values if x.strip()))[:SAMPLE]
    shaped = [x for x in head if _ID_SHAPE.match(x) and sum(ch.isdigit() for ch in x) >= 5]
    if len(shaped) < 3 or len(shaped) < share * len(head):
        return "", None
    for module, label in formats.items():
        check = _checker(module)
        if not any(check(x) for x in shaped[:5]):
            continue  # cheap exit: none of the first values pass this format
        if sum(1 for x in shaped if check(x)) >= share * len(head):
            return label, check
    return "", None


@lru_cache(maxsize=64)
def _checker(module: str) -> Callable[[str], bool]:
    validate = _validator(module)

    @lru_cache(maxsize=4096)
    def check(value: str) -> bool:
        return _safe(validate, value.strip())

    return check


def _safe(check: Callable[[str], bool], value: str) -> bool:
    try:
        return bool(check(value))
    except (ValueError, TypeError, IndexError):  # a validator tripping on an odd value: not this format
        return False
