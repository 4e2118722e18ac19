"""Where the next WARC/ARC record starts, after a record that could not be read or whose length
cannot be trusted: the next gzip member holding a WARC/ARC header, or in a plain file the next
``WARC/1.x`` line or ARC header line."""

from __future__ import annotations

import re
import zlib
from typing import IO

GZIP_MAGIC = b"\x1f\x8b\x08"
SCAN_WINDOW = 1 << 20
SCAN_OVERLAP = 8192  # a record's first line that straddles two windows is still found
_WARC_LINE = re.compile(rb"WARC/1\.[01]\r?\n")
# an ARC record's header line: URL, address, 14-digit date, then type and length (more in ARC v2)
_ARC_LINE = re.compile(rb"^[a-z][a-z0-9+.-]*://[^\s]+ [^\s]+ \d{14}(?: [^\s]*){2,7}\r?\n", re.M)


def next_record_start(fh: IO[bytes], start: int, gzipped: bool, anywhere: bool = False) -> int | None:
    """Offset of the next record start at or after ``start``, or None at end of file.

    In a plain file a record starts with a ``WARC/1.x`` line or an ARC header line; ``anywhere``
    (after a record whose length was wrong) also accepts a ``WARC/1.x`` line glued to the end of
    the broken record's bytes."""
    position = start
    while True:
        fh.seek(position)
        window = fh.read(SCAN_WINDOW + SCAN_OVERLAP)
        if not window:
            return None
        hit = _member_in(fh, window, position) if gzipped else _plain_start(window, position == 0, anywhere)
        if hit is not None:
            return position + hit
        if len(window) <= SCAN_WINDOW:
            return None
        position += SCAN_WINDOW


def _member_in(fh: IO[bytes], window: bytes, position: int) -> int | None:
    search_from = 0
    while True:
        hit = window.find(GZIP_MAGIC, search_from)
        if hit < 0 or hit >= SCAN_WINDOW:
            return None
        if member_holds_record(fh, position + hit):
            return hit
        search_from = hit + 1


def member_holds_record(fh: IO[bytes], offset: int) -> bool:
    fh.seek(offset)
    data = fh.read(4096)
    try:
        head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, 64)
    except zlib.error:
        return False
    return head.startswith(b"WARC/") or head[:8].lower().startswith((b"http://", b"https://", b"filedesc"))


def is_record_start(line: bytes) -> bool:
    """Whether ``line`` is the first line of a WARC record or an ARC record's header line."""
    return bool(_WARC_LINE.match(line) or _ARC_LINE.match(line))


def _plain_start(window: bytes, at_file_start: bool, anywhere: bool) -> int | None:
    """First record start in a window of a plain (uncompressed) file."""
    hits: list[int] = []
    for match in _WARC_LINE.finditer(window):
        start = match.start()
        if start >= SCAN_WINDOW:
            break
        if anywhere or (start == 0 and at_file_start) or window[start - 1:start] == b"\n" or start == 0:
            hits.append(start)
            break
    arc = _ARC_LINE.search(window, 0, SCAN_WINDOW + SCAN_OVERLAP)
    if arc is not None and arc.start() < SCAN_WINDOW:
        hits.append(arc.start())
    return min(hits) if hits else None
