"""Writes the ``r-*`` reader cases of ``tests/matcher/cases/``: header-less files, title lines above
the header, JSON record maps, tabula's cell JSON, XML records and tightly set PDF text, each with
its sidecar.

Everything is synthetic (Faker, seeded).  Run it again after changing a case:

    PYTHONPATH=$PWD .venv/bin/python tests/matcher/make_reader_cases.py
"""

from __future__ import annotations

import io
import json
import random
from datetime import date, timedelta
from pathlib import Path

from tests.matcher import synthetic as syn

CASES = Path(__file__).parent / "cases"
LOCALES = ("es_ES", "pt_PT", "fr_FR", "it_IT", "de_DE")


def _sidecar(name: str, person: bool, why: str) -> None:
    text = f"person_table: {'true' if person else 'false'}\nwhy: >-\n  {why}\n"
    (CASES / f"{name}.expect.yml").write_text(text, encoding="utf-8")


def _write(name: str, data: bytes, person: bool, why: str) -> None:
    (CASES / name).write_bytes(data)
    _sidecar(name, person, why)


def _roster(seed: int) -> list[list[str]]:
    """``"LAST, First",1987-03-02,Honduras,<facility>``: a raw database export, no header."""
    return [[f"{p.family.upper()}, {p.given}", p.dob.isoformat(), syn.country(p, "en"), p.facility]
            for p in syn.people(24, seed, locales=LOCALES, own_share=0.2)]


def _deputies(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    jobs = ["JURISTA", "ECONOMISTA", "PROFESSOR", "ENGENHEIRO", "MEDICO", "GESTOR"]
    return [[str(9000 + i), p.full, p.dob.strftime("%d-%m-%Y"), rng.choice(jobs)]
            for i, p in enumerate(syn.people(30, seed, locales=("pt_PT", "pt_BR"), own_share=0.0))]


def _semicolon(seed: int) -> list[list[str]]:
    return [[p.full, p.dob.strftime("%d/%m/%Y"), syn.country(p, "fr"), p.facility]
            for p in syn.people(20, seed, locales=("fr_FR", "es_ES"), own_share=0.0)]


def _staff_header() -> list[str]:
    return ["Employee", "Born", "Personal email", "Home address"]


def _staff(seed: int) -> list[list[str]]:
    return [[p.full, p.dob.isoformat(), p.email, p.address] for p in syn.people(18, seed, locales=LOCALES)]


def _time_series(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    start = date(2021, 1, 1)
    return [[(start + timedelta(days=i)).isoformat(), str(rng.randrange(20, 60)), f"{rng.uniform(0, 5):.2f}"]
            for i in range(60)]


def _coded_microdata(seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    return [[f"A1{rng.randrange(1, 5)}", str(rng.randrange(6, 60)), f"A3{rng.randrange(0, 5)}",
             str(rng.randrange(19, 75)), rng.choice(["A91", "A92", "A93"]), str(rng.randrange(1, 3))]
            for _ in range(40)]


def _tabula(seed: int) -> bytes:
    """tabula-java's JSON: a list of tables (one per page), ``data`` rows of cell objects."""
    grid = [[f"{p.family.upper()}, {p.given}", p.address, syn.country(p, "es"), "AFIRMATIVO"]
            for p in syn.people(24, seed, locales=("es_AR", "es_ES"), own_share=0.0)]
    pages = []
    for page, rows in enumerate((grid[:12], grid[12:]), start=1):
        data = [[{"top": 280.0 + 16 * i, "left": 28.5 + 180 * j, "width": 170.0, "height": 4.5, "text": cell}
                 for j, cell in enumerate(row)] for i, row in enumerate(rows)]
        pages.append({"extraction_method": "stream", "page_number": page, "top": 269.8, "left": 12.7,
                      "width": 548.2, "height": 520.6, "data": data})
    return json.dumps(pages, ensure_ascii=False).encode()


def _keyed_by_id(seed: int) -> bytes:
    rng = random.Random(seed)
    records = {}
    for p in syn.people(25, seed, locales=("pt_PT", "it_IT"), own_share=0.0):
        key = str(rng.randrange(100, 99999))
        records[key] = {"id": int(key), "name": p.full, "birthdate": p.dob.strftime("%d-%m-%Y"),
                        "party": rng.choice(["PSD", "PS", "CDS", "BE"]), "jobs": ["VOGAL", "JURISTA"],
                        "mandates": [{"legislature": 6, "start_date": "1991-11-04"}]}
    return json.dumps(records, ensure_ascii=False, indent=1).encode()


def _xml_records(seed: int) -> bytes:
    """An XML export: namespaced record elements with an id attribute and a nested address."""
    people = syn.people(20, seed, locales=("nl_NL", "de_DE"), own_share=0.0)
    records = "".join(
        f'<inschrijving nr="{100 + i}"><naam>{p.full}</naam><geboortedatum>{p.dob.isoformat()}</geboortedatum>'
        f"<adres><straat>{p.address}</straat><land>{syn.country(p, 'en')}</land></adres></inschrijving>"
        for i, p in enumerate(people))
    doc = (f'<?xml version="1.0" encoding="UTF-8"?><export xmlns="urn:example:register">'
           f"<kop><titel>Register</titel></kop><inschrijvingen>{records}</inschrijvingen></export>")
    return doc.encode()


def _tight_pdf(seed: int) -> bytes:
    """Small print set word by word, without space characters, the gaps narrower than pdfplumber's
    default 3-point word gap (the way some report generators place text)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    size = 6.0
    gap = 0.28 * size

    def words(x: float, y: float, text: str) -> None:
        for word in text.split():
            c.drawString(x, y, word)
            x += stringWidth(word, "Helvetica", size) + gap

    rng = random.Random(seed)
    titles = ["DISTRICT DIRECTOR", "STAFF ASSISTANT", "LEGISLATIVE CORRESPONDENT", "FIELD REPRESENTATIVE"]
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=letter)
    c.setFont("Helvetica", size)
    y = 700.0
    for x, text in ((60, "PAYEE NAME"), (220, "POSITION"), (420, "AMOUNT ($)")):
        words(x, y, text)
    for p in syn.people(16, seed, locales=("en_US",), own_share=0.0):
        y -= 9
        words(60, y, syn.fold(f"{p.family.upper()}, {p.given.upper()} {rng.choice('ABCDEJKLMRS')}"))
        words(220, y, rng.choice(titles))
        words(420, y, f"{rng.randrange(400, 40000):,}.{rng.randrange(0, 99):02d}")
    c.save()
    return out.getvalue()


def main() -> None:
    CASES.mkdir(exist_ok=True)
    _write("r-headerless-roster.csv", syn.to_csv(_roster(201)), True,
           "header-less CSV export: \"LAST, First\", birth date, country, facility from row 1")
    _write("r-headerless-pipe.txt", syn.to_csv(_deputies(202), delimiter="|"), True,
           "header-less pipe-separated file: id, full name, DD-MM-YYYY birth date, profession")
    _write("r-headerless-semicolon-latin1.csv", syn.to_csv(_semicolon(203), ";", "latin-1"), True,
           "header-less semicolon CSV in latin-1: full name, DD/MM/YYYY birth date, nationality, facility")
    _write("r-headerless-sheet.xlsx", syn.to_xlsx([("Hoja1", _roster(204), "visible")]), True,
           "header-less XLSX sheet: the first row is already a person")
    _write("r-headerless-sheet.ods", syn.to_ods([("Folha1", _deputies(212), False)]), True,
           "header-less ODS sheet: id, full name, DD-MM-YYYY birth date, profession from row 1")
    _write("r-title-lines.csv", syn.to_csv([_staff_header(), *_staff(205)],
                                           title=["City of Example - Payroll disclosure", "Calendar Year - 2024"]),
           True, "two report-title lines above the real header in a CSV")
    _write("r-title-lines.xlsx", syn.to_xlsx([("Report", [["City of Example - Payroll disclosure"],
                                                          ["Calendar Year - 2024"], _staff_header(),
                                                          *_staff(206)], "visible")]),
           True, "two report-title lines above the real header in an XLSX sheet")
    _write("r-keyed-by-id.json", _keyed_by_id(207), True,
           "JSON object keyed by id, one record per person (name, birth date, party, nested lists)")
    _write("r-tabula-cells.json", _tabula(208), True,
           "tabula's JSON: a list of page tables whose rows are cell objects {top, left, text}")
    _write("r-tight-words.pdf", _tight_pdf(209), True,
           "6-point PDF text whose word spaces are narrower than pdfplumber's default word gap")
    _write("r-records.xml", _xml_records(213), True,
           "XML export: repeated record elements (attribute id, name, birth date, nested address)")
    _write("r-headerless-timeseries.csv", syn.to_csv(_time_series(210)), False,
           "hard negative: header-less numeric time series (date, count, rate)")
    _write("r-headerless-codes.csv", syn.to_csv(_coded_microdata(211)), False,
           "hard negative: header-less coded microdata (A11, A34 … codes, ages), no identifier")


if __name__ == "__main__":
    main()
