"""Synthetic test corpus: person-level tables and hard negatives in every format the matcher
reads, in several languages.  Everything is generated (Faker, seeded, and the hand-written name
lists below); no real person's data.  Used by the tests and by ``bench/detection.py``.

Names come partly from Faker locales the matcher does *not* use for its name lists (pl_PL, nl_NL,
tr_TR, sv_SE) and from hand-written lists, so detection is exercised on name shape and headers,
not on list lookups alone.
"""

from __future__ import annotations

import csv
import io
import json
import random
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from faker import Faker

# Hand-written, invented-for-tests combinations of common given names and surnames.
OWN_GIVEN = ["Adaeze", "Chinwe", "Oluwaseun", "Tendai", "Nkechi", "Bongani", "Aigerim", "Nurlan", "Dilnoza",
             "Farrukh", "Rustam", "Bakhyt", "Thandiwe", "Kwabena", "Efua", "Amara", "Sindisiwe", "Temitope",
             "Babajide", "Yerlan", "Gulnara", "Tsegaye", "Meseret", "Abebe", "Haile", "Senait"]
OWN_FAMILY = ["Okonkwo", "Adeyemi", "Mwangi", "Otieno", "Abdullayev", "Karimova", "Tursunov", "Dlamini",
              "Mensah", "Boateng", "Owusu", "Nwosu", "Kamara", "Sesay", "Traore", "Keita", "Bekele",
              "Tesfaye", "Girma", "Wolde", "Nurmagambetov", "Zhakupova", "Oyelaran", "Chukwuemeka"]

COUNTRIES = {  # en, es, fr, pt
    "HN": ("Honduras", "Honduras", "Honduras", "Honduras"),
    "MX": ("Mexico", "México", "Mexique", "México"),
    "GT": ("Guatemala", "Guatemala", "Guatemala", "Guatemala"),
    "SV": ("El Salvador", "El Salvador", "Salvador", "El Salvador"),
    "VE": ("Venezuela", "Venezuela", "Venezuela", "Venezuela"),
    "HT": ("Haiti", "Haití", "Haïti", "Haiti"),
    "CU": ("Cuba", "Cuba", "Cuba", "Cuba"),
    "CO": ("Colombia", "Colombia", "Colombie", "Colômbia"),
    "BR": ("Brazil", "Brasil", "Brésil", "Brasil"),
    "IN": ("India", "India", "Inde", "Índia"),
    "EC": ("Ecuador", "Ecuador", "Équateur", "Equador"),
    "NI": ("Nicaragua", "Nicaragua", "Nicaragua", "Nicarágua"),
}
LANG = {"en": 0, "es": 1, "fr": 2, "pt": 3}
FACILITIES = ["Otay Mesa Detention Center", "Krome Service Processing Center", "Adelanto ICE Processing Center",
              "Stewart Detention Center", "Port Isabel Service Processing Center", "Otero County Processing Center",
              "Buffalo Federal Detention Facility", "Northwest ICE Processing Center"]


def fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@dataclass
class Person:
    given: str
    family: str
    dob: date
    country: str  # ISO code, rendered per language
    sex: str
    a_number: str
    passport: str
    email: str
    phone: str
    address: str
    facility: str
    case_id: str
    ssn: str
    age: int

    @property
    def full(self) -> str:
        return f"{self.given} {self.family}"


def people(n: int, seed: int, locales: tuple[str, ...] = ("pl_PL", "nl_NL", "tr_TR", "sv_SE"),
           own_share: float = 0.3) -> list[Person]:
    rng = random.Random(seed)
    fakers = [Faker(loc) for loc in locales]
    for i, fk in enumerate(fakers):
        fk.seed_instance(seed + i)
    en = Faker("en_US")
    en.seed_instance(seed)
    out = []
    for _ in range(n):
        if rng.random() < own_share:
            given, family = rng.choice(OWN_GIVEN), rng.choice(OWN_FAMILY)
        else:
            fk = rng.choice(fakers)
            given, family = fk.first_name(), fk.last_name()
        dob = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
        area = rng.randrange(1, 899)
        if area == 666:
            area = 667
        out.append(Person(
            given=given, family=family, dob=dob, country=rng.choice(list(COUNTRIES)),
            sex=rng.choice(["M", "F"]), a_number=f"A{rng.randrange(10**8, 10**9 - 1)}",
            passport=f"{rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ')}{rng.randrange(10**7, 10**8)}",
            email=f"{fold(given).lower()}.{fold(family).lower().replace(' ', '')}{rng.randrange(10, 99)}@"
                  f"{rng.choice(['gmail.com', 'yahoo.com', 'hotmail.com', 'outlook.com'])}",
            phone=f"({rng.randrange(201, 989)}) {rng.randrange(200, 999)}-{rng.randrange(1000, 9999)}",
            address=f"{rng.randrange(1, 9999)} {en.street_name()}",
            facility=rng.choice(FACILITIES),
            case_id=f"{rng.choice(['EOIR', 'CASE', 'HOU'])}-{rng.randrange(10**6, 10**7)}",
            ssn=f"{area:03d}-{rng.randrange(1, 99):02d}-{rng.randrange(1, 9999):04d}",
            age=2026 - dob.year,
        ))
    return out


def country(p: Person, lang: str) -> str:
    return COUNTRIES[p.country][LANG[lang]]


# ----------------------------------------------------------------------------------- table shapes
Grid = list[list[str]]


def ice_table(ps: list[Person]) -> Grid:
    rows = [["LAST_NAME", "FIRST_NAME", "DOB", "COC", "A_NUM", "FACILITY"]]
    for p in ps:
        rows.append([p.family.upper(), p.given.upper(), p.dob.strftime("%m/%d/%Y"), country(p, "en").upper(),
                     p.a_number[1:], p.facility])
    return rows


def english_table(ps: list[Person]) -> Grid:
    rows = [["Full Name", "Date of Birth", "Country of Citizenship", "Sex", "Detention Facility"]]
    rows += [[p.full, p.dob.isoformat(), country(p, "en"), p.sex, p.facility] for p in ps]
    return rows


def spanish_table(ps: list[Person]) -> Grid:
    rows = [["Nombre", "Apellidos", "Fecha de nacimiento", "Nacionalidad", "Sexo", "Número de pasaporte"]]
    rows += [[p.given, p.family, p.dob.strftime("%d/%m/%Y"), country(p, "es"), {"M": "Hombre", "F": "Mujer"}[p.sex],
              p.passport] for p in ps]
    return rows


def french_table(ps: list[Person]) -> Grid:
    rows = [["Nom", "Prénom", "Date de naissance", "Nationalité", "Adresse"]]
    rows += [[p.family.upper(), p.given, p.dob.strftime("%d/%m/%Y"), country(p, "fr"), p.address] for p in ps]
    return rows


def portuguese_table(ps: list[Person]) -> Grid:
    rows = [["Nome completo", "Data de nascimento", "Nacionalidade", "Telefone", "E-mail"]]
    rows += [[p.full, p.dob.strftime("%d/%m/%Y"), country(p, "pt"), p.phone, p.email] for p in ps]
    return rows


def last_first_table(ps: list[Person]) -> Grid:
    rows = [["Detainee", "Age", "Gender", "Case Number"]]
    rows += [[f"{p.family.upper()}, {p.given}", str(p.age), p.sex, p.case_id] for p in ps]
    return rows


def ssn_table(ps: list[Person]) -> Grid:
    rows = [["Employee", "SSN", "Home Address", "Phone"]]
    rows += [[p.full, p.ssn, p.address, p.phone] for p in ps]
    return rows


def staff_directory(ps: list[Person]) -> Grid:
    rows = [["Name", "Title", "Office Email", "Office Phone"]]
    titles = ["Program Analyst", "Director", "Case Officer", "Budget Analyst", "Paralegal", "Clerk"]
    for i, p in enumerate(ps):
        rows.append([p.full, titles[i % len(titles)],
                     f"{fold(p.given).lower()}.{fold(p.family).lower().replace(' ', '')}@agency.gov",
                     f"(202) 555-{1000 + i:04d}"])
    return rows


def no_header_table(ps: list[Person]) -> Grid:
    return [[p.full, p.dob.isoformat(), p.email] for p in ps]


# negatives ----------------------------------------------------------------------------------------
def country_aggregate(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Country of Citizenship", "Total Detainees", "Rate per 100k", "% Change"]]
    for code in COUNTRIES:
        rows.append([COUNTRIES[code][0], str(rng.randrange(10, 5000)), f"{rng.random() * 50:.2f}",
                     f"{rng.random() * 20 - 10:.1f}%"])
    rows.append(["Total", str(rng.randrange(20000, 30000)), "", ""])
    return rows


def spanish_aggregate(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Nacionalidad", "Total", "Porcentaje"]]
    rows += [[COUNTRIES[c][1], str(rng.randrange(10, 900)), f"{rng.random() * 30:.1f}"] for c in COUNTRIES]
    return rows


def french_aggregate(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Département", "Nombre de personnes retenues", "Taux"]]
    for d in ["Ain", "Aisne", "Allier", "Ardèche", "Ariège", "Aube", "Aude", "Aveyron", "Calvados", "Cantal"]:
        rows.append([d, str(rng.randrange(10, 900)), f"{rng.random():.3f}"])
    return rows


def year_pivot(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["State", "FY2019", "FY2020", "FY2021", "FY2022"]]
    for s in ["Texas", "California", "Arizona", "Florida", "Georgia", "Louisiana", "New Mexico", "New York"]:
        rows.append([s] + [str(rng.randrange(100, 9000)) for _ in range(4)])
    return rows


def name_frequency(seed: int) -> Grid:
    rng = random.Random(seed)
    fk = Faker("en_US")
    fk.seed_instance(seed)
    names = sorted({fk.first_name() for _ in range(200)})[:60]
    rows = [["name", "count", "share"]]
    rows += [[n, str(rng.randrange(1000, 90000)), f"{rng.random():.4f}"] for n in names]
    return rows


def baby_names(seed: int, header: bool = True) -> Grid:
    """Names with sex and counts, per year (like the SSA baby-name files): names are the unit."""
    rng = random.Random(seed)
    fk = Faker("en_US")
    fk.seed_instance(seed)
    names = sorted({fk.first_name() for _ in range(120)})[:40]
    rows = [["Name", "Year", "Sex", "Births"]] if header else []
    for year in (2019, 2020, 2021):
        rows += [[n, str(year), rng.choice("FM"), str(rng.randrange(5, 9000))] for n in names]
    return rows


def surname_frequency(seed: int) -> Grid:
    rng = random.Random(seed)
    fk = Faker("es_MX")
    fk.seed_instance(seed)
    names = sorted({fk.last_name().upper() for _ in range(200)})[:60]
    rows = [["Rank", "Surname", "Frequency"]]
    rows += [[str(i + 1), n, str(rng.randrange(1000, 90000))] for i, n in enumerate(names)]
    return rows


def storm_names(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Storm Name", "Year", "Max Wind (kt)", "Category"]]
    for n in ["Maria", "Irma", "Harvey", "Ian", "Ida", "Laura", "Michael", "Florence", "Dorian", "Sally"]:
        rows.append([n, str(rng.randrange(2005, 2024)), str(rng.randrange(60, 160)), str(rng.randrange(1, 6))])
    return rows


def organisations(seed: int) -> Grid:
    fk = Faker("en_US")
    fk.seed_instance(seed)
    rows = [["Organization", "Address", "City", "Phone"]]
    for _ in range(25):
        rows.append([f"{fk.last_name()} {random.Random(seed).choice(['Legal Services Inc', 'Foundation', 'LLC'])}",
                     fk.street_address(), fk.city(), f"(800) 555-{fk.random_int(1000, 9999)}"])
    return rows


def microdata(ps: list[Person]) -> Grid:
    rows = [["Age", "Sex", "Nationality", "Facility", "Days in Detention"]]
    rows += [[str(p.age), p.sex, country(p, "en"), p.facility, str(p.age * 3 % 200)] for p in ps]
    return rows


def date_series(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Date", "Book-ins", "Book-outs"]]
    for i in range(60):
        rows.append([(date(2022, 1, 1) + timedelta(days=i)).isoformat(), str(rng.randrange(100, 900)),
                     str(rng.randrange(100, 900))])
    return rows


def age_bands(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Age group", "Detainees", "Share"]]
    for band in ["0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"]:
        rows.append([band, str(rng.randrange(100, 900)), f"{rng.random():.2f}"])
    return rows


def reference_list(seed: int) -> Grid:
    rows = [["Country", "ISO code", "Region"]]
    rows += [[COUNTRIES[c][0], c, "Americas" if c not in {"IN"} else "Asia"] for c in COUNTRIES]
    return rows


def buildings(seed: int) -> Grid:
    rng = random.Random(seed)
    fk = Faker("en_US")
    fk.seed_instance(seed)
    rows = [["Address", "Units", "Year built", "Ward"]]
    for _ in range(30):
        rows.append([fk.street_address(), str(rng.randrange(1, 40)), str(rng.randrange(1900, 2020)),
                     str(rng.randrange(1, 9))])
    return rows


def addresses_with_attributes(ps: list[Person]) -> Grid:
    rows = [["Home Address", "Age", "Sex", "Nationality"]]
    rows += [[p.address, str(p.age), p.sex, country(p, "en")] for p in ps]
    return rows


def products(seed: int) -> Grid:
    rng = random.Random(seed)
    rows = [["Product Name", "SKU", "Price"]]
    for n in ["Steel Desk", "Office Chair", "Filing Cabinet", "Desk Lamp", "Paper Shredder", "Whiteboard"]:
        rows.append([n, f"SKU-{rng.randrange(1000, 9999)}", f"{rng.random() * 300:.2f}"])
    return rows


# ------------------------------------------------------------------------------------- writers
def to_csv(grid: Grid, delimiter: str = ",", encoding: str = "utf-8", title: list[str] | None = None) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    for line in title or []:
        writer.writerow([line])
    writer.writerows(grid)
    return buf.getvalue().encode(encoding, errors="replace")


def to_xlsx(sheets: list[tuple[str, Grid, str]], hidden_rows: dict[str, list[int]] | None = None,
            white_columns: dict[str, list[int]] | None = None) -> bytes:
    """``sheets``: (title, grid, state) with state "visible", "hidden" or "veryHidden"."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, grid, state in sheets:
        ws = wb.create_sheet(title)
        for row in grid:
            ws.append(row)
        ws.sheet_state = state
        for r in (hidden_rows or {}).get(title, []):
            ws.row_dimensions[r].hidden = True
        for c in (white_columns or {}).get(title, []):
            for row_cells in ws.iter_rows(min_col=c + 1, max_col=c + 1, min_row=2):
                for cell in row_cells:
                    cell.font = Font(color="FFFFFFFF")
            ws.column_dimensions[get_column_letter(c + 1)].width = 20
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def add_pivot_cache(xlsx: bytes, grid: Grid) -> bytes:
    """Append a pivot cache (definition + records) holding ``grid`` to an XLSX, the way Excel keeps
    source rows after the source sheet is deleted."""
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    header, rows = grid[0], grid[1:]
    fields = []
    for j, name in enumerate(header):
        items = sorted({r[j] for r in rows})
        fields.append((name, items))
    definition = [f'<pivotCacheDefinition xmlns="{ns}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/'
                  f'2006/relationships" r:id="rId1" recordCount="{len(rows)}"><cacheFields count="{len(fields)}">']
    for name, items in fields:
        shared = "".join(f'<s v="{_xml(v)}"/>' for v in items)
        definition.append(f'<cacheField name="{_xml(name)}"><sharedItems count="{len(items)}">{shared}'
                          "</sharedItems></cacheField>")
    definition.append("</cacheFields></pivotCacheDefinition>")
    records = [f'<pivotCacheRecords xmlns="{ns}" count="{len(rows)}">']
    for r in rows:
        records.append("<r>" + "".join(f'<x v="{fields[j][1].index(v)}"/>' for j, v in enumerate(r)) + "</r>")
    records.append("</pivotCacheRecords>")
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'pivotCacheRecords" Target="pivotCacheRecords1.xml"/></Relationships>')
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/pivotCache/pivotCacheDefinition1.xml", "".join(definition))
        dst.writestr("xl/pivotCache/pivotCacheRecords1.xml", "".join(records))
        dst.writestr("xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels", rels)
    return out.getvalue()


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def to_pdf(grid: Grid, ruled: bool = True, title: str = "Report") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import landscape, letter
    from reportlab.pdfgen import canvas
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    data = [[fold(c) for c in row] for row in grid]
    out = io.BytesIO()
    if ruled:
        doc = SimpleDocTemplate(out, pagesize=landscape(letter))
        table = Table(data, repeatRows=1)
        table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                                   ("FONTSIZE", (0, 0), (-1, -1), 7)]))
        doc.build([table])
        return out.getvalue()
    c = canvas.Canvas(out, pagesize=landscape(letter))
    width = landscape(letter)[0]
    col_w = (width - 60) / max(len(r) for r in data)
    y = 560.0
    c.setFont("Helvetica-Bold", 12)
    c.drawString(30, y + 20, title)
    for row in data:
        c.setFont("Helvetica", 8)
        for j, cell in enumerate(row):
            c.drawString(30 + j * col_w, y, cell[:30])
        y -= 14
        if y < 40:
            c.showPage()
            y = 560.0
    c.save()
    return out.getvalue()


def redacted_pdf(secrets: list[str], failed: bool, light_heading: bool = False) -> bytes:
    """A memo with black boxes: over text still in the file (``failed``) or over nothing."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=letter)
    c.setFont("Helvetica", 11)
    c.drawString(72, 720, "Memorandum: transfer of detainees")
    y = 690
    for secret in secrets:
        c.setFillColorRGB(0, 0, 0)
        c.drawString(72, y, "Detainee:")
        if failed:
            c.drawString(140, y, fold(secret))
        c.rect(136, y - 3, 200, 14, stroke=0, fill=1)
        y -= 22
    if light_heading:
        c.setFillColorRGB(0, 0, 0)
        c.rect(72, 300, 300, 20, stroke=0, fill=1)
        c.setFillColorRGB(1, 1, 1)
        c.drawString(76, 305, "SECTION HEADING IN WHITE ON BLACK")
    c.save()
    return out.getvalue()


def to_docx(grid: Grid, hidden_text: str = "", comment: str = "", deleted: str = "") -> bytes:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = docx.Document()
    document.add_paragraph("Listado")
    table = document.add_table(rows=0, cols=len(grid[0]))
    for row in grid:
        cells = table.add_row().cells
        for j, value in enumerate(row):
            cells[j].text = value
    if hidden_text:
        run = document.add_paragraph("Notes: ").add_run(hidden_text)
        run.font.hidden = True
    if comment:
        paragraph = document.add_paragraph("Reviewed.")
        document.add_comment(paragraph.runs, text=comment, author="Reviewer")
    if deleted:
        paragraph = document.add_paragraph("Final list attached.")
        deletion = OxmlElement("w:del")
        deletion.set(qn("w:id"), "91")
        deletion.set(qn("w:author"), "Editor")
        run = OxmlElement("w:r")
        text = OxmlElement("w:delText")
        text.text = deleted
        run.append(text)
        deletion.append(run)
        paragraph._p.append(deletion)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_html(grid: Grid, caption: str = "") -> bytes:
    import html as h

    parts = ["<!doctype html><html><head><meta charset='utf-8'><title>t</title></head><body>",
             f"<h1>{h.escape(caption)}</h1><table><thead><tr>"]
    parts += [f"<th>{h.escape(c)}</th>" for c in grid[0]]
    parts.append("</tr></thead><tbody>")
    for row in grid[1:]:
        parts.append("<tr>" + "".join(f"<td>{h.escape(c)}</td>" for c in row) + "</tr>")
    parts.append("</tbody></table></body></html>")
    return "".join(parts).encode("utf-8")


def to_json(grid: Grid, key: str = "data") -> bytes:
    records = [dict(zip(grid[0], row, strict=True)) for row in grid[1:]]
    document: object = {"meta": {"count": len(records)}, key: records} if key else records
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def to_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


# ------------------------------------------------------------------------------------ the corpus
@dataclass
class Case:
    name: str
    filename: str
    data: bytes
    person: bool
    raw_values: list[str]  # identifying values that must never appear in output


def _raw(ps: list[Person]) -> list[str]:
    out: list[str] = []
    for p in ps:
        out += [p.full, p.family.upper(), p.dob.isoformat(), p.dob.strftime("%d/%m/%Y"), p.dob.strftime("%m/%d/%Y"),
                p.a_number, p.a_number[1:], p.passport, p.email, p.phone, p.ssn, p.case_id]
        if len(p.family) >= 6:
            out.append(p.family)
    return out


def corpus(seed: int = 7, rows: int = 40) -> list[Case]:
    """The synthetic corpus: ``person`` says whether a person-level table is in the file."""
    cases: list[Case] = []

    def add(name: str, filename: str, build: Callable[[], bytes], person: bool, ps: list[Person] | None = None) -> None:
        cases.append(Case(name, filename, build(), person, _raw(ps or [])))

    p = [people(rows, seed + i) for i in range(20)]
    latin = [people(rows, seed + 100 + i, locales=("es_MX", "fr_FR", "pt_BR", "en_US"), own_share=0.1)
             for i in range(5)]
    # positives
    add("csv ICE-style utf-8", "detainees.csv", lambda: to_csv(ice_table(p[0])), True, p[0])
    add("csv ES semicolon cp1252 with title rows", "listado.csv",
        lambda: to_csv(spanish_table(latin[0]), ";", "cp1252", ["Listado de personas", "Fecha: 2022"]), True, latin[0])
    add("tsv FR utf-16", "liste.tsv", lambda: to_csv(french_table(p[1]), "\t", "utf-16"), True, p[1])
    add("csv PT utf-8-sig", "lista.csv", lambda: to_csv(portuguese_table(latin[1]), ",", "utf-8-sig"), True, latin[1])
    add("csv no header", "export.csv", lambda: to_csv(no_header_table(p[2])), True, p[2])
    add("csv Last, First", "roster.csv", lambda: to_csv(last_first_table(p[3])), True, p[3])
    add("csv SSN pipe-delimited", "payroll.txt", lambda: to_csv(ssn_table(p[4]), "|"), True, p[4])
    add("csv staff directory", "staff.csv", lambda: to_csv(staff_directory(p[5])), True, p[5])
    add("xlsx EN", "detention.xlsx", lambda: to_xlsx([("Detainees", english_table(p[6]), "visible")]), True, p[6])
    add("xlsx hidden sheet", "stats.xlsx", lambda: to_xlsx([("Summary", country_aggregate(seed), "visible"),
                                                            ("Data", ice_table(p[7]), "veryHidden")]), True, p[7])
    add("xlsx pivot cache", "pivot.xlsx", lambda: add_pivot_cache(
        to_xlsx([("Pivot", country_aggregate(seed + 1), "visible")]), english_table(p[8])), True, p[8])
    add("pdf ruled EN", "list.pdf", lambda: to_pdf(english_table(p[9])), True, p[9])
    add("pdf unruled ES", "listado.pdf", lambda: to_pdf(spanish_table(latin[2]), ruled=False), True, latin[2])
    add("docx ES", "listado.docx", lambda: to_docx(spanish_table(latin[3])), True, latin[3])
    add("html PT", "lista.html", lambda: to_html(portuguese_table(p[10]), "Lista"), True, p[10])
    add("json FR nested", "liste.json", lambda: to_json(french_table(p[11]), "results"), True, p[11])
    add("json top-level array", "people.json", lambda: to_json(last_first_table(p[12]), ""), True, p[12])
    add("zip with csv", "export.zip", lambda: to_zip({"readme.txt": b"Export\n",
                                                      "data/detainees.csv": to_csv(ice_table(p[13]))}), True, p[13])
    add("docx FR", "liste.docx", lambda: to_docx(french_table(latin[4])), True, latin[4])
    add("html EN SSN", "payroll.html", lambda: to_html(ssn_table(p[14])), True, p[14])
    add("ods ES hidden sheet", "datos.ods", lambda: to_ods([("Resumen", spanish_aggregate(seed), False),
                                                            ("Datos", spanish_table(p[17]), True)]), True, p[17])
    add("csv home addresses without names", "households.csv", lambda: to_csv(addresses_with_attributes(p[18])), True,
        p[18])
    # negatives
    add("csv building addresses", "buildings.csv", lambda: to_csv(buildings(seed)), False)
    add("csv baby names by year and sex", "names_by_year.csv", lambda: to_csv(baby_names(seed)), False)
    add("txt baby names without header", "yob2021.txt", lambda: to_csv(baby_names(seed + 1, header=False)), False)
    add("ods aggregate", "resumen.ods", lambda: to_ods([("Resumen", spanish_aggregate(seed + 1), False)]), False)
    add("csv country aggregate", "by_country.csv", lambda: to_csv(country_aggregate(seed)), False)
    add("csv ES aggregate", "por_nacionalidad.csv", lambda: to_csv(spanish_aggregate(seed), ";"), False)
    add("csv FR aggregate", "par_departement.csv", lambda: to_csv(french_aggregate(seed), ";"), False)
    add("csv year pivot", "by_state.csv", lambda: to_csv(year_pivot(seed)), False)
    add("csv name frequency", "names.csv", lambda: to_csv(name_frequency(seed)), False)
    add("csv surname frequency", "surnames.csv", lambda: to_csv(surname_frequency(seed)), False)
    add("csv storm names", "storms.csv", lambda: to_csv(storm_names(seed)), False)
    add("csv organisations with addresses", "providers.csv", lambda: to_csv(organisations(seed)), False)
    add("csv anonymous microdata", "micro.csv", lambda: to_csv(microdata(p[15])), False)
    add("csv date series", "daily.csv", lambda: to_csv(date_series(seed)), False)
    add("csv age bands", "ages.csv", lambda: to_csv(age_bands(seed)), False)
    add("xlsx aggregate", "summary.xlsx", lambda: to_xlsx([("FY22", country_aggregate(seed + 2), "visible"),
                                                           ("Notes", reference_list(seed), "visible")]), False)
    add("pdf aggregate", "report.pdf", lambda: to_pdf(year_pivot(seed)), False)
    add("pdf microdata", "micro.pdf", lambda: to_pdf(microdata(p[16]), ruled=False), False)
    add("docx aggregate", "informe.docx", lambda: to_docx(spanish_aggregate(seed)), False)
    add("html products", "catalog.html", lambda: to_html(products(seed)), False)
    add("html organisations", "providers.html", lambda: to_html(organisations(seed + 3)), False)
    add("json aggregate", "stats.json", lambda: to_json(french_aggregate(seed), "data"), False)
    add("zip of aggregates", "stats.zip", lambda: to_zip({"a.csv": to_csv(country_aggregate(seed)),
                                                          "b.csv": to_csv(storm_names(seed))}), False)
    add("xlsx name frequency", "names.xlsx", lambda: to_xlsx([("Names", name_frequency(seed + 5), "visible")]), False)
    return cases


def to_ods(sheets: list[tuple[str, Grid, bool]], hidden_rows: tuple[int, ...] = ()) -> bytes:
    """A minimal OpenDocument spreadsheet written by hand: (name, grid, hidden) per sheet;
    ``hidden_rows`` (0-based) are collapsed in every sheet."""
    body = []
    for name, grid, hidden in sheets:
        style = ' table:style-name="hidden"' if hidden else ' table:style-name="shown"'
        rows = "".join(
            ("<table:table-row table:visibility=\"collapse\">" if i in hidden_rows else "<table:table-row>")
            + "".join(
                f'<table:table-cell office:value-type="string"><text:p>{_xml(c)}</text:p></table:table-cell>'
                for c in row) + "</table:table-row>"
            for i, row in enumerate(grid))
        body.append(f'<table:table table:name="{_xml(name)}"{style}>{rows}</table:table>')
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" office:version="1.2">'
        '<office:automatic-styles>'
        '<style:style style:name="shown" style:family="table"><style:table-properties table:display="true"/>'
        '</style:style>'
        '<style:style style:name="hidden" style:family="table"><style:table-properties table:display="false"/>'
        '</style:style></office:automatic-styles>'
        f'<office:body><office:spreadsheet>{"".join(body)}</office:spreadsheet></office:body>'
        '</office:document-content>'
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        '</manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        zf.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()
