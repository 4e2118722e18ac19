"""Extraction details: encodings, dialects, title rows, missing headers, exact streamed row
counts, content sniffing, JSON nesting, HTML, ODS-free spreadsheets from calamine."""

from __future__ import annotations

import io

import pytest

from matcher.csv_tables import extract_delimited, sniff_delimiter
from matcher.header_row import split_header
from matcher.limits import DEFAULT_LIMITS, Limits
from matcher.scan import scan_bytes
from matcher.sniff import sniff_media_type
from matcher.textcodec import detect_encoding
from tests.matcher import synthetic as syn


def _table(data: bytes, limits: Limits = DEFAULT_LIMITS):
    tables = extract_delimited(io.BytesIO(data), limits, "t.csv", float("inf")).tables
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"])
def test_encodings(encoding):
    grid = [["Nombre", "Apellidos", "Nacionalidad"], ["José", "Muñoz Peña", "México"], ["Zoë", "Brontë", "Haití"]]
    table = _table(syn.to_csv(grid, ";", encoding))
    assert table.header == ["Nombre", "Apellidos", "Nacionalidad"]
    assert table.rows[0] == ["José", "Muñoz Peña", "México"]


def test_detect_encoding_names():
    assert detect_encoding("Muñoz".encode("cp1252") * 20) in {"cp1252", "cp1250", "windows-1252"}
    assert detect_encoding(b"\xef\xbb\xbfa,b") == "utf-8-sig"


@pytest.mark.parametrize(("delimiter", "expected"), [(",", ","), (";", ";"), ("\t", "\t"), ("|", "|")])
def test_dialect_sniffing(delimiter, expected):
    grid = [["name", "note"], ["Ana Silva", "a, b; c"], ["Rui Costa", "d, e"], ["Eva Lima", "f"]]
    text = syn.to_csv(grid, delimiter).decode()
    assert sniff_delimiter(text) == expected


def test_title_rows_are_skipped():
    grid = syn.english_table(syn.people(8, 61))
    table = _table(syn.to_csv(grid, title=["Department of Examples", "Detention report FY2022", ""]))
    assert table.header == grid[0]
    assert table.row_count == 8


def test_no_header_row_gets_an_empty_header():
    table = _table(syn.to_csv(syn.no_header_table(syn.people(6, 62))))
    assert table.header == ["", "", ""]
    assert table.row_count == 6


def test_header_detected_for_all_text_tables():
    header, start = split_header([["Colour", "Shape"], ["Red", "Square"], ["Blue", "Circle"]])
    assert header == ["Colour", "Shape"] and start == 1


def test_streamed_row_count_is_exact_with_quoted_newlines():
    lines = ["name,comment"] + [f'"Person {i}","line one\nline two"' for i in range(5000)]
    data = ("\n".join(lines) + "\n").encode()
    table = _table(data, Limits(sample_rows=50))
    assert table.row_count == 5000
    assert len(table.rows) == 50


@pytest.mark.parametrize(
    ("builder", "filename", "expected"),
    [
        (lambda: syn.to_xlsx([("a", [["x"]], "visible")]), "a.csv", "spreadsheetml.sheet"),
        (lambda: syn.to_docx([["a", "b"]]), "a.xlsx", "wordprocessingml.document"),
        (lambda: syn.to_pdf([["a", "b"], ["c", "d"]]), "a.txt", "application/pdf"),
        (lambda: syn.to_zip({"a.csv": b"a,b\n"}), "a.xlsx", "application/zip"),
        (lambda: syn.to_html([["a", "b"]]), "a.csv", "text/html"),
        (lambda: syn.to_json([["a", "b"], ["1", "2"]]), "a.txt", "application/json"),
        (lambda: b"a\tb\nc\td\n", "a.csv", "text/tab-separated-values"),
        (lambda: b"a,b\nc,d\n", "data", "text/csv"),
        (lambda: b"<div><p>Lista</p><table><tr><td>a</td></tr></table></div>", "x", "text/html"),
        (lambda: b"<?xml version='1.0'?><feed/>", "x.html", "application/xml"),
        (lambda: b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "x.csv", "application/octet-stream"),
    ],
)
def test_sniffing_is_by_content(builder, filename, expected):
    assert expected in sniff_media_type(builder(), filename)


def test_json_records_nested_under_any_key():
    ps = syn.people(12, 63)
    result = scan_bytes(syn.to_json(syn.english_table(ps), "results"), "x.json")
    assert result.tables[0].locator == "JSON results"
    assert result.tables[0].row_count == 12


def test_html_locator_and_count():
    result = scan_bytes(syn.to_html(syn.english_table(syn.people(9, 64))), "x.html")
    assert [(t.locator, t.row_count) for t in result.tables] == [("HTML table 1", 9)]


def test_spreadsheet_row_counts_are_exact_beyond_the_sample():
    grid = syn.english_table(syn.people(600, 65))
    result = scan_bytes(syn.to_xlsx([("People", grid, "visible")]), "x.xlsx")
    assert result.tables[0].row_count == 600
    assert len(result.tables[0].rows) == DEFAULT_LIMITS.sample_rows
    assert result.findings[0].rows == 600


def test_first_row_of_names_and_facilities_is_data_not_header():
    ps = syn.people(6, 66, locales=("en_US",), own_share=0.0)
    grid = [[p.full, syn.country(p, "en"), p.facility] for p in ps]
    table = _table(syn.to_csv(grid))
    assert table.header == ["", "", ""]
    assert table.row_count == 6


def test_gzip_compressed_csv():
    import gzip

    data = gzip.compress(syn.to_csv(syn.ice_table(syn.people(7, 67))))
    result = scan_bytes(data, "list.csv.gz")
    assert result.media_type == "application/gzip"
    assert result.errors == [] and result.findings[0].rows == 7


def test_gzip_bomb_is_refused():
    import gzip

    result = scan_bytes(gzip.compress(b"\0" * (64 << 20)), "zeros.csv.gz")
    assert result.findings == [] and "possible zip bomb" in result.errors[0]
