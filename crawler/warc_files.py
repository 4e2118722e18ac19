"""WARC files on disk: ``*.warc.gz.open`` while written, renamed when closed, rotated near a size.

Each record is its own gzip member, written and flushed whole, so a crash can only leave an
incomplete *last* record (see :mod:`crawler.repair`).  Records are serialised by warcio (which also
computes the block digest) and compressed here at level 6: warcio's level 9 costs several times the
CPU for a few percent of size.

Small records are written at once by the caller.  Large ones (``background_from`` bytes and more)
go to one background thread, and so does everything queued behind them, so order is kept: zlib
and hashlib release the GIL, so a 200 MB document being compressed does not stall the crawl's
reactor, while small pages do not pay for handing work between threads.  The queue is bounded by
bytes, so a slow disk slows the crawl down instead of filling memory.
"""

from __future__ import annotations

import io
import logging
import os
import queue
import threading
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
WARC_VERSION = "WARC/1.1"


PROBE_SIZE = 65536
PROBE_FROM = 1 << 20  # records this large are probed for compressibility first


def gzip_member(data: bytes, level: int = 6) -> bytes:
    """One gzip member.  Large records whose middle does not compress (ZIP-based office files,
    archives, media) are stored (level 0): deflating them costs a lot of CPU and saves nothing."""
    if len(data) >= PROBE_FROM:
        middle = len(data) // 2
        sample = data[middle: middle + PROBE_SIZE]
        if len(zlib.compress(sample, 1)) > 0.97 * len(sample):
            level = 0
    # a window and hash table sized to the record: zlib's set-up cost dominates for small records
    window = min(zlib.MAX_WBITS, max(9, (len(data) - 1).bit_length()))
    mem_level = 8 if len(data) >= 65536 else 4
    compressor = zlib.compressobj(level, zlib.DEFLATED, window | 16, mem_level)
    return compressor.compress(data) + compressor.flush()


class WarcFiles:
    """Writes records to ``<directory>/<prefix>-<serial>.warc.gz`` files.

    ``warcinfo`` builds the ``warcinfo`` record's fields for a file name; it is written first in
    every file.  :meth:`close` waits until everything is on disk and renamed.
    A write error stops the writer and is raised by the next :meth:`write` or :meth:`close`."""

    def __init__(self, directory: Path, prefix: str, rotate_size: int,
                 warcinfo: Callable[[str], dict[str, str]], max_pending: int = 64_000_000,
                 background_from: int = 1_000_000) -> None:
        self.directory = directory
        self.prefix = prefix
        self.rotate_size = rotate_size
        self.warcinfo = warcinfo
        self.builder = WARCWriter(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)  # caller's thread
        self._serializer = WARCWriter(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)  # writer thread
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self.error: OSError | None = None
        self.lost_urls: list[str] = []  # target URIs of records queued but never written (after an error)
        self._serial = 0
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0
        self._queue: queue.Queue[tuple[list[ArcWarcRecord], int] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._max_pending = max_pending
        self._pending = 0  # bytes queued, not yet written
        self._drained = threading.Condition()
        self._background_from = background_from
        self._io = threading.Lock()  # one writer at a time: the caller or the background thread

    def write(self, records: list[ArcWarcRecord]) -> None:
        """Write records now, or queue them behind large ones (each its own gzip member, in order)."""
        if self.error is not None:
            raise self.error
        size = sum(int(record.length or 0) for record in records)
        if size < self._background_from and not self._pending:
            with self._io:  # nothing queued ahead of these: writing now keeps the order
                try:
                    self._write_now(records)
                except OSError as exc:
                    self.error = exc
                    raise
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"warc-{self.prefix}", daemon=True)
            self._thread.start()
        with self._drained:
            while self._pending and self._pending + size > self._max_pending and self.error is None:
                self._drained.wait(timeout=1.0)
            self._pending += size
        self._queue.put((records, size))

    def close(self) -> None:
        """Write what is queued, close and rename the current file."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self.error is not None:
            raise self.error
        with self._io:
            self._close_file()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self.error is None:
                    with self._io:
                        self._write_now(item[0])
                else:
                    self._lose(item[0])
            except OSError as exc:
                self.error = exc
                if item is not None:
                    self._lose(item[0])
                logger.error("cannot write WARC file in %s: %s", self.directory, exc)
            finally:
                if item is not None:
                    with self._drained:
                        self._pending -= item[1]
                        self._drained.notify_all()

    def _lose(self, records: list[ArcWarcRecord]) -> None:
        for record in records:
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type in ("response", "resource", "revisit") and uri and uri not in self.lost_urls:
                self.lost_urls.append(uri)

    def _write_now(self, records: list[ArcWarcRecord]) -> None:
        if self._file is None:
            self._open()
        for record in records:
            self._append(record)
        if self._size >= self.rotate_size:
            self._close_file()

    def _close_file(self) -> None:
        if self._file is None or self._path is None:
            return
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        final = self._path.with_name(self._path.name[: -len(OPEN_SUFFIX)])
        os.replace(self._path, final)
        self.closed_files.append(final)
        logger.info("closed %s (%d bytes)", final.name, self._size)
        self._file = None
        self._path = None

    def _open(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._serial += 1
        name = f"{self.prefix}-{self._serial:05d}.warc.gz"
        self._path = self.directory / (name + OPEN_SUFFIX)
        self._file = open(self._path, "xb")
        self._size = 0
        info = self._serializer.create_warcinfo_record(name, self.warcinfo(name))
        self._append(info)

    def _append(self, record: ArcWarcRecord) -> None:
        assert self._file is not None
        buffer = io.BytesIO()
        self._serializer.out = buffer
        self._serializer.write_record(record)
        member = gzip_member(buffer.getvalue())
        self._file.write(member)
        self._file.flush()
        self._size += len(member)
        self.bytes_written += len(member)
