"""What a WARC/ARC record's header says, and whether its length and fields can be trusted
(:mod:`indexer.warc_reader` looks for the next record inside one that cannot be)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import iso_date_to_datetime

CAPTURE_TYPES = ("response", "resource", "revisit")
WARC_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
_ONCE_ONLY = ("warc-type", "warc-record-id", "warc-date", "warc-target-uri", "content-length")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def parse_date(value: str | None) -> datetime | None:
    """WARC-Date as an aware UTC datetime; None when missing or not a date."""
    if not value:
        return None
    try:
        parsed = iso_date_to_datetime(value.strip())
    except (ValueError, TypeError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def clean_uri(value: str | None) -> str:
    uri = (value or "").strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    return uri


def rec_label(record: ArcWarcRecord) -> str:
    uri = clean_uri(record.rec_headers.get_header("WARC-Target-URI"))
    return f"{record.rec_type} record of {uri}" if uri else f"{record.rec_type} record"


def header_broken(record: ArcWarcRecord) -> bool:
    """A record of no WARC type, or repeating a field WARC allows once (the header of a cut record
    running into the next record's), or a capture record without a valid WARC-Date or
    WARC-Target-URI."""
    headers = record.rec_headers
    if (record.rec_type or "") not in WARC_TYPES:
        return True
    names = [name.lower() for name, _value in headers.headers]
    if any(names.count(name) > 1 for name in _ONCE_ONLY):
        return True
    if record.rec_type not in CAPTURE_TYPES:
        return False
    uri = clean_uri(headers.get_header("WARC-Target-URI"))
    return parse_date(headers.get_header("WARC-Date")) is None or not absolute(uri)


def absolute(uri: str) -> bool:
    """WARC-Target-URI must be an absolute URI (a scheme, then ':')."""
    return _SCHEME.match(uri) is not None


def short_by(record: ArcWarcRecord) -> int:
    """Bytes the record's block is shorter than its Content-Length (0 when complete)."""
    limit = getattr(record.raw_stream, "limit", 0)
    return int(limit) if isinstance(limit, int) and limit > 0 else 0
