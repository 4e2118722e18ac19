"""Which exceptions mean "this file is malformed" and which mean "Spillwatch has a bug".

A malformed WARC/ARC makes warcio (or the decompressors and the standard library parsers it calls)
raise almost anything: ``AttributeError`` for a record without ``WARC-Target-URI``, ``ValueError``
for a non-numeric length, ``OverflowError`` for a huge one, ``UnicodeDecodeError`` for a header in a
wrong encoding, ``zlib.error`` for a damaged gzip member.  Listing exception *classes* cannot tell
those apart from the same classes raised by a bug in our own code (STYLE.md lesson 3), so the rule
here is *where* the exception was raised: the innermost frame of its traceback.  Raised inside the
parsing libraries (warcio, gzip, zlib, brotli, the codecs): the file is bad, and the reader reports
that record or file and goes on.  Raised in Spillwatch's own code: a bug, re-raised to be reported
as one (with its traceback in the log) rather than blamed on the file.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from types import TracebackType

from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeadersParserException

# Raised only for bad data, wherever they come from.
DATA_ERRORS: tuple[type[BaseException], ...] = (
    ArchiveLoadFailed, StatusAndHeadersParserException, zlib.error, gzip.BadGzipFile, EOFError,
    UnicodeError,
)

# Modules whose code parses the file's bytes: an exception raised in them is the file's fault.
_PARSER_PACKAGES = ("warcio", "brotli", "brotlicffi")
_PARSER_STDLIB = ("gzip.py", "_compression.py", "zlib", "codecs.py", "email", "http", "encodings",
                  "urllib")


def _innermost_file(tb: TracebackType | None) -> str:
    last = ""
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    return last


def _in_parser(filename: str) -> bool:
    parts = Path(filename).parts
    if any(package in parts for package in _PARSER_PACKAGES):
        return True
    if "site-packages" in parts or "dist-packages" in parts:
        return False
    # the standard library: .../lib/python3.X/<module or package>
    for index, part in enumerate(parts):
        if part.startswith("python3") and index + 1 < len(parts) and parts[index - 1] == "lib":
            return parts[index + 1] in _PARSER_STDLIB
    return False


def is_bad_input(exc: BaseException) -> bool:
    """True when ``exc`` says the file's bytes are malformed (report and skip), False when it is a
    bug to be raised (``MemoryError``, ``KeyboardInterrupt`` and the like are never bad input)."""
    if not isinstance(exc, Exception) or isinstance(exc, MemoryError | RecursionError):
        return False
    if isinstance(exc, DATA_ERRORS):
        return True
    if isinstance(exc, OSError):  # the disk or the file system, not a bug: the file cannot be read
        return True
    return _in_parser(_innermost_file(exc.__traceback__))
