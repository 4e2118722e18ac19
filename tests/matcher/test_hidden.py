"""hidden_content: hidden/very hidden sheets, hidden rows and columns, white text, pivot caches,
hidden DOCX runs, comments and tracked deletions."""

from __future__ import annotations

import io

import openpyxl

from core.models import FindingKind
from matcher.scan import scan_bytes
from tests.matcher import synthetic as syn


def _hidden(result):
    return [f for f in result.findings if f.kind == FindingKind.hidden_content]


def test_very_hidden_sheet_with_people_is_reported():
    ps = syn.people(30, 11)
    data = syn.to_xlsx([("Summary", syn.country_aggregate(1), "visible"), ("Raw", syn.ice_table(ps), "veryHidden")])
    result = scan_bytes(data, "stats.xlsx")
    hidden = _hidden(result)
    assert len(hidden) == 1
    assert hidden[0].reasons[0] == "very hidden sheet 'Raw' (30 rows)"
    assert hidden[0].severity.name == "critical"
    assert "it holds a person-level table" in hidden[0].reasons[1]
    person = [f for f in result.findings if f.kind == FindingKind.person_table]
    assert [f.locator for f in person] == ["sheet 'Raw' (very hidden)"]


def test_hidden_sheet_without_people_is_low():
    data = syn.to_xlsx([("A", syn.country_aggregate(1), "visible"), ("B", syn.year_pivot(2), "hidden")])
    hidden = _hidden(scan_bytes(data, "x.xlsx"))
    assert [f.severity.name for f in hidden] == ["low"]
    assert "does not hold a person-level table" in hidden[0].reasons[1]


def test_hidden_rows_holding_people():
    ps = syn.people(20, 12)
    data = syn.to_xlsx([("List", syn.english_table(ps), "visible")], hidden_rows={"List": [5, 6, 7, 8, 9]})
    hidden = _hidden(scan_bytes(data, "x.xlsx"))
    assert len(hidden) == 1
    assert hidden[0].reasons[0] == "5 hidden rows in sheet 'List'"
    assert hidden[0].rows == 5


def test_hidden_column_names_its_type():
    ps = syn.people(20, 13)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "People"
    for row in syn.english_table(ps):
        ws.append(row)
    ws.column_dimensions["B"].hidden = True
    out = io.BytesIO()
    wb.save(out)
    hidden = _hidden(scan_bytes(out.getvalue(), "x.xlsx"))
    assert len(hidden) == 1
    assert "column 2 'Date of Birth' (birth_date)" in hidden[0].reasons[1]
    assert hidden[0].severity.name == "critical"


def test_white_text_column():
    ps = syn.people(20, 14)
    data = syn.to_xlsx([("People", syn.english_table(ps), "visible")], white_columns={"People": [1]})
    hidden = _hidden(scan_bytes(data, "x.xlsx"))
    assert len(hidden) == 1
    assert hidden[0].reasons[0] == "20 cells of white text in sheet 'People'"
    assert any("birth_date" in r for r in hidden[0].reasons)


def test_pivot_cache_keeps_deleted_source_rows():
    ps = syn.people(25, 15)
    data = syn.add_pivot_cache(syn.to_xlsx([("Pivot", syn.country_aggregate(3), "visible")]), syn.english_table(ps))
    result = scan_bytes(data, "pivot.xlsx")
    hidden = _hidden(result)
    assert hidden[0].reasons[0] == "pivot cache 1 keeps 25 source rows"
    assert hidden[0].severity.name == "critical"


def test_plain_workbook_has_no_hidden_content():
    data = syn.to_xlsx([("People", syn.english_table(syn.people(10, 16)), "visible")])
    assert _hidden(scan_bytes(data, "x.xlsx")) == []


def test_docx_hidden_runs_comments_and_deletions():
    ps = syn.people(5, 17)
    data = syn.to_docx(syn.country_aggregate(1), hidden_text=f"{ps[0].full} {ps[0].email}",
                       comment=f"check {ps[1].ssn}", deleted=f"{ps[2].full} born {ps[2].dob.isoformat()}")
    result = scan_bytes(data, "memo.docx")
    reasons = {f.reasons[0]: f for f in _hidden(result)}
    assert set(reasons) == {"1 hidden text run(s) (hidden or white text)", "1 comment(s)",
                            "1 tracked deletion(s) still in the file"}
    assert "identifiers in it: 1 email" in reasons["1 hidden text run(s) (hidden or white text)"].reasons
    assert "identifiers in it: 1 gov_id" in reasons["1 comment(s)"].reasons
    text = repr([f.to_dict() for f in result.findings])
    for raw in (ps[0].email, ps[1].ssn, ps[2].dob.isoformat(), ps[0].full):
        assert raw not in text


def test_ods_hidden_sheet():
    ps = syn.people(20, 18)
    data = syn.to_ods([("Resumen", syn.spanish_aggregate(1), False), ("Datos", syn.spanish_table(ps), True)])
    result = scan_bytes(data, "datos.ods")
    assert result.media_type == "application/vnd.oasis.opendocument.spreadsheet"
    hidden = _hidden(result)
    assert [f.reasons[0] for f in hidden] == ["hidden sheet 'Datos' (20 rows)"]
    assert hidden[0].severity.name == "critical"


def test_ods_hidden_rows():
    ps = syn.people(12, 19)
    data = syn.to_ods([("Lista", syn.spanish_table(ps), False)], hidden_rows=(3, 4, 5))
    hidden = _hidden(scan_bytes(data, "lista.ods"))
    assert [f.reasons[0] for f in hidden] == ["3 hidden rows in sheet 'Lista'"]
