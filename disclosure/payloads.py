"""The HTTP body of an archived capture, read from its WARC record (a revisit's original followed).

The web UI has its own reader with masking and purge notices (web/archive.py); the disclosure package
sits below the web floor and needs only small bodies (security.txt, the captures it re-checks), so
it reads them here with the indexer's WARC helpers and :mod:`core.encodings`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from core.catalog.schema import captures
from core.encodings import decode_body
from indexer.http_body import entity_stream
from indexer.wacz import open_source


class PayloadError(LookupError):
    """The record cannot be read; the message names the file and offset."""


def original(conn: Connection, capture: Mapping[str, Any]) -> Mapping[str, Any]:
    """The capture holding the payload: ``capture`` itself, or the original its revisit refers to."""
    seen = {capture["id"]}
    current: Mapping[str, Any] = capture
    while current["record_type"] == "revisit" and current.get("refers_to_capture_id"):
        row = conn.execute(select(captures).where(captures.c.id == current["refers_to_capture_id"])).mappings().first()
        if row is None or row["id"] in seen:
            break
        seen.add(row["id"])
        current = dict(row)
    return current


def read_body(capture: Mapping[str, Any], limit: int) -> bytes:
    """Up to ``limit`` bytes of the record's HTTP entity, content codings decoded."""
    where = f"{capture['warc_file']} at offset {capture['warc_offset']}"
    try:
        with open_source(str(capture["warc_file"])) as fh:
            fh.seek(int(capture["warc_offset"]))
            for record in ArchiveIterator(fh):
                if record.rec_type not in ("response", "resource"):
                    raise PayloadError(f"{where}: a {record.rec_type} record holds no payload")
                body = entity_stream(record).read(limit + 1)
                coding = record.http_headers.get_header("Content-Encoding") if record.http_headers else ""
                return decode_body(body, coding, limit=limit + 1).body[:limit] if coding else body[:limit]
    except FileNotFoundError:
        raise PayloadError(f"{where}: WARC file not found (moved or deleted after indexing)") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise PayloadError(f"{where}: cannot read the record ({exc})") from None
    raise PayloadError(f"{where}: no record there; re-index the file")
