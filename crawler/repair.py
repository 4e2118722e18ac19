"""Repair ``*.warc.gz.open`` files left by a crashed or killed crawl.

Every record is its own gzip member, written whole, so only the last one can be incomplete.  The
file is read member by member; a member counts when its gzip stream ends properly and holds one
whole WARC record (header block plus ``Content-Length`` bytes plus the closing CRLFCRLF).  The file
is cut after the last good member and renamed to ``*.warc.gz``; a file without one good record is
deleted.  Files of a crawl that is still running (its lock is held) are left alone.
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from crawler.warc_files import OPEN_SUFFIX

logger = logging.getLogger(__name__)

CHUNK = 1 << 20
_LENGTH = re.compile(rb"^content-length:\s*(\d+)\s*$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class RepairResult:
    path: Path  # the final name (or the deleted file's name)
    records: int
    kept_bytes: int
    dropped_bytes: int
    deleted: bool = False


def good_prefix(path: Path) -> tuple[int, int]:
    """(records, bytes) of the longest prefix of whole, valid gzip members holding whole records."""
    records = 0
    good_end = 0
    with open(path, "rb") as handle:
        data = b""
        offset = 0  # file offset of data[0]
        while True:
            member = _read_member(handle, data)
            if member is None:
                break
            consumed, record_ok, data = member
            if not record_ok:
                break
            offset += consumed
            good_end = offset
            records += 1
    return records, good_end


def _read_member(handle: object, pending: bytes) -> tuple[int, bool, bytes] | None:
    """Decompress one gzip member from ``pending`` + the file; None at EOF or a broken member."""
    decompressor = zlib.decompressobj(zlib.MAX_WBITS | 16)
    head = b""
    total = 0
    consumed = 0
    data = pending
    while True:
        if not data:
            data = handle.read(CHUNK)  # type: ignore[attr-defined]
            if not data:
                return None  # EOF inside (or before) a member
        try:
            out = decompressor.decompress(data)
        except zlib.error:
            return None
        total += len(out)
        if len(head) < 65536:
            head += out[: 65536 - len(head)]
        if decompressor.eof:
            rest = decompressor.unused_data
            consumed += len(data) - len(rest)
            return consumed, _whole_record(head, total), rest
        consumed += len(data)
        data = b""


def _whole_record(head: bytes, total: int) -> bool:
    end = head.find(b"\r\n\r\n")
    if not head.startswith(b"WARC/") or end < 0:
        return False
    match = _LENGTH.search(head[:end])
    if match is None:
        return False
    return total == end + 4 + int(match.group(1)) + 4


def repair_file(path: Path) -> RepairResult:
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)]) if path.name.endswith(OPEN_SUFFIX) else path
    size = path.stat().st_size
    records, good_end = good_prefix(path)
    if records == 0:
        path.unlink()
        logger.warning("%s: no complete WARC record; deleted", path.name)
        return RepairResult(final, 0, 0, size, deleted=True)
    if good_end < size:
        with open(path, "r+b") as handle:
            handle.truncate(good_end)
            handle.flush()
            os.fsync(handle.fileno())
    os.replace(path, final)
    logger.warning("%s: repaired after an interrupted crawl: kept %d records (%d bytes), dropped %d bytes",
                   final.name, records, good_end, size - good_end)
    return RepairResult(final, records, good_end, size - good_end)


def crawl_is_running(lock_path: Path) -> bool:
    if not lock_path.exists():
        return False
    with open(lock_path, "a+") as lock:
        try:
            fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(lock.fileno(), fcntl.LOCK_UN)
    return False


def repair_open_files(warc_dir: Path, lock_dir: Path | None = None, prefix: str = "") -> list[RepairResult]:
    """Repair every ``<prefix>*.warc.gz.open`` in ``warc_dir`` whose crawl is not running.

    A file ``<crawl name>-<serial>.warc.gz.open`` belongs to the crawl whose lock is
    ``<lock_dir>/<crawl name>.lock``."""
    results: list[RepairResult] = []
    if not warc_dir.is_dir():
        return results
    for path in sorted(warc_dir.glob(f"{prefix}*.warc.gz{OPEN_SUFFIX}")):
        crawl = path.name[: -len(f".warc.gz{OPEN_SUFFIX}")].rsplit("-", 1)[0]
        if lock_dir is not None and crawl_is_running(lock_dir / f"{crawl}.lock"):
            continue
        results.append(repair_file(path))
    return results
