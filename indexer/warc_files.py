"""The ``warc_files`` rows: which files were indexed, how far, and what was wrong in them.

A file is ``indexing`` while records are committed batch by batch (``resume_offset`` moves with
each batch in the same transaction), and ``indexed`` at the end.  An interrupted run resumes at
``resume_offset``; a file already ``indexed`` at the same size is skipped; a file that grew (a
WARC still being appended to) is read on from where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, func, insert, select
from sqlalchemy.exc import IntegrityError

from core.catalog.schema import warc_files
from indexer.errors import RecordProblem
from indexer.wacz import open_source

log = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 1000
WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HEAD_BYTES = 65536  # the part of a file whose digest tells a file that grew from one that was replaced


class FileReplaced(Exception):
    """The file at an indexed path is not the one indexed there (different head, or smaller)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def head_digest(path: Path, length: int) -> str:
    """``LENGTH:SHA256`` (48 hex digits) of the file's first ``length`` bytes."""
    with open_source(path) as fh:  # a WARC file, or a WARC inside a WACZ (indexer.wacz)
        data = fh.read(length)
    return f"{len(data)}:{hashlib.sha256(data).hexdigest()[:48]}"


def check_unchanged(engine: Engine, state: WarcFileState, path: Path, size: int) -> None:
    """Refuse a file that replaced the one indexed at this path: its captures point into the old
    bytes, and reading on from the old resume offset would read the middle of another file.  The
    digest of the head is kept on first sight (a growing file keeps its head)."""
    if not state.head_digest:
        state.head_digest = head_digest(path, min(size, HEAD_BYTES))
        with engine.begin() as conn:
            conn.execute(warc_files.update().where(warc_files.c.id == state.id).values(head_digest=state.head_digest))
        return
    length = int(state.head_digest.split(":", 1)[0])
    now = head_digest(path, length) if size >= length else ""
    suffix = next((s for s in WARC_SUFFIXES[::-1] if path.name.lower().endswith(s)), "")
    hint = ("its captures point into the old content: put the old file back, or give the new one a name of its "
            f"own (e.g. {path.name[:len(path.name) - len(suffix)]}-2{suffix}) to index it as a new file")
    if now != state.head_digest:
        raise FileReplaced(f"the file was replaced by different content after it was indexed (its first {length} "
                           "bytes differ); not indexed", hint)
    if size < state.size:
        raise FileReplaced(f"the file is smaller than when it was indexed ({size} < {state.size} bytes): it was "
                           "cut or rewritten; not indexed", hint)


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
    attempts: int = 0
    failure: str = ""
    head_digest: str = ""

    @property
    def done(self) -> bool:
        return self.status == "indexed"


def _state(row: object) -> WarcFileState:
    data = row._mapping  # type: ignore[attr-defined]
    return WarcFileState(
        id=data["id"], path=data["path"], size=data["size"] or 0, status=data["status"],
        resume_offset=data["resume_offset"] or 0, records=data["records"] or 0, crawl_id=data["crawl_id"],
        problems=[RecordProblem.from_dict(p) for p in (data["errors"] or []) if isinstance(p, dict)],
        attempts=data["attempts"] or 0, failure=data["failure"] or "", head_digest=data["head_digest"] or "",
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
    if status == "indexed":  # a file indexed in the end keeps no failure
        values["failure"] = ""
    conn.execute(warc_files.update().where(warc_files.c.id == state.id).values(**values))
    state.resume_offset, state.records, state.size, state.status = resume_offset, records, size, status
    state.problems = problems


def start_attempt(engine: Engine, state: WarcFileState) -> None:
    """Count an index run starting on the file, committed before it reads anything: a run that
    never finishes (killed, out of memory) still counts (see :func:`give_up_stalled`)."""
    with engine.begin() as conn:
        conn.execute(warc_files.update().where(warc_files.c.id == state.id)
                     .values(attempts=warc_files.c.attempts + 1))
    state.attempts += 1


def record_failure(engine: Engine, state: WarcFileState, reason: str, max_attempts: int | None) -> bool:
    """Keep why indexing the file failed; it is given up (status ``failed``) when ``max_attempts``
    is None (one explicit run: ``spillwatch index``) or reached.  True when given up."""
    give_up = max_attempts is None or state.attempts >= max_attempts
    values: dict[str, object] = {"failure": reason[:2000]}
    if give_up:
        values["status"] = "failed"
    with engine.begin() as conn:
        conn.execute(warc_files.update().where(warc_files.c.id == state.id).values(**values))
    state.failure = reason
    if give_up:
        state.status = "failed"
    return give_up


def give_up_stalled(conn: Connection, max_attempts: int) -> list[str]:
    """Files still pending after ``max_attempts`` started runs (each ended without finishing or
    recording why: the process was killed or ran out of memory) become ``failed``; their paths."""
    rows = conn.execute(select(warc_files.c.id, warc_files.c.path, warc_files.c.failure).where(
        warc_files.c.status.in_(("pending", "indexing")), warc_files.c.attempts >= max_attempts)).all()
    for file_id, _path, failure in rows:
        reason = failure or (f"{max_attempts} index runs started on this file without finishing (the process "
                             "was killed or ran out of memory?)")
        conn.execute(warc_files.update().where(warc_files.c.id == file_id).values(status="failed", failure=reason))
    return [path for _id, path, _failure in rows]


FAILURE_KINDS = (("cannot read the file", "unreadable"), ("indexing stopped by an internal error", "internal_error"),
                 ("the file was replaced", "replaced"), ("the file is smaller", "replaced"))


def failure_kind(reason: str) -> str:
    """A short label of why a file failed, for /metrics (the reason itself may quote the file)."""
    for prefix, kind in FAILURE_KINDS:
        if reason.startswith(prefix):
            return kind
    return "stalled"


def failed_files(conn: Connection, limit: int = 20) -> tuple[int, list[dict[str, object]]]:
    """How many files were given up, and the latest ``limit`` of them (path, attempts, failure)."""
    where = warc_files.c.status == "failed"
    total = conn.execute(select(func.count()).select_from(warc_files).where(where)).scalar_one()
    rows = conn.execute(select(warc_files.c.path, warc_files.c.attempts, warc_files.c.failure)
                        .where(where).order_by(warc_files.c.id.desc()).limit(limit)).mappings().all()
    return int(total), [dict(r) for r in rows]


def give_up_folder(conn: Connection, path: str) -> None:
    """A pending path that is a folder, not a WARC file: failed at once, with what to do."""
    conn.execute(warc_files.update().where(warc_files.c.path == path).values(
        status="failed", failure=f"cannot read the file: {path} is a folder, not a WARC/ARC file; index the "
        f"files in it with `spillwatch index {path}`"))


def sync_folder(conn: Connection, folder: Path) -> int:
    """Files another tool put in a watched WARC folder become ``pending``: new ones (``*.open`` files
    still being written are left for later), and indexed ones whose size changed since (a file that
    grew is read on; one that was replaced is refused by :func:`check_unchanged`).  Returns how many."""
    if not folder.is_dir():
        return 0
    on_disk: dict[str, tuple[int, str]] = {}  # path as the crawler spells it -> (size, resolved path)
    for entry in folder.iterdir():
        if entry.name.lower().endswith(WARC_SUFFIXES) and entry.is_file():
            on_disk[str(entry)] = (entry.stat().st_size, str(entry.resolve()))
    if not on_disk:
        return 0
    spellings = list(on_disk) + [resolved for _size, resolved in on_disk.values()]
    known = {row.path: row for row in conn.execute(
        select(warc_files.c.path, warc_files.c.size, warc_files.c.status).where(warc_files.c.path.in_(spellings)))}
    changed = 0
    for path, (size, resolved) in sorted(on_disk.items()):
        row = known.get(path) or known.get(resolved)
        if row is None:
            conn.execute(insert(warc_files), {"path": path, "size": 0, "crawl_id": None, "status": "pending",
                                              "resume_offset": 0, "records": 0, "errors": []})
            changed += 1
        elif row.status == "indexed" and row.size != size:
            conn.execute(warc_files.update().where(warc_files.c.path == row.path).values(status="pending"))
            changed += 1
    return changed


def pending_paths(conn: Connection) -> list[str]:
    """Files waiting to be indexed (not given up)."""
    return list(conn.execute(select(warc_files.c.path).where(
        warc_files.c.status.in_(("pending", "indexing"))).order_by(warc_files.c.id)).scalars())
