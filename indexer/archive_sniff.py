"""Is a file a web archive at all?  A look at its first bytes, before a run reports every line of a
CSV as a broken WARC record (``spillwatch index people.csv``).

A WARC or ARC file starts with a record (``WARC/1.x`` or an ARC header line), plain or in a gzip
member; a WACZ is a ZIP file.  Files that start otherwise are not archives, whatever their name; an
archive whose *later* records are broken still passes, and the indexer reports those records.
"""

from __future__ import annotations

from pathlib import Path

from indexer.record_starts import GZIP_MAGIC, _plain_start, member_holds_record

ZIP_MAGIC = b"PK\x03\x04"
HEAD = 4096


def archive_kind(path: Path) -> str | None:
    """``"warc"`` (WARC or ARC, gzip or plain), ``"wacz"``, or None when the file is neither (an
    empty file is None too: there is nothing to index)."""
    with path.open("rb") as fh:
        head = fh.read(HEAD)
        if head.startswith(ZIP_MAGIC):
            return "wacz"
        if head.startswith(GZIP_MAGIC):
            return "warc" if member_holds_record(fh, 0) else None
    return "warc" if head and _plain_start(head, True, False) == 0 else None


def describe_head(path: Path) -> str:
    """The first line of a file, shortened, for a message saying what the file is instead."""
    with path.open("rb") as fh:
        first = fh.read(200).split(b"\n", 1)[0]
    text = first.decode("utf-8", errors="replace").strip()
    return repr(text[:60]) if text else "nothing (an empty file)"
