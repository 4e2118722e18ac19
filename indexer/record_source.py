"""The stored bytes of one record at its catalog position, for whatever reads captures back: pywb's
replay (web/pywb_child.py), the web UI's capture pages and downloads, and ``spillwatch export wacz``.

A capture's ``warc_file``/``warc_offset``/``warc_length`` is, as in CDX, the record's gzip member in a
per-record gzip WARC or its bytes in a plain one, and those are read in place. Two sources cannot be
read by seeking in their stored bytes:

- a **whole-file gzip** WARC (one gzip stream for the whole file, not one member per record): the
  indexer reads it through a decompressing stream (indexer/warc_reader.py), so its offsets and
  lengths are positions in the decompressed data;
- a WARC member **deflated** in a WACZ (WACZ writers store them, but a ZIP tool may deflate them):
  offsets are positions in the member's content, as in the WACZ's own CDXJ.

Both are read by decompressing from the start up to the record (``gzip`` and ``zipfile`` seek that
way). That is what ReplayWeb.page does with a WARC it cannot seek into (it reads the file from its
start) and what a ZIP reader does with a deflated member, and it keeps the file that was indexed as
the one place the data lives. The alternative, rewriting such files on ingest into per-record gzip
copies (pywb's ``wb-manager add --unpack-wacz`` and the ``warcio recompress`` it asks for), would keep
a second copy of every leaked document beside the evidence file, which ``spillwatch purge`` would then
have to find too (docs/architecture.md §5 rule 8). The cost is that reaching a record reads the data
before it (O(offset) per record); the indexer's warning on such files still says how to rewrite them
(``warcio recompress``) when that matters.
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import IO, TYPE_CHECKING

from indexer.record_starts import GZIP_MAGIC, member_holds_record
from indexer.wacz import open_source, source_size, split_member

if TYPE_CHECKING:
    from core.warc_store import S3Store


class _Bounded(io.RawIOBase):
    """At most ``length`` bytes (all when negative) of ``stream`` from where it stands; closing it
    closes ``stream`` and the source under it."""

    def __init__(self, stream: IO[bytes], source: IO[bytes], start: int, length: int) -> None:
        super().__init__()
        self._stream, self._source = stream, source
        self._position, self._left = start, length

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        wanted = len(buffer) if self._left < 0 else min(len(buffer), self._left)
        if wanted <= 0:
            return 0
        data = self._stream.read(wanted)
        buffer[: len(data)] = data
        self._position += len(data)
        if self._left >= 0:
            self._left -= len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            if self._stream is not self._source:
                self._stream.close()
            self._source.close()
        super().close()


def decompressed_offsets(source: IO[bytes], offset: int, length: int, size: int) -> bool:
    """Whether ``offset``/``length`` are positions in the decompressed data of a whole-file gzip
    (``source`` is the file, or the WACZ member, of ``size`` bytes).

    In a per-record gzip file a gzip member holding a record starts at the offset (for the first
    record: right after it, or the file ends there); anywhere else in a gzip file the offset can
    only be a position in the decompressed stream."""
    source.seek(0)
    if source.read(2) != GZIP_MAGIC[:2]:
        return False
    if offset > 0:
        return not member_holds_record(source, offset)
    if length < 0 or length == size:
        return False  # the record at 0 is read the same way in both layouts when nothing bounds it
    return length > size or not member_holds_record(source, length)


def open_record(path: str | Path, offset: int, length: int = -1, store: S3Store | None = None) -> IO[bytes]:
    """A stream of the record's stored bytes from ``offset``: its gzip member or plain bytes, or the
    decompressed record of a whole-file gzip; at most ``length`` bytes when ``length`` >= 0.

    ``path`` is a WARC/ARC file or a WARC member of a WACZ (``x.wacz#archive/data.warc.gz``, stored or
    deflated). With ``store`` (``warc_storage: s3://``) a file not on this machine is read from the
    bucket: a WARC by range reads, a WACZ streamed down whole first (core/warc_store.py). Raises
    ``FileNotFoundError`` when the file is gone, ``OSError`` when it cannot be read,
    ``core.warc_store.StorageUnavailable`` (naming the bucket) when the bucket cannot give it."""
    source, size = _open_source(path, store)
    try:
        if decompressed_offsets(source, offset, length, size):
            source.seek(0)
            stream: IO[bytes] = gzip.GzipFile(fileobj=source, mode="rb")  # type: ignore[assignment]
            stream.seek(offset)  # decompresses from the start up to the record
        else:
            stream = source
            stream.seek(offset)
        return io.BufferedReader(_Bounded(stream, source, offset, length), 1 << 16)
    except BaseException:
        source.close()
        raise


def _open_source(path: str | Path, store: S3Store | None) -> tuple[IO[bytes], int]:
    """The source opened for reading, and its size (from the ZIP's directory for a WACZ member:
    seeking to the end of a deflated member inflates all of it)."""
    if store is not None:
        member = split_member(path)
        container = Path(member[0] if member else path)
        if not container.exists() and store.within(container):
            if member is not None:  # a ZIP is read by its directory at the end: fetched whole, kept here
                store.local_copy(container)
            else:
                size = store.size(container)
                return store.open_seekable(container, size), size
    return open_source(path), source_size(path)


def record_bytes(path: str | Path, offset: int, length: int, store: S3Store | None = None) -> bytes:
    """The ``length`` stored bytes of the record at ``offset`` (see :func:`open_record`); ``OSError``
    when the source ends inside it."""
    with open_record(path, offset, length, store) as fh:
        data = fh.read(length)
    if len(data) != length:
        raise OSError(f"{path}: offset {offset}: the file ends inside the record ({len(data):,} of "
                      f"{length:,} bytes); re-index the file if it was rewritten")
    return data

