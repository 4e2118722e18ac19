"""Raw values never leave the matcher: samples are masked, reasons quote headers and counts only."""

from __future__ import annotations

import json

import pytest

from matcher.masking import mask_date, mask_email, mask_identifier, mask_text, mask_value
from matcher.scan import scan_bytes
from spillwatch.cli import main
from tests.matcher.synthetic import corpus

POSITIVE = [c for c in corpus() if c.person]


def test_mask_examples():
    assert mask_text("Maria Hernandez") == "M**** H********"
    assert mask_date("1987-03-14") == "1987-**-**"
    assert mask_date("14/03/1987") == "1987-**-**"
    assert mask_identifier("A123456721") == "A*******21"
    assert mask_email("maria.h@gmail.com") == "m******@*****.com"
    assert mask_value("123-45-6789", "gov_id") == "***-**-**89"
    assert mask_value("34", "age") == "**"


@pytest.mark.parametrize("case", POSITIVE, ids=[c.name for c in POSITIVE])
def test_no_raw_value_in_findings(case):
    result = scan_bytes(case.data, case.filename)
    assert result.findings
    dumped = json.dumps([f.to_dict() for f in result.findings] + result.errors, ensure_ascii=False)
    leaked = [raw for raw in case.raw_values if raw and raw in dumped]
    assert leaked == []


def test_no_raw_value_in_cli_output(tmp_path, capsys, caplog):
    case = next(c for c in POSITIVE if c.name == "csv ICE-style utf-8")
    path = tmp_path / case.filename
    path.write_bytes(case.data)
    for argv in (["scan", str(path)], ["scan", "--json", str(path)]):
        assert main(argv) == 1
    out = capsys.readouterr()
    text = out.out + out.err + caplog.text
    assert "M" in text  # there is output
    assert [raw for raw in case.raw_values if raw in text] == []


def test_unexpected_exception_text_never_reaches_errors_or_logs(monkeypatch, caplog):
    import matcher.scan as scan_module

    def broken(*args, **kwargs):
        raise ValueError("could not convert 'Maria Hernandez 1987-03-14'")

    monkeypatch.setitem(scan_module.READERS, scan_module.mt.HTML, broken)
    result = scan_bytes(b"<html><body><table><tr><td>x</td></tr></table></body></html>", "page.html")
    assert result.errors == ["page.html: could not be read (ValueError in the text/html reader); the file may be "
                             "damaged. Please report it if it opens normally"]
    assert "Maria" not in caplog.text and "1987" not in caplog.text
