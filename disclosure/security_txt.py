"""RFC 9116 ``security.txt``: the fields a publisher gives for reporting a security problem.

Hand-written because the format is a few ``Field: value`` lines and no well-kept Python parser
exists on PyPI (the ones there are unmaintained single-author projects).  The parser is lenient as
RFC 9116 §2.5 asks of consumers: unknown fields are ignored, comments skipped, an OpenPGP
cleartext-signed file read through its armour (the signature itself is not checked: Spillwatch only
needs the addresses, and says the file was signed).  What the file gets wrong is listed in
``problems`` (no Contact, no or past Expires, a Contact that is not a URI), never raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from core.timestamps import as_utc

MAX_SIZE = 32 * 1024  # a security.txt is a few lines; anything larger is not read past this
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\s*:\s*(.*)$")
_URI = re.compile(r"^(mailto:[^\s@]+@[^\s@]+|https://\S+|tel:\+?[0-9 ().-]+)$", re.IGNORECASE)
SIGNED_START = "-----BEGIN PGP SIGNED MESSAGE-----"
SIGNATURE_START = "-----BEGIN PGP SIGNATURE-----"


@dataclass
class SecurityTxt:
    contacts: list[str] = field(default_factory=list)
    expires: datetime | None = None
    policy: list[str] = field(default_factory=list)
    preferred_languages: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    encryption: list[str] = field(default_factory=list)
    signed: bool = False
    problems: list[str] = field(default_factory=list)

    def expired(self, now: datetime) -> bool:
        return self.expires is not None and as_utc(self.expires) < as_utc(now)


def _unarmour(lines: list[str]) -> tuple[list[str], bool]:
    """The signed content of an OpenPGP cleartext signature (RFC 4880 §7), dash-escaping undone."""
    if not lines or lines[0].strip() != SIGNED_START:
        return lines, False
    body: list[str] = []
    in_headers = True
    for line in lines[1:]:
        if in_headers:  # "Hash: SHA256" armour headers up to the first blank line
            in_headers = bool(line.strip())
            continue
        if line.strip() == SIGNATURE_START:
            break
        body.append(line[2:] if line.startswith("- ") else line)
    return body, True


def parse_expires(value: str) -> datetime:
    """RFC 3339 / ISO 8601 date-time (``2027-01-01T00:00:00Z``); a time without zone is UTC."""
    text = value.strip().replace("z", "Z")
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def parse(data: bytes | str, now: datetime | None = None) -> SecurityTxt:
    """Read a security.txt; never raises for bad content (see ``problems``)."""
    text = data[:MAX_SIZE].decode("utf-8", "replace") if isinstance(data, bytes) else data[:MAX_SIZE]
    lines, signed = _unarmour(text.replace("\r\n", "\n").split("\n"))
    out = SecurityTxt(signed=signed)
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _FIELD.match(line)
        if match is None:
            out.problems.append(f"line {number}: not a 'Field: value' line; ignored")
            continue
        name, value = match.group(1).lower(), match.group(2).strip()
        if name == "contact":
            if _URI.match(value):
                out.contacts.append(value)
            else:
                out.problems.append(f"line {number}: Contact {value!r} is not a mailto:, https: or tel: URI")
        elif name == "expires":
            if out.expires is not None:
                out.problems.append(f"line {number}: Expires given more than once; the first is kept")
                continue
            try:
                out.expires = parse_expires(value)
            except ValueError:
                out.problems.append(f"line {number}: Expires {value!r} is not an RFC 3339 date-time")
        elif name == "policy":
            out.policy.append(value)
        elif name == "preferred-languages":
            out.preferred_languages.extend(v.strip() for v in value.split(",") if v.strip())
        elif name == "canonical":
            out.canonical.append(value)
        elif name == "encryption":
            out.encryption.append(value)
    if not out.contacts:
        out.problems.append("no Contact field: RFC 9116 requires at least one")
    if out.expires is None:
        out.problems.append("no valid Expires field: RFC 9116 requires one")
    elif out.expired(now or datetime.now(UTC)):
        out.problems.append(f"expired on {out.expires:%Y-%m-%d}: the publisher may no longer read these contacts")
    return out


def well_known_url(origin: str) -> str:
    """``https://host[:port]`` → its ``/.well-known/security.txt``."""
    return origin.rstrip("/") + "/.well-known/security.txt"
