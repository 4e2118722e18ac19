"""Writes the ``d-*`` decision cases of ``tests/matcher/cases/``: one small synthetic table per class
of issue 20 (exports, names in every written form and language, animals, works, places,
organisations, aggregates, ID numbers), each with its sidecar ``.expect.yml``.

Everything is synthetic (Faker, seeded; hand-written word lists).  Run it again after changing a
case; ``--seed-offset N --out DIR`` writes the same cases with other seeds (other names and
values, same shapes), which ``bench/detection.py --seeds N`` uses to check that the decision does
not hang on the values of one draw:

    PYTHONPATH=$PWD .venv/bin/python tests/matcher/make_decision_cases.py
"""

# ruff: noqa: E501, E702, B007

from __future__ import annotations

import argparse
import csv
import io
import json
import random
from pathlib import Path

import openpyxl
from faker import Faker

CASES = Path(__file__).parent / "cases"


def fk(locale: str, seed: int) -> Faker:
    faker = Faker(locale)
    faker.seed_instance(seed)
    return faker


def write_csv(out: Path, name: str, rows: list[list[str]], delimiter: str = ",") -> None:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
    (out / name).write_text(buf.getvalue(), encoding="utf-8")


def expect(out: Path, name: str, person: bool, why: str, severity: str | None = None,
           entity: str | None = None) -> None:
    lines = [f"person_table: {'true' if person else 'false'}"]
    if severity:
        lines.append(f"severity: {severity}")
    if entity:
        lines.append(f"entity: {entity}")
    lines.append(f"why: {json.dumps(why, ensure_ascii=False)}")
    (out / (name + ".expect.yml")).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _forms_and_classes(out: Path, off: int) -> None:
    rng = random.Random(20 + off)
    # --- HR export, terse headers, few rows
    f = fk("en_US", 1 + off)
    rows = [["EMPLOYEE_ID", "FIRST_NAME", "LAST_NAME", "EMAIL", "PHONE_NUMBER", "HIRE_DATE", "SALARY"]]
    for i in range(6):
        g, fam = f.first_name(), f.last_name()
        rows.append([str(100 + i), g, fam, (g[0] + fam).upper()[:8], f"515.123.{4567 + i * 11}", f"{2003 + i}-0{1 + i}-17", str(rng.randrange(4000, 24000))])
    write_csv(out, "d-hr-export.csv", rows); expect(out, "d-hr-export.csv", True, "classic HR export of a few rows: FIRST_NAME/LAST_NAME with phone numbers", "high", "person")

    # --- CRM export
    f = fk("en_GB", 2 + off)
    rows = [["Surname", "First name", "Primary email", "Company", "Job title", "Lead source"]]
    for i in range(8):
        g, fam = f.first_name(), f.last_name()
        rows.append([fam, g, f"{g.lower()}.{fam.lower()}@{rng.choice(['gmail.com','yahoo.co.uk','outlook.com'])}", f.company(), f.job(), rng.choice(["Web", "Event", "Referral"])])
    write_csv(out, "d-crm-export.csv", rows); expect(out, "d-crm-export.csv", True, "CRM contact export: Surname / First name / Primary email (personal addresses)", "high", "person")

    # --- course roster
    f = fk("en_US", 3 + off)
    rows = [["Student ID", "Surname", "First name", "Primary email", "Section", "Grade"]]
    for i in range(12):
        g, fam = f.first_name(), f.last_name()
        rows.append([f"S{2024000 + rng.randrange(1000, 9999)}", fam, g, f"{g.lower()}{rng.randrange(10,99)}@gmail.com", rng.choice(["A", "B"]), rng.choice(["A", "B+", "C", "B"])])
    write_csv(out, "d-course-roster.csv", rows); expect(out, "d-course-roster.csv", True, "course roster: Student ID, Surname, First name, Primary email", "high", "person")

    # --- names in every written form
    f = fk("es_MX", 4 + off)
    people = [(f.first_name(), f.last_name(), f.last_name()) for _ in range(15)]
    write_csv(out, "d-names-upper-comma.csv", [["DETENIDO", "NACIONALIDAD", "FECHA DE NACIMIENTO"]] + [[f"{a.upper()} {b.upper()}, {g.upper()}", "Honduras", f"19{rng.randrange(60,99)}-0{rng.randrange(1,9)}-1{rng.randrange(0,9)}"] for g, a, b in people])
    expect(out, "d-names-upper-comma.csv", True, "UPPER CASE 'SURNAME SURNAME2, GIVEN' with nationality and birth date", "high", "person")
    write_csv(out, "d-names-lower.csv", [["name", "age", "city"]] + [[f"{g.lower()} {a.lower()}", str(rng.randrange(19, 70)), f.city()] for g, a, b in people])
    expect(out, "d-names-lower.csv", True, "all lower-case names (listed given names make them names) with ages", "medium", "person")
    write_csv(out, "d-names-surname-given.csv", [["Nombre completo", "Sexo", "Edad"]] + [[f"{a} {b} {g}", rng.choice("HM"), str(rng.randrange(20, 80))] for g, a, b in people])
    expect(out, "d-names-surname-given.csv", True, "'Surname Surname2 Given' without a comma (compound Hispanic surnames)", "medium", "person")
    write_csv(out, "d-names-nombres-apellidos.csv", [["nombres", "apellidos", "fecha_nacimiento"]] + [[g + (" " + f.first_name() if i % 2 else ""), f"{a} {b}", f"0{rng.randrange(1,9)}/1{rng.randrange(0,2)}/19{rng.randrange(50,99)}"] for i, (g, a, b) in enumerate(people)])
    expect(out, "d-names-nombres-apellidos.csv", True, "plural Spanish headers nombres/apellidos with compound surnames", "high", "person")
    nick = [(g, a) for g, a, _ in people[:10]]
    write_csv(out, "d-names-nicknames.csv", [["Member", "Phone"]] + [[f'{g} "{g[:3]}" {a}', f"+52 55 {rng.randrange(1000,9999)} {rng.randrange(1000,9999)}"] for g, a in nick])
    expect(out, "d-names-nicknames.csv", True, "names with quoted nicknames and personal phone numbers", "high", "person")
    f = fk("fr_FR", 5 + off)
    write_csv(out, "d-names-fr.csv", [["Nom", "Prénom", "Date de naissance", "Ville"]] + [[f.last_name().upper(), f.first_name(), f"{rng.randrange(10,28)}/0{rng.randrange(1,9)}/19{rng.randrange(50,99)}", f.city()] for _ in range(10)], ";")
    expect(out, "d-names-fr.csv", True, "French Nom (UPPER) / Prénom, semicolon-separated, birth dates", "high", "person")
    f = fk("it_IT", 6 + off)
    write_csv(out, "d-names-it.csv", [["Cognome", "Nome", "Data di nascita", "Comune"]] + [[f.last_name(), f.first_name(), f"{rng.randrange(10,28)}/0{rng.randrange(1,9)}/19{rng.randrange(50,99)}", f.city()] for _ in range(10)])
    expect(out, "d-names-it.csv", True, "Italian Cognome / Nome with data di nascita", "high", "person")
    f = fk("de_DE", 7 + off)
    write_csv(out, "d-names-de.csv", [["Nachname", "Vorname", "Geburtsdatum", "Wohnort"]] + [[f.last_name(), f.first_name(), f"{rng.randrange(10,28)}.0{rng.randrange(1,9)}.19{rng.randrange(50,99)}", f.city()] for _ in range(10)], ";")
    expect(out, "d-names-de.csv", True, "German Nachname / Vorname with Geburtsdatum", "high", "person")
    f = fk("pt_BR", 8 + off)
    write_csv(out, "d-names-pt.csv", [["nome", "sobrenome", "idade", "sexo"]] + [[f.first_name(), f"{f.last_name()} {f.last_name()}", str(rng.randrange(18, 90)), rng.choice("MF")] for _ in range(10)])
    expect(out, "d-names-pt.csv", True, "Portuguese nome / sobrenome (compound surnames) with idade and sexo", "medium", "person")
    parts = [("Anna", "van der Berg"), ("Pieter", "de Vries"), ("María", "de la Cruz"), ("Ahmad", "bin Yusof"), ("Jan", "van den Heuvel"),
             ("Luis", "del Castillo"), ("Sara", "dos Santos"), ("Karim", "el Amrani"), ("Lotte", "ter Horst"), ("Paolo", "di Stefano")]
    write_csv(out, "d-names-particles.csv", [["Full name", "Date of birth"]] + [[f"{g} {s}", f"19{rng.randrange(50,99)}-0{rng.randrange(1,9)}-2{rng.randrange(0,8)}"] for g, s in parts])
    expect(out, "d-names-particles.csv", True, "surname particles (van der, de la, bin, dos, ter) with birth dates", "high", "person")

    # --- negatives: rows describe something else
    dogs = ["Bella", "Max", "Luna", "Charlie", "Lucy", "Cooper", "Daisy", "Milo", "Rosie", "Teddy", "Ruby", "Oscar"]
    breeds = ["Labrador Retriever", "Beagle", "Poodle", "Dachshund", "Boxer", "Shih Tzu"]
    write_csv(out, "d-dogs.csv", [["Name", "Species", "Breed", "Sex", "Birth year", "Owner ZIP"]] + [[d, "Dog", rng.choice(breeds), rng.choice("MF"), str(rng.randrange(2008, 2023)), str(rng.randrange(10001, 11999))] for d in dogs])
    expect(out, "d-dogs.csv", False, "pets with names, sex and birth years: the species/breed columns say the rows are animals", None, "animal")
    (out / "d-dogs.json").write_text(json.dumps([{"pet_name": d.upper(), "breed": rng.choice(breeds), "gender": rng.choice("MF"), "born": rng.randrange(2008, 2023)} for d in dogs], indent=1), encoding="utf-8")
    expect(out, "d-dogs.json", False, "JSON dog licences (upper-case pet names, breed)", None, "animal")
    f = fk("en_US", 9 + off)
    arts = [["Title", "Artist", "Medium", "Year", "Dimensions", "Accession number"]]
    for i in range(12):
        arts.append([f"{f.word().title()} {rng.choice(['Study', 'Landscape', 'Portrait', 'Composition'])}", f"{f.last_name()}, {f.first_name()}", rng.choice(["Oil on canvas", "Ink on paper", "Bronze", "Etching"]), str(rng.randrange(1850, 2000)), f"{rng.randrange(20,200)} x {rng.randrange(20,200)} cm", f"T{rng.randrange(10000, 99999)}"])
    write_csv(out, "d-artworks.csv", arts); expect(out, "d-artworks.csv", False, "museum catalogue: each row an artwork; the artist is an attribute", None, "work")
    books = [["ISBN", "Title", "Author", "Publisher", "Publication year"]]
    for i in range(12):
        books.append([f"978{rng.randrange(1000000000, 9999999999)}", f.sentence(nb_words=4).rstrip("."), f.name(), f"{f.last_name()} {rng.choice(['Press', 'Books', 'Verlag'])}", str(rng.randrange(1950, 2024))])
    html = "<html><body><table>" + "".join("<tr>" + "".join(f"<{'th' if i == 0 else 'td'}>{c}</{'th' if i == 0 else 'td'}>" for c in r) + "</tr>" for i, r in enumerate(books)) + "</table></body></html>"
    (out / "d-books.html").write_text(html, encoding="utf-8")
    expect(out, "d-books.html", False, "HTML book catalogue (ISBN, author): rows describe books", None, "work")
    letters = [["Date", "Sender", "Recipient", "Place", "Archive", "Call number"]]
    for i in range(12):
        letters.append([f"{rng.randrange(1,28)} {rng.choice(['March', 'May', 'June'])} 16{rng.randrange(30, 80)}", f.name(), f.name(), f.city(), f"{f.last_name()} Library", f"MS {rng.randrange(100, 999)} f. {rng.randrange(1, 300)}r"])
    write_csv(out, "d-letters.csv", letters); expect(out, "d-letters.csv", False, "archival catalogue of letters: sender/recipient are attributes of each letter", None, "work")
    f = fk("es_ES", 10 + off)
    streets = [["Nombre de la calle", "Distrito", "Longitud (m)", "Tipo"]]
    for i in range(15):
        streets.append([f"{rng.choice(['Calle', 'Avenida', 'Jirón', 'Pasaje'])} {f.first_name()} {f.last_name()}", f.city(), str(rng.randrange(80, 3000)), rng.choice(["residencial", "primaria"])])
    write_csv(out, "d-streets.csv", streets); expect(out, "d-streets.csv", False, "streets named after people", None, "place")
    schools = [["School", "Address", "Phone", "Enrolment"]]
    f = fk("en_US", 11 + off)
    for i in range(10):
        schools.append([f"{f.first_name()} {f.last_name()} {rng.choice(['Elementary School', 'Middle School', 'High School', 'Academy'])}", f.street_address(), f"(555) {rng.randrange(200,999)}-{rng.randrange(1000,9999)}", str(rng.randrange(200, 1500))])
    write_csv(out, "d-schools.csv", schools); expect(out, "d-schools.csv", False, "schools named after people, with addresses and phones", None)
    wb = openpyxl.Workbook(); ws = wb.active; ws.title = "Register"
    ws.append(["Company", "Legal form", "Founded", "CEO", "Headquarters"])
    for i in range(10):
        ws.append([f"{f.last_name()} {rng.choice(['Logistics', 'Foods', 'Textiles', 'Media'])}", rng.choice(["LLC", "Inc.", "GmbH", "S.A."]), str(rng.randrange(1950, 2020)), f.name(), f.street_address()])
    wb.save(out / "d-company-register.xlsx"); expect(out, "d-company-register.xlsx", False, "company register with a CEO column: rows describe companies", None, "organisation")
    parties = ["MOVIMIENTO UNIDAD NACIONAL", "PARTIDO SOCIAL DEMOCRATA", "ALIANZA POPULAR", "FRENTE AMPLIO CIUDADANO"]
    rows = [["Provincia", "Parroquia", "Nombre_Completo", "Votos", "Porcentaje"]]
    for p in range(12):
        for party in parties:
            rows.append([rng.choice(["NORTE", "SUR"]), f"PARROQUIA {p + 1}", party, str(rng.randrange(0, 900)), f"{rng.random() * 50:.1f}"])
    write_csv(out, "d-party-list.csv", rows); expect(out, "d-party-list.csv", False, "party list names in a Nombre_Completo column, repeated per parish, with votes", None)
    f = fk("es_MX", 12 + off)
    rows = [["nombre", "frecuencia", "edad_media"]] + [[f.first_name().upper(), str(rng.randrange(200, 9000)), f"{rng.uniform(20, 60):.2f}"] for _ in range(20)]
    write_csv(out, "d-first-name-frequency.csv", rows); expect(out, "d-first-name-frequency.csv", False, "first-name frequency table with mean age and counts (an aggregate)", None)
    rows = [["Invoice no", "Date", "Customer ID", "Amount"]]
    for i in range(15):
        rows.append([f"{rng.randrange(100, 899)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}", f"2024-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}", f"C{rng.randrange(1000, 9999)}", f"{rng.uniform(10, 900):.2f}"])
    write_csv(out, "d-invoices-ssn-shaped.csv", rows); expect(out, "d-invoices-ssn-shaped.csv", False, "invoice numbers shaped like SSNs, no names: not government IDs, no finding")
    rows = [["column_a", "column_b", "column_c"]] + [[f"{100 + i:03d}-{20 + i}-{4000 + i}", f"2024-03-{10 + i}", f"{rng.uniform(10, 900):.2f}"] for i in range(12)]
    write_csv(out, "d-sequential-ssn-shapes.csv", rows); expect(out, "d-sequential-ssn-shapes.csv", False, "sequential SSN-shaped numbers without a header: a counter, not IDs")
    monuments = [["Monument", "Honours", "Year erected", "Material", "Location"]]
    f = fk("en_GB", 13 + off)
    for i in range(10):
        monuments.append([f"Statue of {f.name()}", f.name(), str(rng.randrange(1850, 2000)), rng.choice(["bronze", "marble", "granite"]), f.city()])
    write_csv(out, "d-monuments.csv", monuments); expect(out, "d-monuments.csv", False, "monuments named after people", None)

    # --- gov IDs with check digits
    f = fk("es_ES", 14 + off)
    rows = [["Nombre", "Apellidos", "DNI", "Nacionalidad"]] + [[f.first_name(), f"{f.last_name()} {f.last_name()}", f.nif(), "España"] for _ in range(8)]
    write_csv(out, "d-dni-roster.csv", rows); expect(out, "d-dni-roster.csv", True, "names with Spanish DNI numbers (check letter valid)", "critical", "person")
    f = fk("it_IT", 15 + off)
    rows = [["column 1", "column 2"]]
    rows = [[f.name(), f.ssn()] for _ in range(8)]
    write_csv(out, "d-codice-fiscale-headerless.csv", [["Persona", "CF"]] + rows); expect(out, "d-codice-fiscale-headerless.csv", True, "names with Italian codici fiscali recognised by their check character, under an uninformative header", "critical", "person")


def _catalogues_and_animals(out: Path, off: int) -> None:
    rng = random.Random(21 + off)
    f = fk("en_US", 30 + off)
    rows = [["Accession number", "Title", "Artist", "Artist gender", "Artist born", "Date made", "Medium", "Dimensions", "Credit line", "Acquisition year"]]
    for i in range(14):
        rows.append([f"{rng.choice('NPT')}{rng.randrange(1000, 9999)}", f"{f.word().title()} {rng.choice(['I', 'II', 'at Dusk', 'with Figures'])}",
                     f"{f.first_name()} {f.last_name()}", rng.choice(["Male", "Female"]), str(rng.randrange(1820, 1960)), str(rng.randrange(1850, 2000)),
                     rng.choice(["Oil paint on canvas", "Graphite on paper", "Bronze", "Screenprint"]), f"{rng.randrange(20, 200)} x {rng.randrange(20, 200)} mm",
                     rng.choice(["Purchased", "Presented by the artist", "Bequeathed"]) + f" {rng.randrange(1900, 2020)}", str(rng.randrange(1900, 2020))])
    write_csv(out, "d-museum-catalogue.csv", rows)
    expect(out, "d-museum-catalogue.csv", False, "museum collection export: artists have names, genders and birth years, but each row is an artwork (medium, credit line, acquisition)", None, "work")
    names = ["Biscuit", "Pepper", "Shadow", "Mochi", "Hazel", "Bruno", "Nala", "Ziggy", "Olive", "Rocco", "Willow", "Juniper", "Bandit", "Clover"]
    rows = [["Animal ID", "Animal Name", "Animal Type", "Breed", "Sex upon Intake", "Date of Birth", "Intake Date", "Intake Condition"]]
    for i, n in enumerate(names):
        rows.append([f"A{700000 + rng.randrange(1000, 99999)}", n.upper() if i % 3 == 0 else n, rng.choice(["Dog", "Cat"]), rng.choice(["Domestic Shorthair", "Pit Bull Mix", "Labrador Retriever Mix", "Siamese"]),
                     rng.choice(["Intact Male", "Spayed Female", "Neutered Male"]), f"20{rng.randrange(10, 23)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}", f"2024-0{rng.randrange(1, 9)}-2{rng.randrange(0, 8)}", rng.choice(["Normal", "Injured", "Sick"])])
    write_csv(out, "d-animal-shelter.csv", rows)
    expect(out, "d-animal-shelter.csv", False, "animal shelter intakes: animal names, sex, date of birth; the animal type and breed say the rows are animals", None, "animal")
    f = fk("es_ES", 31 + off)
    rows = [["osm_id", "name", "highway", "surface", "oneway", "lanes", "maxspeed"]]
    for i in range(20):
        kind = rng.choice(["Calle", "Avenida", "Jirón", "Pasaje", "Paseo"])
        rows.append([str(rng.randrange(10**8, 10**9)), f"{kind} {f.first_name_female()} {f.last_name()}", rng.choice(["residential", "primary", "secondary"]),
                     rng.choice(["asphalt", "paved", ""]), rng.choice(["yes", "no"]), str(rng.randrange(1, 4)), rng.choice(["30", "50", ""])])
    write_csv(out, "d-osm-streets.csv", rows)
    expect(out, "d-osm-streets.csv", False, "OpenStreetMap street export: streets named after women (a street word first), highway tags", None, "place")


def _hard_cases(out: Path, off: int) -> None:
    rng = random.Random(22 + off)
    f = fk("en_US", 40 + off)
    def phone() -> str:
        return f"({rng.randrange(201, 989)}) 555-{rng.randrange(1000, 9999)}"
    write_csv(out, "d-pet-owners.csv", [["Owner name", "Home address", "Phone", "Pet name", "Breed"]] + [[f.name(), f.street_address(), phone(), f.first_name(), rng.choice(["Beagle", "Boxer", "Poodle"])] for _ in range(10)])
    expect(out, "d-pet-owners.csv", True, "pet licences that also name the owners with home addresses and phones: the owners' contact details are personal data", "high", "person")
    write_csv(out, "d-library-loans.csv", [["Borrower", "Book title", "ISBN", "Due date"]] + [[f.name(), f.catch_phrase(), f"978{rng.randrange(10**9, 10**10)}", f"2024-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"] for _ in range(10)])
    expect(out, "d-library-loans.csv", True, "library loans: book columns, but each row names a borrower (a role people play)", None, "person")
    write_csv(out, "d-b2b-contacts.csv", [["Company", "Contact name", "Email", "Mobile"]] + [[f.company(), f.name(), f"{f.user_name()}@gmail.com", phone()] for _ in range(10)])
    expect(out, "d-b2b-contacts.csv", True, "company column first, but the rows hold named contacts with personal emails and mobiles", "high", "person")
    names = [f.name() for _ in range(5)]
    write_csv(out, "d-payroll-monthly.csv", [["Employee", "Month", "Gross pay"]] + [[n, f"2024-{m:02d}", str(rng.randrange(2000, 5000))] for n in names for m in range(1, 13)])
    expect(out, "d-payroll-monthly.csv", True, "monthly payroll: the same five employees on twelve rows each (names repeat, still people)", None, "person")
    colours = [("dusty rose", "red"), ("pale violet", "purple"), ("olive green", "green"), ("ruby red", "red"), ("amber glow", "orange"), ("jade mist", "green"), ("ivy leaf", "green"), ("hazel brown", "brown"), ("daisy white", "white"), ("holly berry", "red")]
    write_csv(out, "d-paint-colours.csv", [["name", "hex", "family"]] + [[c, f"#{rng.randrange(16**6):06x}", fam] for c, fam in colours])
    expect(out, "d-paint-colours.csv", False, "lower-case colour names that contain given names (rose, violet, ruby): lower case needs every word to be a listed name")
    write_csv(out, "d-vessels.csv", [["Vessel", "Flag", "Gross tonnage", "Built"]] + [[f"{f.first_name()} {f.last_name()}", rng.choice(["Panama", "Liberia", "Malta"]), str(rng.randrange(1000, 90000)), str(rng.randrange(1970, 2020))] for _ in range(10)])
    expect(out, "d-vessels.csv", False, "ships named after people: the header names vessels")
    f = fk("en_US", 50 + off)
    rng = random.Random(50 + off)
    rows = [["Customer", "Invoice no", "Date", "Amount"]] + [[f.name(), f"{rng.randrange(100, 899)}-{rng.randrange(10, 99)}-{rng.randrange(1000, 9999)}", f"2024-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}", f"{rng.uniform(10, 900):.2f}"] for _ in range(12)]
    write_csv(out, "d-invoices-with-customers.csv", rows)
    expect(out, "d-invoices-with-customers.csv", True, "customer names with SSN-shaped invoice numbers: the names make it a list of people, the invoice numbers are not government IDs (not critical)", "low", "person")



def _other_formats(out: Path, off: int) -> None:
    """Decision classes in the other formats the matcher reads (PDF, DOCX, ODS)."""
    from tests.matcher import synthetic as syn

    f = fk("de_DE", 60 + off)
    rng = random.Random(60 + off)
    works = [["Inventarnummer", "Titel", "Künstler", "Medium", "Erwerbung"]] + [[f"G {rng.randrange(1000, 9999)}", f.word().title(), f.name(), rng.choice(["Öl auf Leinwand", "Radierung", "Bronze"]), str(rng.randrange(1900, 2020))] for _ in range(12)]
    (out / "d-artworks-de.pdf").write_bytes(syn.to_pdf(works, title="Sammlung"))
    expect(out, "d-artworks-de.pdf", False, "German collection list in a PDF: each row a work with its medium", None, "work")
    f = fk("fr_FR", 61 + off)
    letters = [["Date", "Expéditeur", "Destinataire", "Fonds", "Cote"]] + [[f"{rng.randrange(1, 28)}/0{rng.randrange(1, 9)}/17{rng.randrange(10, 99)}", f.name(), f.name(), f"Fonds {f.last_name()}", f"{rng.randrange(1, 99)} J {rng.randrange(1, 500)}"] for _ in range(10)]
    (out / "d-letters-fr.docx").write_bytes(syn.to_docx(letters))
    expect(out, "d-letters-fr.docx", False, "French archive inventory of letters in a DOCX table (fonds, cote)", None, "work")
    f = fk("pt_BR", 62 + off)
    roster = [["Nome completo", "Data de nascimento", "CPF", "Município"]] + [[f.name(), f"{rng.randrange(10, 28)}/0{rng.randrange(1, 9)}/19{rng.randrange(50, 99)}", f.cpf(), f.city()] for _ in range(10)]
    (out / "d-roster-pt.ods").write_bytes(syn.to_ods([("Cadastro", roster, False)]))
    expect(out, "d-roster-pt.ods", True, "Portuguese roster in an ODS sheet: full names, birth dates and CPF numbers", "critical", "person")


def _lexicon_and_ids(out: Path, off: int) -> None:
    """Classes recognised by the general lexicon alone (no hand-written word names them), passport
    numbers per issuing country, and A-numbers without a header."""
    rng = random.Random(70 + off)
    f = fk("en_GB", 70 + off)
    horses = [["Horse", "Foaled", "Sex", "Colour", "Owner city"]] + [[f.first_name(), str(rng.randrange(2008, 2021)), rng.choice(["F", "M"]), rng.choice(["Bay", "Chestnut", "Grey"]), f.city()] for _ in range(12)]
    write_csv(out, "d-horses.csv", horses)
    expect(out, "d-horses.csv", False, "a stud book: horses with names, sex and foaling years; 'Horse' is an animal to the general lexicon (WordNet), in no hand-written list", None, "animal")
    prints = [["Etching", "Etcher", "Year", "Plate size"]] + [[f"{f.word().title()} {rng.choice(['I', 'II', 'at Dawn'])}", f.name(), str(rng.randrange(1880, 1990)), f"{rng.randrange(10, 40)} x {rng.randrange(10, 40)} cm"] for _ in range(12)]
    write_csv(out, "d-etchings.csv", prints)
    expect(out, "d-etchings.csv", False, "a print-room list: each row an etching, its etcher named; both words come from the general lexicon", None, "work")
    f = fk("en_US", 71 + off)
    formats = [lambda: f"{rng.randrange(10**8, 10**9)}", lambda: f"{rng.choice('ACEFGH')}{rng.randrange(10**7, 10**8)}", lambda: f"{rng.randrange(10, 99)}{rng.choice(['AB', 'CK', 'FR'])}{rng.randrange(10**4, 10**5)}",
               lambda: f"{rng.choice(['PA', 'XD', 'YB'])}{rng.randrange(10**6, 10**7)}"]
    passports = [["Full name", "Passport No.", "Nationality", "Date of birth"]] + [[f.name(), rng.choice(formats)(), rng.choice(["United States", "France", "Italy", "India"]), f"19{rng.randrange(50, 99)}-0{rng.randrange(1, 9)}-1{rng.randrange(0, 9)}"] for _ in range(10)]
    write_csv(out, "d-passport-roster.csv", passports)
    expect(out, "d-passport-roster.csv", True, "travellers with passport numbers in their countries' formats (US, France, Italy, India): a government ID", "critical", "person")
    f = fk("es_MX", 72 + off)
    roster = [[f"{f.last_name().upper()}, {f.first_name()}", f"A{rng.randrange(10**8, 10**9)}", rng.choice(["Honduras", "Guatemala", "El Salvador", "Mexico"]), f"19{rng.randrange(60, 99)}-{rng.randrange(1, 12):02d}-{rng.randrange(1, 28):02d}"] for _ in range(12)]
    write_csv(out, "d-a-numbers-headerless.csv", roster)
    expect(out, "d-a-numbers-headerless.csv", True, "header-less immigration roster: names, A-numbers (A + 9 digits), nationality, birth date; the A-numbers count as IDs beside names and nationality", "critical", "person")
    f = fk("en_US", 73 + off)
    orders = [[f.name(), f"A{rng.randrange(10**7, 10**8)}", f.city(), f"{rng.uniform(10, 900):.2f}"] for _ in range(12)]
    write_csv(out, "d-a-shaped-order-codes.csv", orders)
    expect(out, "d-a-shaped-order-codes.csv", True, "header-less customer list with A-shaped order codes and cities: no nationality or detention beside them, so the codes are not A-numbers (names only: low)", "low", "person")


def write_cases(out: Path = CASES, off: int = 0) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _forms_and_classes(out, off)
    _catalogues_and_animals(out, off)
    _hard_cases(out, off)
    _other_formats(out, off)
    _lexicon_and_ids(out, off)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=str(CASES), help="folder (default tests/matcher/cases)")
    parser.add_argument("--seed-offset", type=int, default=0, help="added to every seed (0: the committed cases)")
    args = parser.parse_args()
    write_cases(Path(args.out), args.seed_offset)


if __name__ == "__main__":
    main()
