"""How bytes become tables: the header row judged by the values under it, JSON structures, PDF word
spacing and sections, and the depth limit of JSON.  Decisions on whole files are in ``cases/``."""

from __future__ import annotations

import io
import json

import pytest

from core.models import Table
from matcher.header_row import column_vote, split_header
from matcher.isolation import IsolatedScanner
from matcher.limits import DEFAULT_LIMITS
from matcher.pdf_tables import sections, text_line_tables
from matcher.scan import scan_bytes
from tests.matcher import synthetic as syn


def _tables(data: bytes, name: str) -> list[Table]:
    result = scan_bytes(data, name)
    assert result.errors == []
    return result.tables


# --------------------------------------------------------------------------- header row
def test_a_real_header_of_plain_words_is_kept() -> None:
    rows = [["Colour", "Shape"], ["Red", "Square"], ["Blue", "Circle"], ["Green", "Star"]]
    assert split_header(rows) == (["Colour", "Shape"], 1)


def test_header_words_over_names_and_dates_are_kept() -> None:
    ps = syn.people(12, 301, locales=("en_US",), own_share=0.0)
    grid = [["Payee", "Born", "Office"]] + [[p.full, p.dob.isoformat(), p.facility] for p in ps]
    table = _tables(syn.to_csv(grid), "staff.csv")[0]
    assert table.header == ["Payee", "Born", "Office"]
    assert table.row_count == 12


def test_first_row_of_values_is_data_in_every_delimiter() -> None:
    ps = syn.people(15, 302, locales=("es_ES", "it_IT"), own_share=0.0)
    grid = [[p.full, p.dob.strftime("%d-%m-%Y"), syn.country(p, "es")] for p in ps]
    for delimiter in (",", ";", "\t", "|"):
        table = _tables(syn.to_csv(grid, delimiter), "export.txt")[0]
        assert table.header == ["", "", ""], delimiter
        assert table.rows[0] == grid[0] and table.row_count == 15


def test_headerless_sheet_keeps_its_first_row() -> None:
    ps = syn.people(10, 303, locales=("pt_BR",), own_share=0.0)
    grid = [[p.full, str(1000 + i), "PSD"] for i, p in enumerate(ps)]
    table = _tables(syn.to_xlsx([("candidatos", grid, "visible")]), "c.xlsx")[0]
    assert table.header == ["", "", ""] and table.row_count == 10


def test_headerless_pdf_table_keeps_its_first_row() -> None:
    ps = syn.people(12, 304, locales=("pt_PT",), own_share=0.0)
    grid = [[f"Vila {i}", p.full, "PSD" if i % 2 else "PS"] for i, p in enumerate(ps)]
    table = _tables(syn.to_pdf(grid), "list.pdf")[0]
    assert table.header == ["", "", ""]
    assert table.total_rows == 12


def test_a_second_title_line_as_wide_as_the_table_is_skipped() -> None:
    ps = syn.people(8, 305, locales=("fr_FR",), own_share=0.0)
    grid = [["Rapport annuel", "2024", ""], ["Nom", "Date de naissance", "E-mail"]]
    grid += [[p.full, p.dob.isoformat(), p.email] for p in ps]
    header, start = split_header(grid)
    assert header == ["Nom", "Date de naissance", "E-mail"] and start == 2


def test_title_lines_above_the_header_in_a_sheet() -> None:
    ps = syn.people(8, 306, locales=("de_DE",), own_share=0.0)
    grid = [["Landesamt - Liste"], ["Stand: 2024"], ["Nachname", "Vorname", "Geburtsdatum"]]
    grid += [[p.family, p.given, p.dob.isoformat()] for p in ps]
    table = _tables(syn.to_xlsx([("Liste", grid, "visible")]), "l.xlsx")[0]
    assert table.header == ["Nachname", "Vorname", "Geburtsdatum"] and table.row_count == 8


@pytest.mark.parametrize(("cell", "below", "sign"), [
    ("Amount", ["$51.24", "$66.12", "$85.00"], 1),  # a word over money
    ("2019", ["12", "340", "7"], 1),  # a year heading over counts
    ("1987-03-02", ["1990-01-02", "1975-11-30"], -1),  # a date over dates
    ("PSD", ["PS", "PSD", "CDS"], -1),  # a header never repeats its column's values
    ("Colour", ["Red", "Blue"], 0),  # no evidence either way
])
def test_column_votes(cell: str, below: list[str], sign: int) -> None:
    vote = column_vote(cell, below)
    assert (vote > 0) - (vote < 0) == sign


# --------------------------------------------------------------------------- JSON structures
def _records(n: int, seed: int) -> list[dict[str, str]]:
    return [{"name": p.full, "born": p.dob.isoformat(), "email": p.email}
            for p in syn.people(n, seed, locales=("it_IT",), own_share=0.0)]


def test_json_record_map_keyed_by_id_is_one_table_with_the_key_column() -> None:
    records = {str(500 + i): r for i, r in enumerate(_records(6, 310))}
    [table] = _tables(json.dumps({"result": records}).encode(), "r.json")
    assert table.header == ["", "name", "born", "email"]
    assert table.rows[0][0] == "500" and table.row_count == 6


def test_json_column_map_is_transposed() -> None:
    records = _records(5, 311)
    columns = {key: {str(i): r[key] for i, r in enumerate(records)} for key in records[0]}
    [table] = _tables(json.dumps(columns).encode(), "c.json")
    assert table.header == ["name", "born", "email"] and table.rows[0] == list(records[0].values())
    assert table.row_count == 5


def test_json_split_layout_takes_its_columns_as_header() -> None:
    records = _records(4, 312)
    split = {"columns": list(records[0]), "index": [0, 1, 2, 3], "data": [list(r.values()) for r in records]}
    [table] = _tables(json.dumps(split).encode(), "s.json")
    assert table.header == ["name", "born", "email"] and table.row_count == 4


def test_tabula_cell_objects_give_their_text_and_pages_join() -> None:
    records = _records(8, 313)
    pages = [{"page_number": n, "data": [[{"top": 1.0, "left": 2.0, "text": v} for v in r.values()]
                                         for r in records[n * 4:(n + 1) * 4]]} for n in range(2)]
    [table] = _tables(json.dumps(pages).encode(), "t.json")
    assert table.rows[0] == list(records[0].values()) and table.row_count == 8


def test_json_nested_past_the_parser_limit_is_a_clear_error() -> None:
    data = b'{"a": ' * 100_000 + b"1" + b"}" * 100_000
    result = scan_bytes(data, "deep.json")
    assert len(result.errors) == 1
    assert "deep.json: JSON nested deeper than the parser's depth limit" in result.errors[0]
    assert "memory cap" not in result.errors[0]


def test_deep_json_in_the_isolated_scanner_costs_one_file_not_the_worker() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with IsolatedScanner(timeout_seconds=60) as scanner:
        first = scanner.scan_bytes(deep, "deep.json")
        after = scanner.scan_bytes(syn.to_csv([["Name"], ["Ana Silva"]]), "ok.csv")
    assert first.errors and "depth limit" in first.errors[0] and "died" not in first.errors[0]
    assert after.errors == []


# --------------------------------------------------------------------------- PDF
def test_tightly_set_pdf_words_keep_their_spaces() -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.setFont("Helvetica", 6)
    for i, line in enumerate([["NAME", "TITLE"], ["BAIN, J MATTHEW", "DISTRICT DIRECTOR"],
                              ["SMITH, ALVARO R", "STAFF ASSISTANT"], ["KISHI, DANIEL M", "INTERN"]]):
        for x0, text in zip((60.0, 260.0), line, strict=True):
            x = x0
            for word in text.split():  # word by word, gaps narrower than pdfplumber's default 3 points
                c.drawString(x, 700 - 9 * i, word)
                x += stringWidth(word, "Helvetica", 6) + 1.6
    c.save()
    [table] = _tables(out.getvalue(), "tight.pdf")
    assert [row[0] for row in table.rows] == ["BAIN, J MATTHEW", "SMITH, ALVARO R", "KISHI, DANIEL M"]


def test_wrapped_one_cell_lines_join_the_row_above() -> None:
    def word(text: str, x: float, top: float) -> dict[str, object]:
        return {"text": text, "x0": x, "x1": x + 6 * len(text), "top": top}

    words = []
    for i in range(4):
        top = 100.0 + 20 * i
        words += [word(f"R{i}", 10, top), word("AIRFARE", 100, top), word("9.50", 300, top)]
        words.append(word("RETURN", 100, top + 9))  # the description's second line
    [rows] = text_line_tables(words, DEFAULT_LIMITS)  # type: ignore[arg-type]
    assert len(rows) == 4 and rows[0] == ["R0", "AIRFARE RETURN", "9.50"]


def test_text_table_splits_where_rows_change_shape() -> None:
    header = [["DOC", "DATE", "PAYEE", "FROM", "TO", "DESCRIPTION", "AMOUNT"]]
    staff = [["", "", f"NAME {i}", "", "", "ASSISTANT", "1.00"] for i in range(4)]
    travel = [[f"D{i}", "05/03/2019", "CARD", "03/04/2019", "03/06/2019", "AIRFARE", "9.00"] for i in range(5)]
    first, second = sections(header + staff + travel)
    assert first == header + staff
    assert second == header + travel


def test_sparse_optional_cells_do_not_split_a_table() -> None:
    rows = [["Name", "Middle", "City"]] + [[f"N{i}", "", "X"] for i in range(4)] + [[f"M{i}", "Q", "Y"]
                                                                                    for i in range(4)]
    assert sections(rows) == [rows]


def test_numbered_columns_are_a_header() -> None:
    rows = [["", "0", "1", "2"], ["0", "4.5", "12", "7"], ["1", "3.1", "9", "8"], ["2", "2.2", "15", "6"]]
    header, start = split_header(rows)
    assert header == ["", "0", "1", "2"] and start == 1


def test_html_th_rows_are_the_header_even_over_text_alike_values() -> None:
    rows = "".join(f"<tr><td>Town {i}</td><td>Club {i}</td></tr>" for i in range(5))
    page = f"<table><tr><th colspan=2>Clubs</th></tr><tr><th>Town 9</th><th>Club 9</th></tr>{rows}</table>"
    [table] = _tables(page.encode(), "t.html")
    assert table.header == ["Town 9", "Club 9"] and table.row_count == 5


def test_docx_rows_marked_as_header_rows_are_the_header() -> None:
    import docx
    from docx.oxml import OxmlElement

    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for i, values in enumerate([("Town 9", "Club 9")] + [(f"Town {i}", f"Club {i}") for i in range(4)]):
        row = table.add_row()
        row.cells[0].text, row.cells[1].text = values
        if i == 0:
            row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    out = io.BytesIO()
    document.save(out)
    [found] = _tables(out.getvalue(), "t.docx")
    assert found.header == ["Town 9", "Club 9"] and found.row_count == 4


def test_metadata_lines_as_wide_as_a_narrow_table_are_skipped() -> None:
    ps = syn.people(10, 320, locales=("en_US",), own_share=0.0)
    grid = [["Agency:", "Department of Examples"], ["Exported:", "Monday morning"], ["Name", "Date of birth"]]
    grid += [[p.full, p.dob.isoformat()] for p in ps]
    table = _tables(syn.to_csv(grid), "export.csv")[0]
    assert table.header == ["Name", "Date of birth"] and table.row_count == 10


def test_a_units_line_under_the_header_does_not_replace_it() -> None:
    rows = [["Name", "Weight", "Height"], ["", "kg", "cm"]]
    rows += [[f"Person {i}", str(60 + i), str(170 + i)] for i in range(6)]
    header, start = split_header(rows)
    assert header == ["Name", "Weight", "Height"]


def test_json_lines_are_an_array_of_records() -> None:
    records = _records(6, 321)
    data = "\n".join(json.dumps(r) for r in records).encode() + b'\n{"name": "cut sho'
    [table] = _tables(data, "export.jsonl")
    assert table.header == ["name", "born", "email"] and table.row_count == 6


def test_json_lines_with_a_line_nested_too_deep_get_the_depth_error() -> None:
    data = b'{"a": 1}\n{"b": 2}\n' + b'{"c": ' * 100_000 + b"1" + b"}" * 100_000 + b"\n"
    result = scan_bytes(data, "deep.jsonl")
    assert len(result.errors) == 1 and "depth limit" in result.errors[0]


def test_json_column_lists_are_transposed() -> None:
    records = _records(5, 322)
    columns = {key: [r[key] for r in records] for key in records[0]}
    [table] = _tables(json.dumps({"people": columns}).encode(), "l.json")
    assert table.header == ["name", "born", "email"] and table.rows[1] == list(records[1].values())
    assert table.row_count == 5


def test_json_row_lists_keyed_by_id_are_rows_without_a_header() -> None:
    records = _records(5, 323)
    rows = {str(70 + i): list(r.values()) for i, r in enumerate(records)}
    [table] = _tables(json.dumps(rows).encode(), "k.json")
    assert table.header == ["", "", "", ""] and table.rows[0] == ["70", *records[0].values()]


# --------------------------------------------------------------------------- XML
def _xml_people(n: int, seed: int) -> str:
    return "".join(f'<person id="{i}"><name>{p.full}</name><dob>{p.dob.isoformat()}</dob>'
                   f"<contact><email>{p.email}</email></contact></person>"
                   for i, p in enumerate(syn.people(n, seed, locales=("en_GB",), own_share=0.0)))


def test_xml_record_elements_become_a_table() -> None:
    doc = f'<?xml version="1.0"?><export xmlns="urn:x"><meta><title>t</title></meta><people>{_xml_people(5, 330)}' \
          "</people></export>"
    [table] = _tables(doc.encode(), "people.xml")
    assert table.header == ["@id", "name", "dob", "contact.email"] and table.row_count == 5
    assert table.locator == "XML /export/people/person"


def test_spreadsheetml_rows_are_a_grid_with_a_header() -> None:
    people = syn.people(4, 331, locales=("en_GB",), own_share=0.0)
    rows = [["Name", "Born"]] + [[p.full, p.dob.isoformat()] for p in people]
    body = "".join("<Row>" + "".join(f"<Cell><Data>{c}</Data></Cell>" for c in r) + "</Row>" for r in rows)
    doc = f'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"><Worksheet>' \
          f"<Table>{body}</Table></Worksheet></Workbook>"
    [table] = _tables(doc.encode(), "book.xml")
    assert table.header == ["Name", "Born"] and table.row_count == 4


def test_web_feeds_hold_no_tables() -> None:
    items = "".join(f"<item><title>News {i}</title><author>Ana Silva</author></item>" for i in range(5))
    assert _tables(f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'.encode(), "feed.xml") == []


def test_xml_entity_declarations_are_refused() -> None:
    doc = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r><a><b>&x;</b></a></r>'
    result = scan_bytes(doc, "x.xml")
    assert result.tables == [] and result.errors == [
        "x.xml: the XML declares entities (a possible entity bomb); not scanned. Open it to check what it is"]
