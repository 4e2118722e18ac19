"""The matcher's entry points: bytes (or a file) in, findings out.

:func:`scan_bytes` is what the indexer calls for a captured payload; :func:`scan_file` streams a
file from disk (delimited files of any size in flat memory).  Both return a :class:`ScanResult`
and never raise for bad input: every problem becomes a line in ``errors`` that names the file and
what to do, and never quotes a cell value.
"""

from __future__ import annotations

import importlib
import io
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import IO

from core.models import Finding, Table
from matcher import sniff as mt
from matcher.csv_tables import extract_delimited
from matcher.errors import EncryptedFile, ScanError
from matcher.extracted import Extracted
from matcher.findings import build_findings
from matcher.limits import DEFAULT_LIMITS, Limits

log = logging.getLogger("spillwatch.matcher")


@dataclass
class ScanResult:
    media_type: str
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def scan_bytes(data: bytes, filename: str = "", media_type: str = "", limits: Limits = DEFAULT_LIMITS) -> ScanResult:
    """Scan one payload.  ``media_type`` (if given) overrides sniffing; ``filename`` is a hint
    used in messages and to break ties between text formats."""
    return scan_stream(io.BytesIO(data), filename, media_type, limits)


def scan_file(path: str | os.PathLike[str], limits: Limits = DEFAULT_LIMITS, media_type: str = "") -> ScanResult:
    name = os.fspath(path)
    try:
        with open(name, "rb") as stream:
            return scan_stream(stream, name, media_type, limits)
    except OSError as exc:
        return ScanResult(media_type=media_type or mt.BINARY,
                          errors=[f"{name}: cannot be read ({exc.strerror or type(exc).__name__})"])


def scan_stream(
    stream: IO[bytes], filename: str = "", media_type: str = "", limits: Limits = DEFAULT_LIMITS
) -> ScanResult:
    """Scan a seekable binary stream."""
    label = filename or "<bytes>"
    media = media_type or mt.sniff_stream(stream, filename)
    deadline = time.monotonic() + limits.time_budget_seconds
    extracted = Extracted()
    try:
        extracted = extract(stream, media, label, limits, deadline, depth=0)
    except ScanError as exc:
        extracted.errors.append(_with_locator(str(exc), label))
    except MemoryError:
        extracted.errors.append(f"{label}: ran out of memory while reading it; not scanned. Raise the "
                                "memory available or split the file")
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop a scan; the exception text may
        # quote cell contents, so only its type is reported and nothing is logged with it
        log.warning("matcher: unexpected %s while reading %s (%s)", type(exc).__name__, label, media)
        extracted.errors.append(f"{label}: could not be read ({type(exc).__name__} in the {media} reader); "
                                "the file may be damaged. Please report it if it opens normally")
    findings = build_findings(extracted, limits)
    return ScanResult(media_type=media, findings=findings, errors=extracted.errors, tables=extracted.tables)


def _with_locator(message: str, label: str) -> str:
    return message if message.startswith(label) else f"{label}: {message}"


def _read_all(stream: IO[bytes], label: str, limits: Limits) -> bytes:
    stream.seek(0)
    data = stream.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        raise ScanError(f"{label}: larger than {limits.max_file_bytes:,} bytes; not scanned. Raise "
                        "Limits.max_file_bytes to scan it")
    return data


def extract(stream: IO[bytes], media: str, label: str, limits: Limits, deadline: float, depth: int) -> Extracted:
    """Tables, hidden content and redaction hits of one file or archive member."""
    if media in mt.DELIMITED:
        stream.seek(0)
        return extract_delimited(stream, limits, label, deadline)
    if media == mt.ENCRYPTED_OOXML:
        raise EncryptedFile(f"{label}: encrypted, not scanned (password-protected Office file); "
                            "ask the publisher for an unprotected copy")
    if media == mt.BINARY:
        raise ScanError(f"{label}: binary data of no known document format; not scanned. Check what the "
                        "file is (the name may say .csv but the content is not text)")
    reader = READERS.get(media)
    if reader is not None:
        return reader(_read_all(stream, label, limits), media, limits, label, deadline, depth)
    # other formats (images, presentations, legacy .doc) hold no tables the matcher reads
    return Extracted()


# The readers of whole-file formats, by sniffed media type: the one list of what the matcher reads
# (delimited text is streamed by extract() itself).  Each takes (data, media, limits, label,
# deadline, depth); archives call extract() again for their members.
Reader = Callable[[bytes, str, Limits, str, float, int], Extracted]


# A reader's module (and the parser library behind it: pdfplumber, openpyxl, python-docx…) is imported
# the first time a file of its format comes: ``spillwatch scan small.csv`` imports none of them.  One
# lock, so that two threads never import the same parser library at once (see spillwatch/service/loop.py).
_IMPORTS = threading.Lock()


def _function(module: str, name: str) -> Callable[..., Extracted]:
    with _IMPORTS:
        found: Callable[..., Extracted] = getattr(importlib.import_module(module), name)
    return found


def _simple(module: str, name: str) -> Reader:
    return lambda data, _media, limits, label, deadline, _depth: _function(module, name)(data, limits, label, deadline)


def _spreadsheet(data: bytes, media: str, limits: Limits, label: str, deadline: float, _depth: int) -> Extracted:
    return _function("matcher.spreadsheet", "extract_spreadsheet")(data, media, limits, label, deadline)


def _zip(data: bytes, _media: str, limits: Limits, label: str, deadline: float, depth: int) -> Extracted:
    return _function("matcher.archive", "extract_zip")(data, limits, label, deadline, depth, extract)


def _gzip(data: bytes, _media: str, limits: Limits, label: str, deadline: float, depth: int) -> Extracted:
    return _function("matcher.archive", "extract_gzip")(data, limits, label, deadline, depth, extract)


READERS: Mapping[str, Reader] = {
    mt.PDF: _simple("matcher.pdf_tables", "extract_pdf"), mt.DOCX: _simple("matcher.docx_tables", "extract_docx"),
    mt.HTML: _simple("matcher.html_tables", "extract_html"), mt.JSON: _simple("matcher.json_tables", "extract_json"),
    mt.XML: _simple("matcher.xml_tables", "extract_xml"),
    **{media: _spreadsheet for media in mt.SPREADSHEETS},
    mt.ZIP: _zip, mt.GZIP: _gzip,
}
