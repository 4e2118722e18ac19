"""The ``warc_files`` rows: which files were indexed, how far, and what was wrong in them.

A file is ``indexing`` while records are committed batch by batch (``resume_offset`` moves with
each batch in the same transaction), and ``indexed`` at the end.  An interrupted run resumes at
``resume_offset``; a file already ``indexed`` at the same size is skipped; a file that grew (a
WARC still being appended to) is read on from where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from core.catalog.schema import warc_files
from indexer.errors import RecordProblem

log = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 1000


@dataclass
class WarcFileState:
    id: int
    path: str
    size: int
    status: str
    resume_offset: int
    records: int
    crawl_id: int | None
    problems: list[RecordProblem] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.status == "indexed"


def _state(row: object) -> WarcFileState:
    data = row._mapping  # type: ignore[attr-defined]
    return WarcFileState(
        id=data["id"], path=data["path"], size=data["size"] or 0, status=data["status"],
        resume_offset=data["resume_offset"] or 0, records=data["records"] or 0, crawl_id=data["crawl_id"],
        problems=[RecordProblem.from_dict(p) for p in (data["errors"] or []) if isinstance(p, dict)],
    )


def _find(conn: Connection, path: Path) -> object | None:
    """The row of ``path`` (absolute), also when it was registered under another spelling (the
    crawler may record paths relative to its working folder)."""
    row = conn.execute(select(warc_files).where(warc_files.c.path == str(path))).first()
    if row is not None:
        return row
    for candidate in conn.execute(select(warc_files).where(warc_files.c.path.endswith(path.name))):
        try:
            if Path(candidate.path).resolve() == path:
                return candidate
        except OSError:
            continue
    return None


def open_file(engine: Engine, path: Path, crawl_id: int | None) -> WarcFileState:
    """The file's row (``path`` is absolute), created if new."""
    key = str(path)
    with engine.begin() as conn:
        row = _find(conn, path)
        if row is not None:
            state = _state(row)
            if crawl_id is not None and state.crawl_id is None:
                conn.execute(warc_files.update().where(warc_files.c.id == state.id).values(crawl_id=crawl_id))
                state.crawl_id = crawl_id
            return state
    try:
        with engine.begin() as conn:
            conn.execute(insert(warc_files), {"path": key, "size": 0, "crawl_id": crawl_id, "status": "pending",
                                              "resume_offset": 0, "records": 0, "errors": []})
    except IntegrityError:
        log.debug("%s: registered by another indexer meanwhile", key)
    with engine.connect() as conn:
        found = _find(conn, path)
        if found is None:
            raise LookupError(f"{key}: warc_files row vanished while registering it; index the file again")
        return _state(found)


def merge_problems(known: Iterable[RecordProblem], new: Iterable[RecordProblem]) -> list[RecordProblem]:
    """Known problems plus new ones, once each (a resumed or repeated run reports the same ones)."""
    merged: dict[tuple[int, str], RecordProblem] = {(p.offset, p.message): p for p in known}
    for problem in new:
        merged.setdefault((problem.offset, problem.message), problem)
    return sorted(merged.values(), key=lambda p: p.offset)[:MAX_STORED_PROBLEMS]


def save_progress(conn: Connection, state: WarcFileState, *, resume_offset: int, records: int, size: int,
                  problems: list[RecordProblem], status: str = "indexing", indexed_at: object = None) -> None:
    values: dict[str, object] = {"resume_offset": resume_offset, "records": records, "size": size,
                                 "errors": [p.to_dict() for p in problems], "status": status}
    if indexed_at is not None:
        values["indexed_at"] = indexed_at
    conn.execute(warc_files.update().where(warc_files.c.id == state.id).values(**values))
    state.resume_offset, state.records, state.size, state.status = resume_offset, records, size, status
    state.problems = problems
