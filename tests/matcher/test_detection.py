"""Person-level table detection over the synthetic corpus: every format, several languages and
hard negatives (aggregates, name-frequency lists, storms, organisations, anonymous microdata)."""

from __future__ import annotations

import pytest

from core.models import FindingKind
from matcher.scan import scan_bytes
from tests.matcher.synthetic import corpus

CASES = corpus()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_person_table_decision(case):
    result = scan_bytes(case.data, case.filename)
    assert result.errors == []
    found = [f for f in result.findings if f.kind == FindingKind.person_table]
    assert bool(found) == case.person, [f.reasons for f in result.findings]


def test_ice_style_table_is_critical_with_readable_reasons():
    case = next(c for c in CASES if c.name == "csv ICE-style utf-8")
    finding = scan_bytes(case.data, case.filename).findings[0]
    assert finding.severity.name == "critical"
    assert finding.rows == 40
    types = {c.header: c.type for c in finding.columns}
    assert types["DOB"] == "birth_date"
    assert types["COC"] == "nationality"
    assert types["A_NUM"] == "gov_id"
    assert types["FACILITY"] == "location_detention"
    assert any(r.startswith("column 3 'DOB': 40/40 plausible birth dates") for r in finding.reasons)
    assert [len(row) for row in finding.sample] == [len(finding.columns)] * 3


def test_media_type_override_and_sniffed_type():
    case = next(c for c in CASES if c.name == "csv ICE-style utf-8")
    assert scan_bytes(case.data, "x.bin").media_type == "text/csv"
    forced = scan_bytes(case.data, "x.bin", media_type="application/json")
    assert forced.media_type == "application/json"
    assert forced.findings == [] and "not valid JSON" in forced.errors[0]


@pytest.mark.parametrize(
    ("name", "severity"),
    [("csv staff directory", "low"), ("csv Last, First", "medium"), ("csv PT utf-8-sig", "high"),
     ("csv SSN pipe-delimited", "critical")],
)
def test_severity_follows_categories(name, severity):
    case = next(c for c in CASES if c.name == name)
    findings = [f for f in scan_bytes(case.data, case.filename).findings if f.kind == FindingKind.person_table]
    assert findings[0].severity.name == severity


def test_row_counts_are_exact_across_pdf_pages():
    case = next(c for c in CASES if c.name == "pdf ruled EN")
    finding = next(f for f in scan_bytes(case.data, case.filename).findings if f.kind == FindingKind.person_table)
    assert finding.rows == 40
    assert finding.locator.startswith("pages 1-")


def test_unruled_pdf_table_rows_are_exact_across_pages():
    from tests.matcher.synthetic import english_table, people, to_pdf

    data = to_pdf(english_table(people(120, 81)), ruled=False)
    finding = next(f for f in scan_bytes(data, "list.pdf").findings if f.kind == FindingKind.person_table)
    assert finding.rows == 120
    assert finding.locator == "pages 1-4 table"


def test_zip_member_locator():
    case = next(c for c in CASES if c.name == "zip with csv")
    finding = scan_bytes(case.data, case.filename).findings[0]
    assert finding.locator == "export.zip > data/detainees.csv > table"


def test_ice_style_workbook_with_title_rows_date_cells_and_total_row():
    import datetime
    import io

    import openpyxl

    from tests.matcher.synthetic import country, people

    ps = people(50, 91)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Immigration and Customs Enforcement"])
    ws.merge_cells("A1:F1")
    ws.append(["Detention statistics as of 11/28/2022"])
    ws.append([])
    ws.append(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "Facility", "Book-In Date"])
    for p in ps:
        ws.append([p.family.upper(), p.given.upper(), datetime.datetime(p.dob.year, p.dob.month, p.dob.day),
                   country(p, "en"), p.facility, datetime.datetime(2022, 10, 1)])
    ws.append(["Total", "", "", "", "", len(ps)])
    out = io.BytesIO()
    wb.save(out)
    finding = scan_bytes(out.getvalue(), "stats.xlsx").findings[0]
    assert finding.rows == 50
    assert finding.severity.name == "critical"
    assert {c.header: c.type for c in finding.columns}["Date of Birth"] == "birth_date"
    assert "column 3 'Date of Birth': 50/50 plausible birth dates" in finding.reasons


def test_minors_by_birth_date_are_critical():
    from datetime import date, timedelta

    from tests.matcher.synthetic import people, to_csv

    ps = people(20, 92)
    today = date.today()
    grid = [["Name", "Date of Birth"]] + [[p.full, (today - timedelta(days=3000 + 97 * i)).isoformat()]
                                         for i, p in enumerate(ps)]
    finding = scan_bytes(to_csv(grid), "children.csv").findings[0]
    assert finding.severity.name == "critical"
    assert "most of the people are under 18 (minors)" in finding.reasons
