"""Which files an index run reads: the WARC/ARC files named by paths (folders searched recursively,
the WARCs inside WACZ files as member paths), oldest first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from indexer.errors import IndexingError, RecordProblem
from indexer.wacz import WACZ_SUFFIX, WaczError, is_wacz, source_mtime, source_size, wacz_members
from indexer.warc_files import WARC_SUFFIXES
from indexer.warc_reader import WarcReader, WarcRecord


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """WARC/ARC files named by ``paths`` (files, or folders searched recursively), in a stable order;
    the WARCs inside WACZ files as member paths (:mod:`indexer.wacz`).

    Files still being written (``*.open``) are left for the next run.
    """
    return discover_checked(paths)[0]


def discover_checked(paths: Iterable[str | Path]) -> tuple[list[Path], list[RecordProblem]]:
    """:func:`discover`, and one problem for each WACZ that cannot be indexed (its other files are)."""
    found: list[Path] = []
    problems: list[RecordProblem] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file()
                                and p.name.lower().endswith((*WARC_SUFFIXES, WACZ_SUFFIX))))
        elif path.is_file():
            found.append(path)
        else:
            raise IndexingError(f"{path}: no such file or folder; pass WARC/ARC/WACZ files or folders holding them")
    unique: dict[Path, None] = {}
    for path in found:
        if not is_wacz(path):
            unique.setdefault(path.resolve(), None)
            continue
        try:
            for member in wacz_members(path.resolve()):
                unique.setdefault(Path(member), None)
        except WaczError as exc:
            problems.append(RecordProblem(str(path), 0, str(exc).removeprefix(f"{path.resolve()}: "),
                                          "the WACZ is not indexed; fix it and index it again"))
    # oldest first, so that each URL's captures arrive in time order whatever the folders' names
    return sorted(unique, key=first_record_date), problems


def first_record_date(path: Path) -> datetime:
    """WARC-Date of the file's first record (its warcinfo, usually); the file's mtime if unreadable."""
    try:
        for item in WarcReader(path, max_payload=0):
            if isinstance(item, WarcRecord) and item.date.timestamp() > 0:
                return item.date
            break
        return datetime.fromtimestamp(source_mtime(path), UTC)
    except OSError:
        return datetime.fromtimestamp(0, UTC)


def size_or_zero(path: Path) -> int:
    """The file's (or WACZ member's) size; 0 when it vanished meanwhile (then reported when its turn
    comes)."""
    try:
        return source_size(path)
    except OSError:
        return 0
