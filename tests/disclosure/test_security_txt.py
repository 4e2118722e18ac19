"""RFC 9116 security.txt: fields read leniently, problems listed, signed files read through the armour."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from disclosure.security_txt import parse

NOW = datetime(2026, 12, 2, tzinfo=UTC)
PLAIN = """# Our security address
Contact: mailto:security@agency.example
Contact: https://agency.example/report
Expires: 2027-06-30T23:59:59Z
Preferred-Languages: en, es
Policy: https://agency.example/vdp
Canonical: https://agency.example/.well-known/security.txt
"""
SIGNED = """-----BEGIN PGP SIGNED MESSAGE-----
Hash: SHA256

Contact: mailto:psirt@agency.example
Expires: 2027-01-01T00:00:00.000Z
- -----not a header, dash-escaped
-----BEGIN PGP SIGNATURE-----

iHUEARYKAB0WIQ==
-----END PGP SIGNATURE-----
"""

CASES = [
    # (name, text, contacts, problem substrings)
    ("plain", PLAIN, ["mailto:security@agency.example", "https://agency.example/report"], []),
    ("signed", SIGNED, ["mailto:psirt@agency.example"], ["not a 'Field: value' line"]),
    ("crlf and case", "contact: mailto:a@b.example\r\nEXPIRES: 2027-01-01T00:00:00Z\r\n", ["mailto:a@b.example"], []),
    ("expired", "Contact: mailto:a@b.example\nExpires: 2020-01-01T00:00:00Z\n", ["mailto:a@b.example"],
     ["expired on 2020-01-01"]),
    ("no expires", "Contact: tel:+1-202-555-0100\n", ["tel:+1-202-555-0100"], ["no valid Expires"]),
    ("bad contact", "Contact: security@agency.example\nExpires: 2027-01-01T00:00:00Z\n", [],
     ["not a mailto:, https: or tel: URI", "no Contact field"]),
    ("html 200 page", "<html><body>Not found</body></html>", [], ["no Contact field", "not a 'Field: value'"]),
    ("bad date", "Contact: mailto:a@b.example\nExpires: next year\n", ["mailto:a@b.example"], ["not an RFC 3339"]),
]


@pytest.mark.parametrize(("name", "text", "contacts", "problems"), CASES, ids=[c[0] for c in CASES])
def test_security_txt_cases(name: str, text: str, contacts: list[str], problems: list[str]) -> None:
    parsed = parse(text.encode(), NOW)
    assert parsed.contacts == contacts
    for expected in problems:
        assert any(expected in p for p in parsed.problems), (expected, parsed.problems)
    if not problems:
        assert parsed.problems == []


def test_fields_and_signature_flag() -> None:
    plain, signed = parse(PLAIN, NOW), parse(SIGNED, NOW)
    assert plain.preferred_languages == ["en", "es"] and plain.policy == ["https://agency.example/vdp"]
    assert plain.expires == datetime(2027, 6, 30, 23, 59, 59, tzinfo=UTC) and not plain.signed
    assert signed.signed and signed.expires == datetime(2027, 1, 1, tzinfo=UTC)


def test_huge_file_is_read_only_up_to_the_limit() -> None:
    parsed = parse(b"Contact: mailto:a@b.example\n" + b"#" * 10_000_000, NOW)
    assert parsed.contacts == ["mailto:a@b.example"]
