"""Rewrite a WARC file without some records' payloads (``spillwatch purge``).

Each record to drop is replaced by a ``metadata`` record that keeps the evidence — the dropped
record's id, type, date, target URI, payload and block digests, length, when and why it was purged —
and refers to it (``WARC-Refers-To``).  Every other record is copied byte for byte (its gzip member
included), so its digests still hold.  The new file is written beside the old one, synced and renamed
over it: a crash leaves either the old file or the new one, never half of each.

Returns where every record went (old offset → new offset and length) so that the catalog can follow.

A whole-file gzip (one gzip stream; the indexer's offsets are positions in its decompressed data,
docs/indexer.md) is read decompressed and written back with one gzip member per record, as
``warcio recompress`` writes it: the purge is what rewrites the evidence file anyway, and the catalog
follows the moves to seekable offsets.
"""

from __future__ import annotations

import gzip
import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from indexer.warc_reader import one_gzip_stream

COPY_CHUNK = 1 << 20
PURGE_SUFFIX = ".purging"


@dataclass(frozen=True)
class PurgeNote:
    reason: str
    finding_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Moved:
    offset: int
    length: int
    purged: bool = False
    payload_digest: str = ""
    content_length: int = 0


def _evidence(headers: object, length: int, note: PurgeNote, now: datetime) -> bytes:
    get = headers.get_header  # type: ignore[attr-defined]
    fields = [
        ("purged-record-id", get("WARC-Record-ID") or ""),
        ("purged-record-type", get("WARC-Type") or ""),
        ("purged-record-date", get("WARC-Date") or ""),
        ("purged-payload-digest", get("WARC-Payload-Digest") or ""),
        ("purged-block-digest", get("WARC-Block-Digest") or ""),
        ("purged-content-length", get("Content-Length") or ""),
        ("purged-record-length", str(length)),
        ("purged-at", now.strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("purged-findings", " ".join(str(f) for f in note.finding_ids)),
        ("purged-reason", " ".join(note.reason.split())[:500]),
    ]
    return "".join(f"{name}: {value}\r\n" for name, value in fields).encode("utf-8")


def _copy(src: IO[bytes], out: IO[bytes], offset: int, length: int) -> None:
    src.seek(offset)
    left = length
    while left > 0:
        chunk = src.read(min(COPY_CHUNK, left))
        if not chunk:
            raise OSError(f"unexpected end of file at offset {offset + length - left}")
        out.write(chunk)
        left -= len(chunk)


def _copy_as_member(src: IO[bytes], out: io.BufferedWriter, offset: int, length: int) -> None:
    """A record of a decompressed stream (``length`` without its separator) as one gzip member."""
    with gzip.GzipFile(fileobj=out, mode="wb") as member:
        _copy(src, member, offset, length)  # type: ignore[arg-type]
        member.write(b"\r\n\r\n")


def rewrite_without(path: Path, drop: dict[int, PurgeNote], now: datetime | None = None) -> dict[int, Moved]:
    """Rewrite ``path`` with the records at the offsets in ``drop`` replaced by metadata records."""
    moment = now or datetime.now(UTC)
    gzipped = path.name.endswith(".gz")
    one_stream = gzipped and one_gzip_stream(path)

    def opened() -> IO[bytes]:
        return gzip.open(path, "rb") if one_stream else path.open("rb")  # type: ignore[return-value]

    temporary = path.with_name(path.name + PURGE_SUFFIX)
    moved: dict[int, Moved] = {}
    with opened() as reading, opened() as raw, temporary.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped, warc_version="1.1")
        records = ArchiveIterator(reading, no_record_parse=False)
        for record in records:
            offset = records.get_record_offset()
            headers = record.rec_headers
            records.read_to_end(record)
            length = records.get_record_length()
            start = out.tell()
            if offset not in drop:
                (_copy_as_member if one_stream else _copy)(raw, out, offset, length)  # type: ignore[operator]
                moved[offset] = Moved(start, out.tell() - start)
                continue
            body = _evidence(headers, length, drop[offset], moment)
            evidence = writer.create_warc_record(
                headers.get_header("WARC-Target-URI") or "", "metadata", payload=io.BytesIO(body),
                warc_content_type="application/warc-fields",
                warc_headers_dict={"WARC-Refers-To": headers.get_header("WARC-Record-ID") or "",
                                   "WARC-Date": moment.strftime("%Y-%m-%dT%H:%M:%SZ")})
            writer.write_record(evidence)
            moved[offset] = Moved(start, out.tell() - start, True, headers.get_header("WARC-Payload-Digest") or "",
                                  int(headers.get_header("Content-Length") or 0))
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return moved
