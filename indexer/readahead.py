"""Reading ahead: read-ahead processes read a WARC file and extract its pages while the indexer
plans and writes, so an index run uses more CPU cores than one.

Each read-ahead process runs :class:`~indexer.warc_reader.WarcReader` and, for every
response/resource record with content, does what needs no catalog: sniffing the media type,
extracting the title, visible text and links (:func:`indexer.extract.extract`), the URL's and the
links' SURTs, and — when the indexer runs the matcher in its own process (the CLI) — the matcher.
With several processes, the file is cut into segments of about ``SEGMENT_BYTES`` that they take in
turn.  Records go to the indexer in file order, in chunks, as plain tuples, through one bounded
queue per process (at most ``QUEUE_CHUNKS`` chunks wait, so memory stays bounded however far the
readers get ahead).  The indexer still decides everything (new, changed, same) and writes: the
readers' work is a head start it may use or ignore, never a decision.

What the readers leave out:
- records an earlier run indexed (their offsets are passed in) and records whose URL already had
  the same payload digest earlier in the reader's part of the file: their payload is dropped
  (``payload_dropped``); should the indexer need it after all, it reads the record again;
- the payload of an extracted page without a ``<table>``, and of anything already scanned (only
  the matcher reads payloads).

The processes are forked when this process runs no other thread (cheap, nothing to import again)
and spawned otherwise (forking a threaded process, such as ``spillwatch run``, can copy a lock held
by another thread).  If one dies (killed, out of memory) or fails, or a segment does not start where
the one before it stopped, the indexer reads the rest of the file in its own process from the end
of the last record it received (in decompressed mode, where offsets cannot be seeked to: the whole
file again, without the items already passed on).
"""

from __future__ import annotations

import gc
import itertools
import logging
import multiprocessing
import queue
import threading
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import TracebackType
from typing import Any

from core.models import Finding, Table
from indexer import media_types
from indexer.errors import RecordProblem
from indexer.extract import Extraction, extract, scan_into, scannable
from indexer.links import link_values
from indexer.prepared import Prepared
from indexer.records import holds_content, is_indexable_url
from indexer.surt import host_of, surt_key
from indexer.wacz import open_source, source_size
from indexer.warc_reader import CAPTURE_TYPES, WarcReader, WarcRecord
from matcher.scan import scan_bytes

log = logging.getLogger(__name__)

CHUNK_RECORDS = 250
SEGMENT_BYTES = 2**20  # what each of several read-ahead processes reads in turn
CHUNK_BYTES = 16 * 2**20  # payload bytes per chunk (a chunk is sent early past this)
QUEUE_CHUNKS = 8  # per process: about a segment of pages (memory stays bounded however far it gets)
SEEN_URLS = 500_000  # URLs whose last digest the reader remembers (forgotten all at once past this)
POLL_SECONDS = 1.0
SCAN_CACHE_ENTRIES = 1_000
# The cyclic garbage collector runs after this many net allocations (Python's default: 700).  Bulk
# work creates and keeps many small objects, so at the default it spends much of its time walking
# objects that are not garbage; an index run has few reference cycles.
BULK_GC_THRESHOLD = (50_000, 20, 20)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class _Ahead:
    """What the read-ahead process remembers across records."""

    def __init__(self, skip_offsets: frozenset[int], scan_ahead: bool) -> None:
        self.skip_offsets = skip_offsets
        self.scan_ahead = scan_ahead
        self.seen: dict[str, str] = {}  # surt → payload digest of its last capture in this file
        self.scanned: dict[str, tuple[list[Table], list[Finding], list[str]]] = {}  # by content sha256


def prepare(record: WarcRecord, ahead: _Ahead) -> None:
    """Sniff, extract (and scan) ``record`` (a response/resource) in place: sets
    ``record.prepared``, drops the payload when the indexer will not need it."""
    if record.rec_type not in CAPTURE_TYPES or not is_indexable_url(record.url):
        return
    record.surt = surt = surt_key(record.url)
    record.host = host_of(record.url)
    if record.rec_type == "revisit":
        return
    if record.offset in ahead.skip_offsets or not holds_content(record):
        _drop_payload(record)  # indexed already, or an error page: the indexer reads no payload
        return
    if record.payload_digest and ahead.seen.get(surt) == record.payload_digest:
        _drop_payload(record)  # the same content as this URL's capture before: "same", not extracted
        return
    if len(ahead.seen) >= SEEN_URLS:
        ahead.seen.clear()
    ahead.seen[surt] = record.payload_digest
    payload = record.payload
    sniffed = media_types.sniff(payload, record.url)
    extraction = extract(payload, record.url, record.content_type, sniffed)
    is_html = extraction.media_type in media_types.HTML_TYPES
    has_table = is_html and b"<table" in payload.lower()
    prepared = Prepared(sniffed, extraction, has_table, link_values(extraction.links))
    extraction.links = []
    record.prepared = prepared
    wants_scan = (has_table or not is_html) and scannable(extraction)
    if wants_scan and ahead.scan_ahead:
        # a page's tables are scanned whether or not the indexer then finds its text changed enough
        # to look at them (it ignores them if not): this process has the time, the writer has not
        prepared.scan = ahead.scanned.get(extraction.content_sha256)
        if prepared.scan is None:
            probe = Extraction(media_type=extraction.media_type, content_sha256=extraction.content_sha256)
            scan_into(probe, payload, record.url, scan_bytes)
            prepared.scan = (probe.tables, probe.findings, probe.errors)
            if len(ahead.scanned) >= SCAN_CACHE_ENTRIES:
                ahead.scanned.clear()
            ahead.scanned[extraction.content_sha256] = prepared.scan
    if not wants_scan or prepared.scan is not None:
        _drop_payload(record)


# Records cross the process boundary as plain tuples: pickling the dataclasses (field names in every
# object's dict, a Link object per link, timezone-aware datetimes) cost more than the reading itself.
def pack(record: WarcRecord) -> tuple[Any, ...]:
    """``record`` as a tuple of plain values (:func:`unpack` rebuilds it)."""
    if record.rec_type not in CAPTURE_TYPES:  # the indexer only counts these and notes their end
        return (record.offset, record.length, record.rec_type)
    prepared = None
    if record.prepared is not None:
        p, e = record.prepared, record.prepared.extraction
        prepared = (p.sniffed, p.has_table, p.link_values, e.media_type, e.title, e.text, e.content_sha256,
                    e.errors, p.scan)
    return (record.path, record.offset, record.length, record.rec_type, record.url, _micros(record.date),
            record.record_id, record.status, record.content_type, record.headers, record.payload,
            record.payload_digest, record.truncated, record.payload_size, record.refers_to_uri,
            _micros(record.refers_to_date), record.warc_truncated, record.payload_dropped, record.surt, record.host,
            prepared)


def unpack(values: tuple[Any, ...], path: str) -> WarcRecord:
    if len(values) == 3:
        return WarcRecord(path=path, offset=values[0], length=values[1], rec_type=values[2], url="", date=_EPOCH)
    (path, offset, length, rec_type, url, date, record_id, status, content_type, headers, payload, digest,
     truncated, payload_size, refers_to_uri, refers_to_date, warc_truncated, dropped, surt, host,
     prepared) = values
    record = WarcRecord(
        path=path, offset=offset, length=length, rec_type=rec_type, url=url, date=_datetime(date),
        record_id=record_id, status=status, content_type=content_type, headers=headers, payload=payload,
        payload_digest=digest, truncated=truncated, payload_size=payload_size, refers_to_uri=refers_to_uri,
        refers_to_date=_datetime(refers_to_date) if refers_to_date is not None else None,
        warc_truncated=warc_truncated, payload_dropped=dropped, surt=surt, host=host)
    if prepared is not None:
        sniffed, has_table, stored_links, media_type, title, text, sha256, errors, scan = prepared
        extraction = Extraction(media_type=media_type, title=title, text=text, content_sha256=sha256,
                                errors=errors)
        record.prepared = Prepared(sniffed, extraction, has_table, stored_links, scan)
    return record


def _micros(value: datetime | None) -> int | None:
    return (value - _EPOCH) // _MICROSECOND if value is not None else None


def _datetime(micros: int) -> datetime:
    return _EPOCH + micros * _MICROSECOND


def _drop_payload(record: WarcRecord) -> None:
    if record.payload:
        record.payload = b""
        record.payload_dropped = True


def _read_ahead(path: str, start_offset: int, max_payload: int, skip_offsets: frozenset[int],
                scan_ahead: bool, chunk_records: int, index: int, readers: int, segment_bytes: int,
                out: Any) -> None:
    """Read-ahead process ``index`` of ``readers``: reads segments index, index + readers, … of the
    file (one segment when alone).  For each: ("start", i, offset), chunks of items, ("end", i,
    where it stopped); an error ends it with ("error", traceback)."""
    ahead = _Ahead(skip_offsets, scan_ahead)
    gc.set_threshold(*BULK_GC_THRESHOLD)  # this process's own collector (see indexer.pipeline)
    try:
        size = source_size(path)
        probe = WarcReader(path)
        with open_source(path) as fh:

            def boundary(i: int) -> int | None:
                """Where segment i starts: the first record start at or after its nominal start."""
                if i == 0:
                    return start_offset
                nominal = start_offset + i * segment_bytes
                return probe.find_record_start(fh, nominal) if nominal < size else None

            i = index
            while True:
                begin = boundary(i)
                out.put(("start", i, begin))
                if begin is None:
                    return
                end = boundary(i + 1) if readers > 1 else None
                reader = WarcReader(path, start_offset=begin, max_payload=max_payload, end_offset=end)
                _read_segment(reader, ahead, chunk_records, out)
                out.put(("end", i, reader.stopped_at, reader.decompressed))
                if reader.stopped_at is None or reader.decompressed:  # the end of the file
                    return
                i += readers
    except Exception:  # sent to the indexer, which logs it and reads the rest of the file itself
        log.debug("read-ahead of %s failed", path, exc_info=True)
        out.put(("error", traceback.format_exc(limit=5)))


def _read_segment(reader: WarcReader, ahead: _Ahead, chunk_records: int, out: Any) -> None:
    chunk: list[tuple[Any, ...] | RecordProblem] = []
    size = 0
    for item in reader:
        if isinstance(item, WarcRecord):
            try:
                prepare(item, ahead)
            except Exception:  # a bug on one record: the indexer extracts it itself and reports it
                log.debug("read-ahead of %s failed", item.url, exc_info=True)
                item.prepared = None
            size += len(item.payload)
            chunk.append(pack(item))
        else:
            chunk.append(item)
        if len(chunk) >= chunk_records or size >= CHUNK_BYTES:
            out.put(("items", chunk, reader.decompressed))
            chunk, size = [], 0
    out.put(("items", chunk, reader.decompressed))


class _Lost(Exception):
    """A read-ahead process died or failed: the indexer reads on by itself."""


class ReadAhead:
    """Iterate over a WARC file's reader items (as :class:`WarcReader` does) produced by read-ahead
    processes.  Use as a context manager: leaving it stops the processes.

    With ``readers`` > 1 the file is cut into segments of about ``segment_bytes`` (each starting at a
    record) that the processes take in turn; the items still come out in file order.  A segment
    must start exactly where the one before stopped: if not (a cut fell on a record stored inside
    another record's payload), the rest of the file is read here, in order.

    ``scan_ahead``: also run the matcher (:func:`matcher.scan.scan_bytes`) on documents and pages
    with tables; only when the indexer itself would run it in-process (the service runs it in a
    capped child process instead, and keeps doing so).
    """

    def __init__(self, path: str | Path, start_offset: int = 0, max_payload: int = 200 * 2**20,
                 skip_offsets: frozenset[int] = frozenset(), scan_ahead: bool = False, readers: int = 1,
                 segment_bytes: int = SEGMENT_BYTES, chunk_records: int = CHUNK_RECORDS,
                 queue_chunks: int = QUEUE_CHUNKS) -> None:
        self.path = str(path)
        self.start_offset = start_offset
        self.max_payload = max_payload
        self.skip_offsets = skip_offsets
        self.scan_ahead = scan_ahead
        self.readers = max(1, readers)
        self.segment_bytes = segment_bytes
        self.chunk_records = chunk_records
        self.queue_chunks = queue_chunks
        self.decompressed = False
        method = "fork" if threading.active_count() == 1 else "spawn"
        self._context: Any = multiprocessing.get_context(method)  # typeshed's BaseContext lacks Process
        self._queues: list[Any] = []
        self._processes: list[BaseProcess] = []

    def __enter__(self) -> ReadAhead:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.kill()
            process.join(10)
        for channel in self._queues:
            channel.cancel_join_thread()
            channel.close()
        self._processes, self._queues = [], []

    def _start(self) -> None:
        for index in range(self.readers):
            channel = self._context.Queue(maxsize=self.queue_chunks)
            process = self._context.Process(
                target=_read_ahead, name=f"spillwatch-read-ahead-{index}", daemon=True,
                args=(self.path, self.start_offset, self.max_payload, self.skip_offsets, self.scan_ahead,
                      self.chunk_records, index, self.readers, self.segment_bytes, channel))
            process.start()
            self._queues.append(channel)
            self._processes.append(process)

    def __iter__(self) -> Iterator[WarcRecord | RecordProblem]:
        self._start()
        resume = self.start_offset  # where the next record starts: where reading here would go on
        received = 0  # items passed on (a decompressed file is read again here without them)
        try:
            segment = 0
            while True:
                reader = segment % self.readers
                kind, number, begin = self._next_message(reader)[:3]
                if kind != "start" or number != segment:
                    raise _Lost(f"read-ahead process {reader} sent {kind} {number} for segment {segment}")
                if begin is None:  # nothing starts in this segment: the one before ended the file
                    return
                if begin != resume:  # a false cut: the segment before did not stop where this one starts
                    log.info("%s: segment %d starts at %s, not at %s; reading on in this process",
                             self.path, segment, begin, resume)
                    break
                while True:
                    message = self._next_message(reader)
                    decompressed = message[3] if message[0] == "end" else message[2]
                    if decompressed and segment > 0:
                        # a gzip member holding several records in the middle of the file: the reader
                        # went back to read the whole file decompressed; so does the fallback, in order
                        self.decompressed = True
                        raise _Lost(f"segment {segment} holds a gzip member of several records")
                    self.decompressed = decompressed
                    if message[0] == "end":
                        stopped_at = message[2]
                        break
                    for packed in message[1]:
                        received += 1
                        if isinstance(packed, RecordProblem):
                            yield packed
                            continue
                        item = unpack(packed, self.path)
                        resume = max(resume, item.offset + item.length)
                        yield item
                if stopped_at is None or self.decompressed:
                    return
                resume = stopped_at
                segment += 1
        except _Lost as lost:
            log.warning("%s: %s; reading on in this process", self.path, lost)
        self.close()
        if self.decompressed:  # offsets in decompressed data cannot be seeked to: read it all again
            yield from itertools.islice(self._fallback(self.start_offset), received, None)
        else:
            yield from self._fallback(resume)

    def _next_message(self, reader: int) -> tuple[Any, ...]:
        """The next message of read-ahead process ``reader``; raises :class:`_Lost` when it failed
        or died without finishing."""
        channel, process = self._queues[reader], self._processes[reader]
        while True:
            try:
                message: tuple[Any, ...] = channel.get(timeout=POLL_SECONDS)
            except queue.Empty:
                if process.is_alive():
                    continue
                try:  # it may have put its last message just before exiting
                    message = channel.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    raise _Lost(f"the read-ahead process died (exit code {process.exitcode})") from None
            if message[0] == "error":
                raise _Lost(f"the read-ahead process failed:\n{message[1]}")
            return message

    def _fallback(self, resume: int) -> Iterator[WarcRecord | RecordProblem]:
        reader = WarcReader(self.path, start_offset=resume, max_payload=self.max_payload)
        for item in reader:
            if isinstance(item, WarcRecord) and item.offset in self.skip_offsets:
                _drop_payload(item)
            yield item
        self.decompressed = reader.decompressed
