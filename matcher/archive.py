"""ZIP archives (member by member, recursively) and gzip files, under the archive limits
(depth, member count, bytes per member, total bytes, compression ratio)."""

from __future__ import annotations

import gzip
import io
import time
import zlib
from collections.abc import Callable
from typing import IO

from matcher.containers import check_zip, open_zip, read_member
from matcher.errors import LimitExceeded, ScanError
from matcher.extracted import Extracted
from matcher.limits import Limits
from matcher.sniff import sniff_stream

Extractor = Callable[[IO[bytes], str, str, Limits, float, int], Extracted]


def extract_zip(data: bytes, limits: Limits, locator: str, deadline: float, depth: int,
                extract: Extractor) -> Extracted:
    if depth >= limits.max_archive_depth:
        raise LimitExceeded(f"{locator}: archives nested deeper than {limits.max_archive_depth} levels; "
                            "not scanned (possible zip bomb)")
    zf = open_zip(data, locator, "ZIP archive")
    check_zip(zf, limits, locator, "ZIP archive")
    out = Extracted()
    for info in zf.infolist():
        if info.is_dir():
            continue
        member = f"{locator} > {info.filename}"
        if time.monotonic() > deadline:
            out.errors.append(f"{locator}: time budget exhausted; members from {info.filename} on not scanned")
            break
        try:
            payload = read_member(zf, info.filename, limits, member)
            stream = io.BytesIO(payload)
            media = sniff_stream(stream, info.filename)
            found = extract(stream, media, member, limits, deadline, depth + 1)
        except ScanError as exc:
            out.errors.append(str(exc) if str(exc).startswith(member) else f"{member}: {exc}")
            continue
        for table in found.tables:
            if not table.locator.startswith(member):
                table.locator = f"{member} > {table.locator}" if table.locator else member
        for item in found.hidden:
            if not item.locator.startswith(member):
                item.locator = f"{member} > {item.locator}" if item.locator else member
        for hit in found.redactions:
            if not hit.locator.startswith(member):
                hit.locator = f"{member} > {hit.locator}"
        out.extend(found)
    return out


def extract_gzip(data: bytes, limits: Limits, locator: str, deadline: float, depth: int,
                 extract: Extractor) -> Extracted:
    """A gzip-compressed file (``list.csv.gz``): inflated under the member limits and scanned as
    whatever it contains."""
    if depth >= limits.max_archive_depth:
        raise LimitExceeded(f"{locator}: archives nested deeper than {limits.max_archive_depth} levels; "
                            "not scanned (possible zip bomb)")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            payload = stream.read(limits.max_member_bytes + 1)
    except (OSError, EOFError, zlib.error):
        raise ScanError(f"{locator}: damaged gzip data; download the file again") from None
    if len(payload) > limits.max_member_bytes or (
        len(payload) > 1024 * 1024 and len(payload) / max(1, len(data)) > limits.max_compression_ratio
    ):
        raise LimitExceeded(f"{locator}: gzip data expands beyond the limits (possible zip bomb); not scanned")
    inner = io.BytesIO(payload)
    name = locator[:-3] if locator.endswith(".gz") else locator
    media = sniff_stream(inner, name)
    found = extract(inner, media, locator, limits, deadline, depth + 1)
    return found
