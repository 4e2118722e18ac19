"""Hostile and broken inputs, generated at test time."""

from __future__ import annotations

import io
import random
import zipfile

from tests.matcher import synthetic as syn

BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b']>\n<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def _replace_member(container: bytes, name: str, payload: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(container))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, payload if item.filename == name else src.read(item.filename))
    return out.getvalue()


def person_xlsx() -> bytes:
    return syn.to_xlsx([("People", syn.english_table(syn.people(10, 31)), "visible")])


def zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.csv", "w") as member:
        chunk = b"\0" * (1 << 20)
        for _ in range(64):
            member.write(chunk)
    return out.getvalue()


def nested_zip(depth: int = 5) -> bytes:
    data = syn.to_csv(syn.ice_table(syn.people(5, 32)))
    name = "inner.csv"
    for level in range(depth):
        data = syn.to_zip({name: data})
        name = f"level{level}.zip"
    return data


def xlsx_entity_bomb() -> bytes:
    return _replace_member(person_xlsx(), "xl/worksheets/sheet1.xml", BILLION_LAUGHS)


def docx_entity_bomb() -> bytes:
    docx = syn.to_docx(syn.english_table(syn.people(5, 33)))
    bomb = BILLION_LAUGHS.replace(b"<worksheet", b'<w:document xmlns:w="x"')
    bomb = bomb.replace(b"</worksheet>", b"</w:document>")
    return _replace_member(docx, "word/document.xml", bomb)


def truncated_xlsx() -> bytes:
    data = person_xlsx()
    return data[: len(data) // 2]


def malformed_pdf() -> bytes:
    rng = random.Random(5)
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + bytes(rng.randrange(256) for _ in range(4000))


def binary_garbage() -> bytes:
    rng = random.Random(6)
    return bytes(rng.randrange(256) for _ in range(100_000))


def single_line(size: int = 50 * 1024 * 1024) -> bytes:
    return b"a," * (size // 2)


def wide_csv(columns: int = 10_000) -> bytes:
    header = ",".join(f"c{j}" for j in range(columns))
    row = ",".join(str(j) for j in range(columns))
    return (header + "\n" + row + "\n" + row + "\n").encode()


def encrypted_xlsx(password: str = "secret") -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(person_xlsx())).encrypt(password, out)
    return out.getvalue()


def far_apart_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576: calamine would allocate the whole 17-billion-cell grid."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active["A1"] = "x"
    wb.active["XFD1048576"] = "y"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


BAD_FILES = {
    "bomb.zip": zip_bomb,
    "nested.zip": nested_zip,
    "entities.xlsx": xlsx_entity_bomb,
    "entities.docx": docx_entity_bomb,
    "truncated.xlsx": truncated_xlsx,
    "broken.pdf": malformed_pdf,
    "garbage.csv": binary_garbage,
    "oneline.csv": single_line,
    "wide.csv": wide_csv,
    "protected.xlsx": encrypted_xlsx,
    "far.xlsx": far_apart_xlsx,
}
