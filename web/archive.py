"""Archived captures for display: the catalog row, the WARC record's payload, its text and tables.

Records are read with warcio at the (warc_file, warc_offset) the catalog stores; a revisit record is
followed to the capture it refers to.  Text and tables come from the indexer's own extraction (which
uses the matcher), so the UI shows exactly what was indexed and scanned.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, select
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from core.catalog.schema import captures, findings
from core.encodings import decode_body
from core.models import Table
from core.warc_store import S3Store
from indexer.http_body import entity_stream
from indexer.record_source import open_record
from matcher.columns import safe_header, type_columns
from matcher.masking import mask_row, mask_text

MAX_PAYLOAD = 200 * 2**20
MAX_PREVIEW_ROWS = 50


class ArchiveError(LookupError):
    """The record cannot be read; the message says what to do."""


@dataclass
class Payload:
    content_type: str
    body: bytes
    truncated: bool = False
    http_headers: list[tuple[str, str]] = field(default_factory=list)


def get_capture(conn: Connection, capture_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(captures).where(captures.c.id == capture_id)).mappings().first()
    return dict(row) if row is not None else None


def content_capture(conn: Connection, capture: dict[str, Any]) -> dict[str, Any]:
    """The capture holding the payload: the capture itself, or the original of a revisit."""
    seen = {capture["id"]}
    current = capture
    while current["record_type"] == "revisit" and current.get("refers_to_capture_id"):
        target = get_capture(conn, int(current["refers_to_capture_id"]))
        if target is None or target["id"] in seen:
            break
        seen.add(target["id"])
        current = target
    return current


def read_payload(capture: dict[str, Any], data_dir: Path, store: S3Store | None = None) -> Payload:
    """The HTTP entity of the record (de-chunked, content-decoded); with ``store`` (``warc_storage: s3://``)
    a WARC file not on this machine is read from the bucket by one range read of the record."""
    path = Path(capture["warc_file"])
    if not path.is_absolute() and not path.exists():
        path = data_dir / path
    try:
        with _open_record(path, capture, store) as fh:  # here, or a range read from the store
            for record in ArchiveIterator(fh):
                if record.rec_type == "metadata" and record.rec_headers.get_header("WARC-Refers-To"):
                    raise ArchiveError("the payload of this capture was purged (`spillwatch purge`); its digests "
                                       "and length are kept in the WARC file's metadata record")
                if record.rec_type not in ("response", "resource"):
                    raise ArchiveError(f"{path}: offset {capture['warc_offset']}: a {record.rec_type} record has "
                                       "no payload; re-index the file")
                content_type = ""
                headers: list[tuple[str, str]] = []
                if record.http_headers is not None:
                    content_type = record.http_headers.get_header("Content-Type") or ""
                    headers = list(record.http_headers.headers)
                else:
                    content_type = record.rec_headers.get_header("Content-Type") or ""
                body = entity_stream(record).read(MAX_PAYLOAD + 1)
                coding = record.http_headers.get_header("Content-Encoding") if record.http_headers else ""
                if coding:  # br, zstd, stacks: decoded as the indexer decodes them
                    body = decode_body(body, coding, limit=MAX_PAYLOAD + 1).body
                return Payload(content_type, body[:MAX_PAYLOAD], len(body) > MAX_PAYLOAD, headers)
    except FileNotFoundError:
        raise ArchiveError(f"{path}: WARC file not found; it was moved or deleted after indexing — put it back "
                           "or re-index its new location") from None
    except (ArchiveLoadFailed, OSError, ValueError) as exc:
        raise ArchiveError(f"{path}: offset {capture['warc_offset']}: cannot read the record ({exc}); re-index "
                           "the file if it was rewritten") from None
    raise ArchiveError(f"{path}: offset {capture['warc_offset']}: no record there; re-index the file")


def _open_record(path: Path, capture: dict[str, Any], store: S3Store | None) -> IO[bytes]:
    """The file positioned at the capture's record; from the store when the file is not here."""
    if store is not None and not path.exists() and capture.get("warc_length"):
        return io.BytesIO(store.read_range(path, int(capture["warc_offset"]), int(capture["warc_length"])))
    # a plain WARC, a WARC inside a WACZ (stored or deflated), or a whole-file gzip (indexer.record_source)
    return open_record(path, int(capture["warc_offset"]))


@dataclass
class Extracted:
    media_type: str
    text: str
    tables: list[Table]
    errors: list[str]
    viewer_text: str | None = None  # HTML: the text with table cells masked


def extract(capture: dict[str, Any], payload: Payload) -> Extracted:
    """Text and tables exactly as the indexer extracts them (the matcher reads the tables)."""
    from indexer.extract import extract as indexer_extract
    from indexer.extract import matcher_scan, scan_into

    declared = capture["media_type_declared"] or payload.content_type
    result = indexer_extract(payload.body, capture["url"], declared, capture["media_type_sniffed"])
    scan_into(result, payload.body, capture["url"], matcher_scan())
    return Extracted(result.media_type, result.text, result.tables, result.errors, result.viewer_text)


def has_findings(conn: Connection, capture: dict[str, Any]) -> bool:
    digest = capture["payload_digest"]
    query = select(findings.c.id).where(findings.c.capture_id == capture["id"])
    if digest:
        query = select(findings.c.id).where((findings.c.capture_id == capture["id"])
                                            | (findings.c.payload_digest == digest))
    return conn.execute(query.limit(1)).first() is not None


@dataclass
class TablePreview:
    locator: str
    header: list[str]
    rows: list[list[str]]
    total_rows: int
    masked: bool
    hidden: bool = False


def mask_table(table: Table, limit: int | None = None) -> Table:
    """A copy with every cell masked by its column type (as the matcher typed it)."""
    types = [c.type for c in type_columns(table)]
    rows = table.rows if limit is None else table.rows[:limit]
    return Table(header=[safe_header(h) for h in table.header], rows=[mask_row(list(r), types) for r in rows],
                 locator=table.locator, row_count=table.total_rows, hidden=table.hidden,
                 hidden_reason=table.hidden_reason)


def preview(table: Table, masked: bool, limit: int = MAX_PREVIEW_ROWS) -> TablePreview:
    shown = mask_table(table, limit) if masked else table
    return TablePreview(table.locator, list(shown.header), [list(r) for r in shown.rows[:limit]], table.total_rows,
                        masked, table.hidden)


def mask_lines(text: str) -> str:
    return "\n".join(mask_text(line) for line in text.splitlines())
