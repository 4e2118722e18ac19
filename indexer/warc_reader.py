"""Read WARC and ARC files (gzip or plain) from any crawler, one record at a time, with warcio.

A broken record never stops the file: :class:`WarcReader` yields a :class:`RecordProblem` (file,
offset, what is wrong, how to fix it), looks for the next record start (the next gzip member that
holds a WARC header, or the next ``WARC/1.`` line in a plain file) and carries on from there.  A gzip
file that is one gzip stream instead of one member per record (not seekable, so not replayable) is
read through a decompressing stream; its offsets are then positions in the decompressed data and
the problem says to run ``warcio recompress``.

Offsets and lengths are those of the whole record (gzip member for compressed files), as in CDX
indexes, so :func:`read_record_at` and pywb can seek straight to a record.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeadersParserException
from warcio.timeutils import iso_date_to_datetime

from core.digests import normalise_digest, sha1_digest
from indexer.errors import RecordProblem
from indexer.http_body import decoded_payload, entity_stream, fit_to_http_length, wrong_length
from indexer.wacz import open_source, source_size
from indexer.warc_record import WarcRecord

log = logging.getLogger(__name__)

GZIP_MAGIC = b"\x1f\x8b\x08"
CAPTURE_TYPES = ("response", "resource", "revisit")
# Errors warcio and zlib raise on malformed input.
READ_ERRORS = (ArchiveLoadFailed, StatusAndHeadersParserException, EOFError, zlib.error, ValueError,
               OSError, IndexError, KeyError, TypeError, UnicodeDecodeError)
_SCAN_WINDOW = 1 << 20
RECOMPRESS_HINT = ("rewrite the file with one gzip member per record: "
                   "`warcio recompress {path} fixed.warc.gz`, then index fixed.warc.gz")


class _Iterator(ArchiveIterator):  # type: ignore[misc]
    """warcio's iterator, reporting "record not followed by a blank line" as a problem instead of
    writing it to stderr."""

    def __init__(self, fileobj: IO[bytes], warnings: list[tuple[int, bytes]]) -> None:
        super().__init__(fileobj, arc2warc=True)
        self._warnings = warnings

    def _consume_blanklines(self) -> tuple[bytes | None, int]:
        empty_size = 0
        first_line = True
        while True:
            line = self.reader.readline()
            if len(line) == 0:
                return None, empty_size
            stripped = line.rstrip()
            if len(stripped) == 0 or first_line:
                empty_size += len(line)
                if len(stripped) != 0:
                    err_offset = self.fh.tell() - self.reader.rem_length() - empty_size
                    self._warnings.append((err_offset, bytes(line[:40])))
                    self.err_count += 1
                first_line = False
                continue
            return line, empty_size


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = iso_date_to_datetime(value.strip())
    except (ValueError, TypeError, IndexError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _clean_uri(value: str | None) -> str:
    uri = (value or "").strip()
    if uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    return uri


def _http_status(record: ArcWarcRecord) -> int | None:
    if record.http_headers is None or not record.http_headers.protocol:
        return None
    code = record.http_headers.get_statuscode()
    try:
        return int(code)
    except (TypeError, ValueError):
        return None


def rec_label(record: ArcWarcRecord) -> str:
    uri = _clean_uri(record.rec_headers.get_header("WARC-Target-URI"))
    return f"{record.rec_type} record of {uri}" if uri else f"{record.rec_type} record"


def _short_by(record: ArcWarcRecord) -> int:
    """Bytes the record's block is shorter than its Content-Length (0 when complete)."""
    limit = getattr(record.raw_stream, "limit", 0)
    return int(limit) if isinstance(limit, int) and limit > 0 else 0


class WarcReader:
    """Iterate over a WARC/ARC file from ``start_offset``; yields :class:`WarcRecord` for every
    record (captures get their payload read) and :class:`RecordProblem` for what is broken.

    After iteration, ``next_offset`` is where a resumed run starts (None in decompressed mode,
    where offsets cannot be seeked to), ``decompressed`` tells whether that mode was used.

    ``end_offset``: stop before the first record that starts at or after it (``stopped_at`` is then
    that record's offset; None when the file ended first).  Not applied in decompressed mode.
    """

    def __init__(self, path: str | Path, start_offset: int = 0, max_payload: int = 200 * 2**20,
                 end_offset: int | None = None) -> None:
        self.path = Path(path)
        self.label = str(path)
        self.start_offset = start_offset
        self.end_offset = end_offset
        self.stopped_at: int | None = None
        self.max_payload = max_payload
        self.next_offset: int | None = start_offset
        self.decompressed = False
        self.records_read = 0
        self.resync_from: int | None = None

    def __iter__(self) -> Iterator[WarcRecord | RecordProblem]:
        with open_source(self.path) as fh:
            gzipped = fh.read(2) == GZIP_MAGIC[:2]
            offset: int | None = self.start_offset
            while offset is not None:
                fh.seek(offset)
                outcome: list[Any] = []
                yield from self._iterate(fh, offset, outcome)
                failure = outcome[0] if outcome else None
                if failure is None:
                    return
                fail_offset, exc = failure
                if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
                    yield from self._decompressed()
                    return
                overran, self.resync_from = self.resync_from, None
                if overran is not None and overran <= fail_offset:
                    # the record before took in the start of this one: look for it from there
                    offset = self._resync(fh, overran, gzipped)
                else:
                    yield self._problem_for(fail_offset, exc, gzipped)
                    offset = self._resync(fh, fail_offset + 1, gzipped)
                if offset is None:
                    self.next_offset = source_size(self.path)
                elif self._past_end(offset):
                    return

    def _past_end(self, offset: int) -> bool:
        if self.end_offset is None or self.decompressed or offset < self.end_offset:
            return False
        self.stopped_at = offset
        return True

    def find_record_start(self, fh: IO[bytes], offset: int) -> int | None:
        """Offset of the first record start at or after ``offset`` (a gzip member holding a WARC/ARC
        header, or a ``WARC/1.`` line in a plain file); None when there is none.  It may be a false
        start (a record stored inside another's payload): readers that split a file at such offsets
        check that the part before ends exactly there."""
        fh.seek(0)
        return self._resync(fh, offset, fh.read(2) == GZIP_MAGIC[:2])

    def _problem_for(self, offset: int, exc: BaseException, gzipped: bool) -> RecordProblem:
        text = " ".join(str(exc).split())[:300] or exc.__class__.__name__
        if isinstance(exc, zlib.error) or (gzipped and "gzip" in text.lower()):
            hint = "the gzip data is damaged here; " + RECOMPRESS_HINT.format(path=self.label)
        elif isinstance(exc, EOFError):
            hint = "the file ends inside a record (an interrupted write?); re-crawl to replace it"
        else:
            hint = ("the record header is not valid WARC/ARC; check the file with `warcio check "
                    f"{self.label}`; the next readable record is indexed")
        return RecordProblem(self.label, offset, f"unreadable record: {exc.__class__.__name__}: {text}", hint)

    def _iterate(self, fh: IO[bytes], start: int, outcome: list[Any]) -> Iterator[WarcRecord | RecordProblem]:
        warnings: list[tuple[int, bytes]] = []
        iterator = _Iterator(fh, warnings)
        current = start
        try:
            for record in iterator:
                current = iterator.offset
                if self._past_end(current):
                    return
                item, problems = self._convert(record)
                # read_to_end: gives the record's offset and length, and moves to the next record
                offset = iterator.get_record_offset()
                length = iterator.get_record_length()
                self.records_read += 1
                short = _short_by(record)
                if short and item is not None and item.body_complete:
                    problems.append(wrong_length(self.label, item, f"{short} byte(s) longer than the record"))
                elif short:
                    label = item.url if item is not None and item.url else rec_label(record)
                    problems.append(RecordProblem(
                        self.label, offset, f"{label} is cut short: {short} byte(s) of its Content-Length "
                        "are missing (the file is truncated or a gzip member ends inside the record)",
                        "re-crawl the URL, or rebuild the file with `warcio recompress` if the data is all "
                        "there"))
                    item = None
                if item is not None:
                    item.offset, item.length = offset, length
                    if item.overran:  # the missing blank lines after it are the same problem
                        problems.append(wrong_length(self.label, item, f"{item.overran} byte(s) too large"))
                        self.resync_from, item.length = offset + 1, length - item.overran
                        warnings.clear()
                for warn_offset, line in warnings:
                    yield RecordProblem(
                        self.label, warn_offset,
                        f"record not followed by the blank lines WARC requires (found {line!r}); its "
                        "Content-Length is probably wrong",
                        f"the record before offset {warn_offset} may be cut short; check the file with "
                        f"`warcio check {self.label}`", skipped=False)
                warnings.clear()
                for problem in problems:
                    yield RecordProblem(self.label, offset, problem.message, problem.hint, problem.skipped)
                if item is not None:
                    yield item
                self.next_offset = offset + length
        except READ_ERRORS as exc:
            outcome.append((iterator.offset if iterator.offset >= current else current, exc))

    def _convert(self, record: ArcWarcRecord) -> tuple[WarcRecord | None, list[RecordProblem]]:
        """Turn warcio's record into a :class:`WarcRecord`; payload read for captures only."""
        headers = record.rec_headers
        rec_type = record.rec_type or ""
        date = _date(headers.get_header("WARC-Date"))
        url = _clean_uri(headers.get_header("WARC-Target-URI"))
        problems: list[RecordProblem] = []
        item = WarcRecord(path=self.label, offset=0, length=0, rec_type=rec_type, url=url,
                          date=date or datetime.fromtimestamp(0, UTC),
                          record_id=headers.get_header("WARC-Record-ID") or "")
        if rec_type not in CAPTURE_TYPES:
            return item, problems
        if date is None:
            problems.append(RecordProblem(self.label, 0, f"{rec_type} record has no valid WARC-Date "
                                          f"({headers.get_header('WARC-Date')!r})",
                                          "the WARC header must carry WARC-Date as an ISO 8601 UTC time"))
            return None, problems
        if not url:
            problems.append(RecordProblem(self.label, 0, f"{rec_type} record has no WARC-Target-URI",
                                          "every response/resource/revisit record needs WARC-Target-URI"))
            return None, problems
        item.status = _http_status(record)
        http = record.http_headers if record.http_headers is not None and record.http_headers.protocol else None
        if http is not None:
            for name in ("Content-Type", "ETag", "Last-Modified", "Location", "Content-Length",
                         "Content-Encoding"):
                value = http.get_header(name)
                if value is not None:
                    item.headers[name.lower()] = value
            item.content_type = item.headers.get("content-type", "")
        else:
            item.content_type = headers.get_header("Content-Type") or ""
        item.payload_digest = normalise_digest(headers.get_header("WARC-Payload-Digest") or "")
        item.warc_truncated = headers.get_header("WARC-Truncated") or ""
        if rec_type == "revisit":
            item.refers_to_uri = _clean_uri(headers.get_header("WARC-Refers-To-Target-URI"))
            item.refers_to_date = _date(headers.get_header("WARC-Refers-To-Date"))
            return item, problems
        try:
            stream = entity_stream(record)
            payload = stream.read(self.max_payload)
            item.truncated = bool(stream.read(1))
        except READ_ERRORS as exc:
            problems.append(RecordProblem(
                self.label, 0, f"payload of {url} cannot be decoded: {exc.__class__.__name__}: "
                f"{' '.join(str(exc).split())[:200]}",
                "the HTTP body is not valid for its Transfer-Encoding/Content-Encoding; "
                f"`warcio check {self.label}` shows the record"))
            return None, problems
        payload = fit_to_http_length(item, payload)
        payload, problem = decoded_payload(item, payload, self.max_payload)
        if problem:
            problems.append(RecordProblem(self.label, 0, *problem, skipped=False))
        item.payload = payload
        item.payload_size = len(payload)
        if not item.payload_digest:
            item.payload_digest = sha1_digest(payload)
        return item, problems

    def _resync(self, fh: IO[bytes], start: int, gzipped: bool) -> int | None:
        """Offset of the next record start at or after ``start``, or None at end of file."""
        position = start
        while True:
            fh.seek(position)
            window = fh.read(_SCAN_WINDOW + 16)
            if not window:
                return None
            search_from = 0
            while True:
                if gzipped:
                    hit = window.find(GZIP_MAGIC, search_from)
                    if hit < 0:
                        break
                    if self._member_holds_record(fh, position + hit):
                        return position + hit
                else:
                    hit = window.find(b"WARC/1.", search_from)
                    if hit < 0:
                        break
                    if hit == 0 or window[hit - 1:hit] == b"\n":
                        return position + hit
                search_from = hit + 1
            if len(window) <= _SCAN_WINDOW:
                return None
            position += _SCAN_WINDOW

    @staticmethod
    def _member_holds_record(fh: IO[bytes], offset: int) -> bool:
        fh.seek(offset)
        data = fh.read(4096)
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, 64)
        except zlib.error:
            return False
        return head.startswith(b"WARC/") or head[:8].lower().startswith((b"http://", b"https://", b"filedesc"))

    def _decompressed(self) -> Iterator[WarcRecord | RecordProblem]:
        """Read a whole-file gzip WARC through a decompressing stream (offsets in decompressed data)."""
        self.decompressed = True
        self.next_offset = None
        yield RecordProblem(
            self.label, 0,
            "the file is one gzip stream, not one gzip member per record, so its records cannot be "
            "seeked to; indexed from the decompressed data (offsets are positions in it)",
            RECOMPRESS_HINT.format(path=self.label), skipped=False)
        skip = self.records_read
        self.records_read = 0
        with open_source(self.path) as raw, gzip.open(raw, "rb") as stream:
            outcome: list[Any] = []
            for item in self._iterate(stream, 0, outcome):  # type: ignore[arg-type]
                if isinstance(item, WarcRecord) and self.records_read <= skip:
                    continue
                yield item
            if outcome:
                yield self._problem_for(outcome[0][0], outcome[0][1], gzipped=False)
        self.next_offset = None


def read_record_at(path: str | Path, offset: int, max_payload: int = 200 * 2**20) -> WarcRecord:
    """The record at ``offset`` (as stored in the catalog), payload included.

    Falls back to the decompressed stream for whole-file gzip WARCs (see :class:`WarcReader`).
    Raises ``LookupError`` with a message saying what to do when there is no record there.
    """
    reader = WarcReader(path, start_offset=offset, max_payload=max_payload)
    try:
        with open_source(path) as fh:
            fh.seek(offset)
            warnings: list[tuple[int, bytes]] = []
            iterator = _Iterator(fh, warnings)
            record = next(iter(iterator))
            item, problems = reader._convert(record)
            if item is not None:
                item.offset = offset
                item.length = iterator.get_record_length()
                return item
    except FileNotFoundError:
        raise LookupError(f"{path}: WARC file not found; it was moved or deleted after indexing — "
                          "put it back or re-index its new location") from None
    except (StopIteration, *READ_ERRORS):
        problems = []
    # whole-file gzip: offsets are positions in the decompressed stream
    try:
        with open_source(path) as raw, gzip.open(raw, "rb") as stream:
            stream.seek(offset)
            iterator = _Iterator(stream, [])  # type: ignore[arg-type]
            record = next(iter(iterator))
            item, problems = reader._convert(record)
            if item is not None:
                item.offset = offset
                return item
    except (StopIteration, gzip.BadGzipFile, *READ_ERRORS) as exc:
        problems = [RecordProblem(str(path), offset, f"{exc.__class__.__name__}: {exc}", "")]
    detail = "; ".join(p.message for p in problems) or "no readable record starts there"
    raise LookupError(f"{path}: offset {offset}: {detail}; re-index the file if it was rewritten")
