"""What the simulated agency publishes: its media types and its statistics releases — aggregates
made up here (book-ins by country), in every format a crawler meets (CSV, TSV, JSON, XLSX, ODS, PDF,
DOCX, ZIP).  Only synthetic content, no real people.  Served by :mod:`spillwatch.demo.agency_site`."""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile

CSV_TYPE = "text/csv; charset=utf-8"
TSV_TYPE = "text/tab-separated-values; charset=utf-8"
JSON_TYPE = "application/json"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
ZIP_TYPE = "application/zip"
HTML_TYPE = "text/html; charset=utf-8"

# Aggregate detention statistics (invented numbers): per country, never per person.
AGGREGATE_ROWS: tuple[tuple[str | int | float, ...], ...] = (
    ("Country", "Book-ins", "Releases", "Average stay (days)"),
    ("Mexico", 11240, 10875, 28.4),
    ("Guatemala", 6120, 5902, 35.1),
    ("Honduras", 5480, 5311, 33.7),
    ("El Salvador", 2210, 2140, 41.2),
    ("Ecuador", 1305, 1260, 30.9),
    ("Total", 26355, 25488, 32.1),
)


def aggregate_csv(delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerows(AGGREGATE_ROWS)
    return out.getvalue().encode("utf-8")


def aggregate_json() -> bytes:
    header, *rows = AGGREGATE_ROWS
    return json.dumps([dict(zip(header, row, strict=True)) for row in rows], indent=1).encode("utf-8")


def aggregate_xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "FY2022 by country"
    for row in AGGREGATE_ROWS:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def aggregate_docx() -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Detention statistics, fiscal year 2022", level=1)
    document.add_paragraph("Aggregate book-ins and releases by country of citizenship.")
    table = document.add_table(rows=0, cols=len(AGGREGATE_ROWS[0]))
    for row in AGGREGATE_ROWS:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def aggregate_ods() -> bytes:
    """A minimal OpenDocument spreadsheet (mimetype first, stored uncompressed, as the spec asks)."""
    rows = "".join(
        "<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{html.escape(str(v))}</text:p>'
            "</table:table-cell>" for v in row) + "</table:table-row>"
        for row in AGGREGATE_ROWS
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="FY2022">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype", (2022, 11, 1, 0, 0, 0)), ODS_TYPE,
                         compress_type=zipfile.ZIP_STORED)
        archive.writestr(zipfile.ZipInfo("content.xml", (2022, 11, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo("META-INF/manifest.xml", (2022, 11, 1, 0, 0, 0)), manifest,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def aggregate_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("fy2022-by-country.csv", (2022, 11, 1, 0, 0, 0)), aggregate_csv())
    return out.getvalue()


def simple_pdf(lines: list[str]) -> bytes:
    """A small valid one-page PDF with text lines (cross-reference table computed)."""
    text = "BT /F1 11 Tf 72 720 Td 14 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '" for line in lines
    ) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text.encode("latin-1")),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, obj))
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def aggregate_pdf() -> bytes:
    lines = ["Detention statistics, fiscal year 2022 (aggregate)"]
    lines += ["  ".join(str(v) for v in row) for row in AGGREGATE_ROWS]
    return simple_pdf(lines)


RELEASES: tuple[tuple[str, str, str], ...] = (
    ("fy2022-by-country.csv", CSV_TYPE, "FY2022 book-ins by country (CSV)"),
    ("fy2022-by-country.tsv", TSV_TYPE, "FY2022 book-ins by country (TSV)"),
    ("fy2022-by-country.json", JSON_TYPE, "FY2022 book-ins by country (JSON)"),
    ("fy2022-by-country.xlsx", XLSX_TYPE, "FY2022 book-ins by country (Excel)"),
    ("fy2022-by-country.ods", ODS_TYPE, "FY2022 book-ins by country (OpenDocument)"),
    ("fy2022-report.pdf", PDF_TYPE, "FY2022 annual report (PDF)"),
    ("fy2022-report.docx", DOCX_TYPE, "FY2022 annual report (Word)"),
    ("fy2022-all-tables.zip", ZIP_TYPE, "All FY2022 tables (ZIP)"),
)

RELEASE_BUILDERS = {
    "csv": aggregate_csv,
    "tsv": lambda: aggregate_csv("\t"),
    "json": aggregate_json,
    "xlsx": aggregate_xlsx,
    "ods": aggregate_ods,
    "pdf": aggregate_pdf,
    "docx": aggregate_docx,
    "zip": aggregate_zip,
}
