"""The HTTP entity of a WARC record: de-chunked (:func:`entity_stream`), checked against its HTTP
Content-Length (:func:`fit_to_http_length`: a WARC Content-Length that is wrong while the HTTP body
is complete is a warning, not a lost record) and content-decoded (:func:`decoded_payload`, with
:mod:`core.encodings` under the matcher's bomb ratio)."""

from __future__ import annotations

from typing import IO

from warcio.bufferedreaders import ChunkedDataReader
from warcio.recordloader import ArcWarcRecord

from core.encodings import codings, decode_body
from indexer.errors import RecordProblem
from indexer.warc_record import WarcRecord
from matcher.limits import DEFAULT_LIMITS

_RECORD_STARTS = (b"WARC/1.", b"http://", b"https://", b"filedesc://")


def fit_to_http_length(item: WarcRecord, payload: bytes) -> bytes:
    """Compare the body with its HTTP Content-Length: sets ``body_complete``, and cuts what follows
    the body when it is the start of the next record (a WARC Content-Length too large)."""
    declared = item.headers.get("content-length", "").strip()
    if not declared.isdigit() or item.truncated:
        return payload
    size = int(declared)
    item.body_complete = len(payload) == size
    if len(payload) <= size:
        return payload
    rest = payload[size:].lstrip(b"\r\n")
    if not rest:  # the record's separator read as body: the block ends early
        item.body_complete = True
        return payload[:size]
    if rest.startswith(_RECORD_STARTS):
        item.overran, item.body_complete = len(payload) - size, True
        return payload[:size]
    return payload


def wrong_length(label: str, item: WarcRecord, how: str) -> RecordProblem:
    return RecordProblem(
        label, item.offset, f"{item.url}: the WARC Content-Length is {how}, but the HTTP body is complete "
        f"({item.headers.get('content-length')} bytes, as its HTTP Content-Length says); indexed",
        "the writer miscounted the record (e.g. CRs it stripped); rewrite the file with "
        f"`warcio recompress {label} fixed.warc.gz` for other tools", skipped=False)


def entity_stream(record: ArcWarcRecord) -> IO[bytes]:
    """The HTTP body de-chunked but still content-encoded (decoded by :mod:`core.encodings`)."""
    http = record.http_headers
    if http is not None and http.protocol and (http.get_header("Transfer-Encoding") or "").lower() == "chunked":
        return ChunkedDataReader(record.raw_stream)  # type: ignore[no-any-return]
    return record.raw_stream  # type: ignore[no-any-return]


def decoded_payload(item: WarcRecord, payload: bytes, limit: int) -> tuple[bytes, tuple[str, str] | None]:
    """The payload with its Content-Encoding undone (``item.truncated`` updated), and a (message,
    hint) when a coding is unknown or broken."""
    coding = item.headers.get("content-encoding", "")
    if not codings(coding):
        return payload, None
    decoded = decode_body(payload, coding, limit=limit, max_ratio=DEFAULT_LIMITS.max_compression_ratio)
    item.truncated = item.truncated or decoded.truncated
    return decoded.body, ((f"{item.url}: {decoded.problem}", decoded.hint) if decoded.problem else None)
