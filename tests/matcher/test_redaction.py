"""failed_redaction: text left under black boxes in PDFs; proper redactions are not findings."""

from __future__ import annotations

from core.models import FindingKind
from matcher.scan import scan_bytes
from tests.matcher import synthetic as syn


def _redactions(data: bytes):
    return [f for f in scan_bytes(data, "memo.pdf").findings if f.kind == FindingKind.failed_redaction]


def test_text_under_black_boxes_is_a_failed_redaction():
    ps = syn.people(3, 21)
    secrets = [f"{p.full} {p.a_number}" for p in ps]
    found = _redactions(syn.redacted_pdf(secrets, failed=True))
    assert len(found) == 1
    finding = found[0]
    assert finding.locator == "page 1"
    assert finding.rows == 3
    assert finding.severity.name == "high"
    assert "under 3 filled dark rectangle(s)" in finding.reasons[0]
    assert "identifiers under the boxes: 3 gov_id" in finding.reasons
    dumped = repr(finding.to_dict())
    for p in ps:
        assert p.a_number not in dumped and syn.fold(p.family) not in dumped


def test_properly_removed_redaction_is_not_a_finding():
    assert _redactions(syn.redacted_pdf(["x"] * 3, failed=False)) == []


def test_white_heading_on_black_band_is_not_a_redaction():
    assert _redactions(syn.redacted_pdf([], failed=False, light_heading=True)) == []
