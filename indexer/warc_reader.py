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
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.recordloader import ArcWarcRecord

from core.digests import normalise_digest, sha1_digest
from indexer.errors import RecordProblem
from indexer.http_body import decoded_payload, entity_stream, fit_to_http_length, wrong_length
from indexer.parse_errors import is_bad_input
from indexer.read_problems import RECOMPRESS_HINT, blank_line_warnings, length_problem, problem_for
from indexer.record_starts import GZIP_MAGIC, SCAN_WINDOW, is_record_start, next_record_start
from indexer.wacz import open_source, source_size
from indexer.warc_headers import (
    CAPTURE_TYPES,
    WARC_TYPES,
    absolute,
    clean_uri,
    header_broken,
    parse_date,
    rec_label,
)
from indexer.warc_record import WarcRecord

log = logging.getLogger(__name__)



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


WHOLE_FILE_GZIP = "non-chunked gzip: the gzip member goes on after the record"


def _member_continues(iterator: ArchiveIterator) -> bool:
    """The gzip member that held the record goes on with the next record: a whole-file gzip. warcio
    notices only when it reads that record, after giving this one a length computed from the
    compressed file's position, which means nothing (even negative) inside one stream, so the file is
    read in decompressed mode instead of this record being yielded with that length. (A member that
    goes on with anything else is a record whose length is wrong: handled as such.)"""
    return iterator.reader.decompressor is not None and is_record_start(iterator.next_line or b"")


def one_gzip_stream(path: str | Path) -> bool:
    """Whether ``path`` is a whole-file gzip: its first gzip member goes on with a second record."""
    with open_source(path) as fh:
        if fh.read(2) != GZIP_MAGIC[:2]:
            return False
        fh.seek(0)
        iterator = _Iterator(fh, [])
        for _record in iterator:
            iterator.read_to_end()
            return _member_continues(iterator)
    return False


def _http_status(record: ArcWarcRecord) -> int | None:
    if record.http_headers is None or not record.http_headers.protocol:
        return None
    code = record.http_headers.get_statuscode()
    try:
        return int(code)
    except (TypeError, ValueError):
        return None


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
        # set after a record whose WARC Content-Length took in the start of the next one (its HTTP
        # body was complete): the read error that follows is the same problem, not another
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
                    if self.stopped_at is not None or self.decompressed:
                        return
                    failure = self._unread_tail(fh, offset, gzipped)
                    if failure is None:
                        return
                    yield failure[3]
                fail_offset, exc, resync_from = failure[:3]
                if isinstance(exc, ArchiveLoadFailed) and "non-chunked gzip" in str(exc):
                    yield from self._decompressed()
                    return
                overran, self.resync_from = self.resync_from, None
                if exc is not None and not (overran is not None and overran <= fail_offset):
                    yield problem_for(self.label, fail_offset, exc, gzipped)
                # after a record whose length was wrong, the next record may start inside it
                offset = self._resync(fh, resync_from + 1, gzipped, anywhere=True)
                if offset == fail_offset and exc is not None:  # the record that failed: not again
                    offset = self._resync(fh, fail_offset + 1, gzipped, anywhere=True)
                if offset is None:
                    self.next_offset = source_size(self.path)
                elif self._past_end(offset):
                    return

    def _unread_tail(self, fh: IO[bytes], started: int, gzipped: bool) -> tuple[int, None, int, RecordProblem] | None:
        """warcio stopped before the end of the file without an error (e.g. at a gzip member cut
        short): a problem for the bytes left, and where to look for the next record (None when only
        blank lines or padding are left)."""
        end = max(self.next_offset or 0, started)
        fh.seek(end)
        rest = fh.read(SCAN_WINDOW)
        if not rest.strip(b"\r\n\t \x00"):
            return None
        problem = RecordProblem(
            self.label, end, "the data here is not a record warcio can read (a gzip member or record cut "
            "short?); the reader looks for the next record", f"check the file with `warcio check {self.label}`")
        return end, None, end, problem

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

    def _iterate(self, fh: IO[bytes], start: int, outcome: list[Any]) -> Iterator[WarcRecord | RecordProblem]:
        """Records from ``start`` until the end, or until a record that cannot be read or whose length
        cannot be trusted: ``outcome`` then gets (offset, exception or None, where to look again)."""
        warnings: list[tuple[int, bytes]] = []
        iterator = _Iterator(fh, warnings)
        current = start
        previous: int | None = None  # the last record read: a wrong length there may hide the next one
        try:
            for record in iterator:
                current = iterator.offset
                if self._past_end(current):
                    return
                item, problems = self._convert(record)
                # read_to_end: gives the record's offset and length, and moves to the next record
                offset = iterator.get_record_offset()
                length = iterator.get_record_length()
                bad_length = length_problem(self.label, record, item.url if item is not None else "", offset)
                # a record read whole whose gzip member goes on: one stream, where its length means nothing
                if bad_length is None and not header_broken(record) and _member_continues(iterator):
                    outcome.append((offset, ArchiveLoadFailed(WHOLE_FILE_GZIP), offset))
                    return
                self.records_read += 1
                if bad_length is not None and item is not None and item.body_complete:
                    problems.append(wrong_length(self.label, item, "longer than the record"))
                elif bad_length is not None:
                    problems.append(bad_length)
                    item = None
                # a capture without a date or URL: its header may have swallowed the next record's
                untrusted = bad_length is not None or header_broken(record)
                if item is not None:
                    item.offset, item.length = offset, length
                    if item.overran:  # the missing blank lines after it are the same problem
                        problems.append(wrong_length(self.label, item, f"{item.overran} byte(s) too large"))
                        self.resync_from, item.length = offset + 1, length - item.overran
                        warnings.clear()
                yield from blank_line_warnings(self.label, warnings)
                for problem in problems:
                    yield RecordProblem(self.label, offset, problem.message, problem.hint, problem.skipped)
                if untrusted:  # its end is unknown: look for the next record after its start
                    if item is not None:  # its HTTP body is whole: kept, with the warning above
                        yield item
                    outcome.append((offset, None, offset))
                    return
                if item is not None:
                    yield item
                previous = offset
                self.next_offset = offset + length
        except Exception as exc:  # bad input is this record's problem (parse_errors); a bug is raised
            if not is_bad_input(exc):
                raise
            failed_at = iterator.offset if iterator.offset >= current else current
            # the record before may have had a wrong length: the next one may start inside it
            resync_from = previous if previous is not None else failed_at
            yield from blank_line_warnings(self.label, warnings)
            outcome.append((failed_at, exc, resync_from))

    def _convert(self, record: ArcWarcRecord) -> tuple[WarcRecord | None, list[RecordProblem]]:
        """Turn warcio's record into a :class:`WarcRecord`; payload read for captures only."""
        headers = record.rec_headers
        rec_type = record.rec_type or ""
        date = parse_date(headers.get_header("WARC-Date"))
        url = clean_uri(headers.get_header("WARC-Target-URI"))
        problems: list[RecordProblem] = []
        if rec_type not in WARC_TYPES:
            problems.append(RecordProblem(self.label, 0, f"record of unknown WARC-Type {rec_type[:40]!r}",
                                          f"a damaged header? check the file with `warcio check {self.label}`"))
            return None, problems
        if header_broken(record) and (rec_type not in CAPTURE_TYPES or (date is not None and absolute(url))):
            problems.append(RecordProblem(self.label, 0, f"{rec_label(record)[:200]} repeats a WARC header "
                                          "field that may appear once (its header runs into another record's?)",
                                          f"check the file with `warcio check {self.label}`"))
            return None, problems
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
        if not absolute(url):
            problems.append(RecordProblem(self.label, 0, f"{rec_type} record has no valid WARC-Target-URI "
                                          f"({url[:80]!r})", "every response/resource/revisit record needs "
                                          "WARC-Target-URI, an absolute URI such as https://host/path"))
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
            item.refers_to_uri = clean_uri(headers.get_header("WARC-Refers-To-Target-URI"))
            item.refers_to_date = parse_date(headers.get_header("WARC-Refers-To-Date"))
            return item, problems
        try:
            stream = entity_stream(record)
            payload = stream.read(self.max_payload)
            item.truncated = bool(stream.read(1))
        except Exception as exc:  # bad input is this record's problem (parse_errors); a bug is raised
            if not is_bad_input(exc):
                raise
            problems.append(RecordProblem(
                self.label, 0, f"payload of {url} cannot be decoded: {exc.__class__.__name__}: "
                f"{' '.join(str(exc).split())[:200]}",
                "the HTTP body is not valid for its Transfer-Encoding/Content-Encoding; "
                f"`warcio check {self.label}` shows the record"))
            return None, problems
        payload = fit_to_http_length(item, payload)
        payload, decode_problem = decoded_payload(item, payload, self.max_payload)
        if decode_problem:
            problems.append(RecordProblem(self.label, 0, *decode_problem, skipped=False))
        item.payload = payload
        item.payload_size = len(payload)
        if not item.payload_digest:
            item.payload_digest = sha1_digest(payload)
        return item, problems

    @staticmethod
    def _resync(fh: IO[bytes], start: int, gzipped: bool, anywhere: bool = False) -> int | None:
        return next_record_start(fh, start, gzipped, anywhere)

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
            if outcome and outcome[0][1] is not None:  # no resync in a stream: the rest is lost
                yield problem_for(self.label, outcome[0][0], outcome[0][1], gzipped=False)
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
    except StopIteration:
        problems = []
    except Exception as exc:  # bad input: tried again as a whole-file gzip below; a bug is raised
        if not is_bad_input(exc):
            raise
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
    except StopIteration:
        problems = []
    except Exception as exc:  # bad input: reported as a LookupError below; a bug is raised
        if not is_bad_input(exc):
            raise
        problems = [RecordProblem(str(path), offset, f"{exc.__class__.__name__}: {exc}", "")]
    detail = "; ".join(p.message for p in problems) or "no readable record starts there"
    raise LookupError(f"{path}: offset {offset}: {detail}; re-index the file if it was rewritten")
