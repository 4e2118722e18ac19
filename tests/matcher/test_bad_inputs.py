"""Hostile and broken files: one clear per-file error each, and the scan goes on."""

from __future__ import annotations

import json

import pytest

from matcher.scan import scan_bytes, scan_file
from spillwatch.cli import main
from tests.matcher.badfiles import BAD_FILES
from tests.matcher.synthetic import ice_table, people, to_csv

EXPECTED = {
    "bomb.zip": "possible zip bomb",
    "nested.zip": "nested deeper than 3 levels",
    "entities.xlsx": "entity declarations",
    "entities.docx": "entity declarations",
    "truncated.xlsx": "truncated or damaged XLSX",
    "broken.pdf": "malformed PDF",
    "garbage.csv": "binary data",
    "oneline.csv": "a line longer than",
    "wide.csv": "10,000 columns",
    "protected.xlsx": "encrypted, not scanned",
    "far.xlsx": "spans 1,048,576 rows x 16,384 columns",
}


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    for name, build in BAD_FILES.items():
        (folder / name).write_bytes(build())
    (folder / "zz_good.csv").write_bytes(to_csv(ice_table(people(12, 41))))
    return folder


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_gives_one_clear_error(bad_dir, name):
    path = bad_dir / name
    result = scan_file(path)
    assert result.findings == []
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.startswith(str(path))
    assert EXPECTED[name] in error


def test_bad_bytes_without_a_name_are_labelled():
    result = scan_bytes(BAD_FILES["garbage.csv"]())
    assert result.errors[0].startswith("<bytes>: binary data")


def test_scan_goes_on_after_bad_files(bad_dir, capsys):
    assert main(["scan", "--json", str(bad_dir)]) == 2
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == len(BAD_FILES) + 1
    by_name = {line["path"].rsplit("/", 1)[1]: line for line in lines}
    for name, expected in EXPECTED.items():
        assert expected in by_name[name]["errors"][0]
    good = by_name["zz_good.csv"]
    assert good["errors"] == [] and good["findings"][0]["kind"] == "person_table"


def test_encrypted_is_sniffed_by_content_not_name(bad_dir):
    result = scan_bytes((bad_dir / "protected.xlsx").read_bytes(), "renamed.bin")
    assert result.media_type == "application/x-tika-ooxml-protected"
    assert "encrypted, not scanned" in result.errors[0]


def test_wide_but_short_sheet_is_still_scanned():
    from tests.matcher.synthetic import to_xlsx

    grid = [[f"h{j}" for j in range(300)]] + [[str(i * j) for j in range(300)] for i in range(20)]
    result = scan_bytes(to_xlsx([("Wide", grid, "visible")]), "wide.xlsx")
    assert result.errors == []
    assert result.tables[0].row_count == 20


def _encrypted_pdf(user_password: str) -> bytes:
    import io

    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    encryption = pdfencrypt.StandardEncryption(user_password, ownerPassword="owner", strength=128)
    page = canvas.Canvas(out, encrypt=encryption)
    page.drawString(72, 720, "Memo")
    page.save()
    return out.getvalue()


def test_password_protected_pdf_is_not_scanned():
    result = scan_bytes(_encrypted_pdf("secret"), "memo.pdf")
    assert result.errors == ["memo.pdf: encrypted, not scanned (password-protected PDF); "
                             "ask the publisher for an unprotected copy"]


def test_pdf_with_owner_password_only_is_scanned():
    assert scan_bytes(_encrypted_pdf(""), "memo.pdf").errors == []
