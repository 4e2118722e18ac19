"""WARC files on disk: ``*.warc.gz.open`` while written, renamed when closed, rotated near a size.

Each record is its own gzip member, written and flushed whole, so a crash can only leave an
incomplete *last* record (see :mod:`crawler.repair`).  Records are serialised by warcio (which also
computes the block and payload digests) and compressed here at level 6: warcio's level 9 costs
several times the CPU for a few percent of size.
"""

from __future__ import annotations

import io
import logging
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecord
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"
WARC_VERSION = "WARC/1.1"


def gzip_member(data: bytes, level: int = 6) -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return compressor.compress(data) + compressor.flush()


class WarcFiles:
    """Writes records to ``<directory>/<prefix>-<serial>.warc.gz`` files.

    ``warcinfo`` builds the ``warcinfo`` record's fields for a file name; it is written first in
    every file."""

    def __init__(self, directory: Path, prefix: str, rotate_size: int,
                 warcinfo: Callable[[str], dict[str, str]]) -> None:
        self.directory = directory
        self.prefix = prefix
        self.rotate_size = rotate_size
        self.warcinfo = warcinfo
        self.builder = WARCWriter(io.BytesIO(), gzip=False, warc_version=WARC_VERSION)
        self.closed_files: list[Path] = []
        self.bytes_written = 0
        self._serial = 0
        self._file: BinaryIO | None = None
        self._path: Path | None = None
        self._size = 0

    @property
    def current_path(self) -> Path | None:
        return self._path

    def write(self, records: list[ArcWarcRecord]) -> int:
        """Append records (each its own gzip member); returns the compressed bytes written."""
        if self._file is None:
            self._open()
        written = sum(self._append(record) for record in records)
        if self._size >= self.rotate_size:
            self.close()
        return written

    def close(self) -> None:
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
        info = self.builder.create_warcinfo_record(name, self.warcinfo(name))
        self._append(info)

    def _append(self, record: ArcWarcRecord) -> int:
        assert self._file is not None
        buffer = io.BytesIO()
        self.builder.out = buffer
        self.builder.write_record(record)
        member = gzip_member(buffer.getvalue())
        self._file.write(member)
        self._file.flush()
        self._size += len(member)
        self.bytes_written += len(member)
        return len(member)
