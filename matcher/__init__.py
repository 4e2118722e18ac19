"""The matcher: finds person-level tables, hidden content and failed redactions in a file.

Pure: bytes (and an optional file-name hint) in, findings out.  No network, no database, no
knowledge of where the bytes came from.  Public API (see docs/matcher.md):

``matcher.scan.scan_bytes(data, filename="", media_type="", limits=DEFAULT_LIMITS) -> ScanResult``
    Scan one payload.  ``media_type`` overrides content sniffing when given.
``matcher.scan.scan_file(path, limits=DEFAULT_LIMITS, media_type="") -> ScanResult``
    Scan a file from disk; delimited text is streamed (any size, flat memory, exact row counts).
``matcher.scan.ScanResult(media_type, findings, errors, tables)``
    ``findings``: :class:`core.models.Finding` (docs/architecture.md §3 shape via ``to_dict()``), samples
    already masked; ``errors``: one readable line per problem, naming the file and what to do, never
    a cell value; ``tables``: the extracted :class:`core.models.Table` objects (raw sample
    rows — keep them inside the process).
``matcher.sniff.sniff_media_type(data, filename="") -> str``
    Media type by content (magic numbers, ZIP directory, text shape), never by extension alone.
``matcher.limits.Limits`` / ``DEFAULT_LIMITS``
    Sizes, ZIP-bomb ratios, archive depth, column and line limits, PDF pages, time budget.
``matcher.isolation.IsolatedScanner(limits, memory_bytes, timeout_seconds)``
    The same two calls in a reusable child process with a memory cap and a hard timeout.

Bad input never raises from these calls: it becomes an entry in ``ScanResult.errors``.
"""

from matcher.limits import DEFAULT_LIMITS, Limits
from matcher.scan import ScanResult, scan_bytes, scan_file
from matcher.sniff import sniff_media_type

__all__ = ["DEFAULT_LIMITS", "Limits", "ScanResult", "scan_bytes", "scan_file", "sniff_media_type"]
