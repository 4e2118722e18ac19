"""Column typing: the multilingual header lexicon and the value validators."""

from __future__ import annotations

from datetime import date

import pytest

from matcher import validators as v
from matcher.columns import type_column
from matcher.lexicon import is_aggregate_header, match_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("DOB", "birth_date"), ("Date of Birth", "birth_date"), ("Birth date", "birth_date"),
        ("Fecha de nacimiento", "birth_date"), ("Date de naissance", "birth_date"),
        ("Data de nascimento", "birth_date"), ("Date of Brith", "birth_date"), ("FechaNacimiento", "birth_date"),
        ("FNAME", "given_name"), ("Prénom", "given_name"), ("Primeiro nome", "given_name"),
        ("LAST_NAME", "family_name"), ("Apellido Paterno", "family_name"), ("Sobrenome", "family_name"),
        ("COC", "nationality"), ("Nacionalidad", "nationality"), ("Nationalité", "nationality"),
        ("A_NUM", "gov_id"), ("Número de pasaporte", "gov_id"), ("SSN", "gov_id"), ("CPF", "gov_id"),
        ("E-mail", "email"), ("Courriel", "email"), ("Telefone", "phone"), ("Dirección", "address"),
        ("Detention Facility", "location_detention"), ("Case Number", "case_id"), ("Expediente", "case_id"),
        ("Sexo", "sex"), ("Edad", "age"), ("Immigration Status", "sensitive_category"),
    ],
)
def test_header_lexicon(header, expected):
    match = match_header(header)
    assert match is not None and match.type == expected


@pytest.mark.parametrize("header", ["Total", "Count", "Rate per 100k", "% of total", "FY2021 share", "Tasa",
                                    "Nombre de personnes", "Porcentaje"])
def test_aggregate_headers(header):
    assert is_aggregate_header(header)


@pytest.mark.parametrize("header", ["Job", "Colour", "Notes"])
def test_unrelated_headers_do_not_match(header):
    assert match_header(header) is None


def test_dates_in_many_formats():
    for text in ["1987-03-14", "03/14/1987", "14/03/1987", "14.03.1987", "March 14, 1987", "14 de marzo de 1987",
                 "14 mars 1987", "14 de março de 1987", "1987-03-14 00:00:00"]:
        assert v.parse_date(text) == date(1987, 3, 14), text
    assert v.parse_date("1987") is None
    assert v.parse_date("31/31/1987") is None


def test_identifier_validators():
    assert v.is_ssn("123-45-6789")
    assert not v.is_ssn("000-45-6789") and not v.is_ssn("666-45-6789") and not v.is_ssn("900-45-6789")
    assert v.is_a_number("A123456789") and v.is_a_number("123456789", header_says_so=True)
    assert not v.is_a_number("123456789")
    assert v.is_cpf("529.982.247-25") and not v.is_cpf("529.982.247-26")
    assert v.is_dni_nie("12345678Z") and not v.is_dni_nie("12345678A")
    assert v.is_email("ana.silva@gmail.com") and v.is_personal_email("ana.silva@gmail.com")
    assert not v.is_personal_email("ana.silva@agency.gov")
    assert v.is_phone("(202) 555-0143") and v.is_phone("+33 6 12 34 56 78")
    assert not v.is_phone("0.120564344") and not v.is_phone("1051030902")


def test_name_shapes():
    assert v.is_full_name("Maria Hernandez") and v.is_full_name("HERNANDEZ, Maria")
    assert v.is_full_name("F. Davis") and v.is_full_name("José da Silva")
    assert v.name_tokens("Deputy Sheriff Ann Smith") == ["Ann", "Smith"]
    assert v.name_tokens("Nickname (Ann Smith)") == ["Ann", "Smith"]
    assert not v.is_full_name("Millbrook Police Department")
    assert not v.is_full_name("Secretary of Transportation")
    assert not v.is_full_name("12 Main St")


def test_header_alone_does_not_type_a_column():
    ev = type_column(0, "Name", ["Steel Desk", "Office Chair", "Filing Cabinet", "Desk Lamp"])
    assert ev.type != "person_name"


def test_values_alone_type_unmistakable_formats():
    cpfs = ["529.982.247-25", "111.444.777-35", "390.533.447-05"]  # valid check digits
    assert type_column(0, "column 1", cpfs).type == "gov_id"
    assert type_column(0, "contact", ["a.b@gmail.com", "c.d@yahoo.com", "e@hotmail.com"]).type == "email"


def test_age_bands_are_not_ages():
    ev = type_column(0, "age", ["12-17", "18-24", "25-34", "65+"])
    assert ev.type == "" and ev.age_band_ratio == 1.0


def test_birth_dates_need_the_header_or_a_generic_column():
    dates = ["1961-02-09", "1975-11-07", "1982-04-04", "1990-06-30", "1958-01-01"]
    assert type_column(0, "DOB", dates).type == "birth_date"
    assert type_column(0, "column 2", dates).type == "birth_date"
    assert type_column(0, "start_date", dates).type == "date"


def test_surnames_that_are_also_organisation_words():
    assert v.is_full_name("Joep Post") and v.is_full_name("Mary Church") and v.is_single_name("BANK")
    assert not v.is_full_name("First National Bank") and v.is_organisation("First National Bank")
    assert v.is_organisation("Smith Legal Services") and not v.is_organisation("Anna Law")


def test_ssn_shapes_need_the_header():
    # a dashed 123-45-6789 alone may be an invoice number: only a header (or a check digit) makes it an ID
    shaped = ["123-45-6789", "234-56-7890", "345-67-8901"]
    assert type_column(0, "column 1", shaped).type == ""
    assert type_column(0, "SSN", shaped).type == "gov_id"
    assert type_column(0, "Invoice SSN-format number", shaped).type != "gov_id"


def test_sequential_numbers_are_not_ids():
    counter = [f"A{12345600 + i}" for i in range(20)]
    assert type_column(0, "A-Number", counter).type != "gov_id"
