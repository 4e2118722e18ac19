"""The index run: WARC/ARC files in, captures, versions, changes, links, findings and search
documents out.  Resumable and idempotent.

    summary = index_paths(["crawl-1/"], config, engine, search)

Records are handled in batches.  For each batch the catalog is read first (which captures exist
already, each URL's latest version), then payloads are extracted and scanned (no transaction
open; for large files most of that was done ahead by read-ahead processes, :mod:`indexer.readahead`),
then one transaction writes everything — captures, versions, changes, links, findings and their
events (which the alerts side turns into deliveries), the search documents (bulk, stable ids) and
the file's resume offset.  A crash
loses at most the batch in flight, and a rerun skips what was committed: indexing a WARC twice
changes nothing.

This module runs files and batches; the parts it runs are modules of their own: which files
(:mod:`indexer.discover`), what each capture does (:mod:`indexer.planner`, with
:mod:`indexer.scan_cache` and :mod:`indexer.previous_texts`), writing it (:mod:`indexer.apply_steps`),
what a failed file reports (:mod:`indexer.file_failures`) and the run's :mod:`indexer.summary`.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from core.catalog import incidents
from core.catalog.schema import captures
from core.config import Config
from core.errors import ServiceUnavailable
from indexer import captures_store, findings_store, removals, versions, visual_change
from indexer.apply_steps import BatchWrites, StepApplier
from indexer.discover import discover, discover_checked, size_or_zero
from indexer.errors import RecordProblem
from indexer.extract import ScanFunction, matcher_scan
from indexer.file_failures import file_problem
from indexer.loader import Loader
from indexer.planner import Planner, compare_links
from indexer.previous_texts import PreviousTexts
from indexer.progress import Progress
from indexer.purge import purged_digests
from indexer.readahead import BULK_GC_THRESHOLD, ReadAhead
from indexer.records import CaptureInfo, SiteResolver, capture_info, is_indexable_url
from indexer.rendered import rendered_doms, use_rendered_dom
from indexer.scan_cache import ScanCache
from indexer.search import SearchBackend
from indexer.summary import IndexSummary
from indexer.wacz import source_size, split_member
from indexer.warc_files import (
    FileReplaced,
    WarcFileState,
    check_unchanged,
    merge_problems,
    open_file,
    record_failure,
    save_progress,
    start_attempt,
)
from indexer.warc_reader import CAPTURE_TYPES, WarcReader

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
BATCH_BYTES = 64 * 2**20  # payloads held in memory per batch (a batch is cut early past this)


class Indexer:
    """Indexes WARC/ARC files into the catalog and the search backend (one indexer at a time)."""

    def __init__(
        self,
        config: Config,
        engine: Engine,
        search: SearchBackend,
        *,
        scan: ScanFunction | None = None,
        progress: bool = False,
        batch_size: int = BATCH_SIZE,
        max_attempts: int | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.settings = config.settings
        self.engine = engine
        self.loader = Loader(search)
        self.visual = visual_change.VisualChange()
        self.scan = scan if scan is not None else matcher_scan()
        self.scan_ahead = scan is None  # the read-ahead process may run the same in-process matcher
        self.progress_enabled = progress
        self.batch_size = batch_size
        # runs that may start on a file before it is given up (None: this one, `spillwatch index`)
        self.max_attempts = max_attempts
        self.clock = clock
        self.sites = SiteResolver(config.sites)
        scans = ScanCache(self.scan)
        self.planner = Planner(self.settings, self.visual, scans,
                               PreviousTexts(self.settings, self.loader.backend, scans), self._count_problem)
        self._purged: set[str] = set()  # payload digests removed by `spillwatch purge`: never indexed again
        self.summary = IndexSummary()
        self.applier = StepApplier(self.summary, self.loader, clock)

    # ------------------------------------------------------------------ files

    def index_paths(self, paths: Iterable[str | Path], crawl_id: int | None = None) -> IndexSummary:
        with self.engine.connect() as conn:
            self._purged = purged_digests(conn)
        with _fewer_collections(), ThreadPoolExecutor(1, thread_name_prefix="spillwatch-search") as writer:
            return self._index_paths(paths, crawl_id, writer)

    def _index_paths(self, paths: Iterable[str | Path], crawl_id: int | None,
                     search_writer: ThreadPoolExecutor) -> IndexSummary:
        started = time.monotonic()
        files, wacz_problems = discover_checked(paths)
        for problem in wacz_problems:
            self._count_problem(problem)
        total = sum(size_or_zero(p) for p in files)
        with Progress(total, enabled=self.progress_enabled) as progress:
            for path in files:
                progress.file(path.name)
                self._index_contained(path, search_writer, crawl_id, progress)
        with self.engine.begin() as conn:
            captures_store.resolve_pending_revisits(conn)
        self.loader.backend.refresh()
        self.summary.seconds = round(time.monotonic() - started, 3)
        return self.summary

    def _index_contained(self, path: Path, search_writer: ThreadPoolExecutor, crawl_id: int | None,
                         progress: Progress) -> None:
        """One file, whatever is wrong with it: a file that cannot be read, or an error that stops
        its run, is reported and recorded (``warc_files.failure``) and the other files are indexed.
        The catalog or the search backend failing is not the file's fault: that stops the run."""
        try:
            path = path if split_member(path) else path.resolve()
            size = source_size(path)
        except OSError as exc:  # unreadable file: report it, index the others
            self._file_failed(None, path, exc, 0)
            return
        state = open_file(self.engine, path, crawl_id)
        try:
            self._index_file(path, size, state, search_writer, progress)
        except (SQLAlchemyError, ServiceUnavailable):
            raise
        except Exception as exc:  # noqa: BLE001 - reported and recorded for this file by _file_failed
            self._file_failed(state, path, exc, state.resume_offset)

    def _file_failed(self, state: WarcFileState | None, path: Path, exc: Exception, offset: int) -> None:
        problem = file_problem(path, exc, offset)
        self._count_problem(problem)
        self.summary.files_failed += 1
        if state is not None:  # a replaced file is refused at once: trying again changes nothing
            record_failure(self.engine, state, f"{problem.message}; {problem.hint}",
                           None if isinstance(exc, FileReplaced) else self.max_attempts)

    def _index_file(self, path: Path, size: int, state: WarcFileState, search_writer: ThreadPoolExecutor,
                    progress: Progress | None = None) -> None:
        check_unchanged(self.engine, state, path, size)  # raises FileReplaced for a different file
        if state.done and state.size == size:
            self.summary.files_skipped += 1
            if progress is not None:
                progress.advance(size)
            return
        start_attempt(self.engine, state)
        self.summary.files += 1
        crawl_key = f"crawl:{state.crawl_id}" if state.crawl_id is not None else f"file:{path}"
        run = _FileRun(state=state, path=path, crawl_key=crawl_key, records=state.records,
                       resume=state.resume_offset, search_writer=search_writer, rendered=rendered_doms(path))
        if progress is not None:
            progress.advance(state.resume_offset)
        read_ahead, readers = int(self.settings.index_read_ahead_size), int(self.settings.index_read_ahead_processes)
        if read_ahead and readers and size - state.resume_offset >= read_ahead:
            with self.engine.connect() as conn:
                done = frozenset(captures_store.file_offsets(conn, str(path)))
            with ReadAhead(path, state.resume_offset, int(self.settings.index_max_payload), done,
                           scan_ahead=self.scan_ahead, readers=readers) as ahead:
                self._index_records(run, ahead, progress)
        else:
            reader = WarcReader(path, start_offset=state.resume_offset,
                                max_payload=int(self.settings.index_max_payload))
            self._index_records(run, reader, progress)
        self._finish(run, path, size)

    def _index_records(self, run: _FileRun, reader: WarcReader | ReadAhead, progress: Progress | None) -> None:
        """Batches of the reader's capture records, each planned and written by :meth:`_commit`."""
        crawl_site = self._crawl_site(run.state.crawl_id)
        batch: list[CaptureInfo] = []
        batch_surts: set[str] = set()
        sum_payload = 0
        problems: list[RecordProblem] = []
        for item in reader:
            if isinstance(item, RecordProblem):
                problems.append(item)
                self._count_problem(item)
                continue
            run.records += 1
            self.summary.records += 1
            end = item.offset + item.length
            if item.rec_type in CAPTURE_TYPES and is_indexable_url(item.url):
                if run.rendered:
                    use_rendered_dom(item, run.rendered, int(self.settings.index_max_payload))
                info = capture_info(item, self.sites, crawl_site)
                if info.surt in batch_surts:  # one capture per URL per batch: versions chain in order
                    self._commit(run, batch, problems, reader)
                    batch, problems, batch_surts, sum_payload = [], [], set(), 0
                batch.append(info)
                batch_surts.add(info.surt)
                sum_payload += item.payload_size
            if not reader.decompressed and end > run.resume:
                if progress is not None:
                    progress.advance(end - run.resume)
                run.resume = end
            if len(batch) >= self.batch_size or sum_payload > BATCH_BYTES:
                self._commit(run, batch, problems, reader)
                batch, problems, batch_surts, sum_payload = [], [], set(), 0
        self._commit(run, batch, problems, reader)

    def _count_problem(self, problem: RecordProblem) -> None:
        if problem.skipped:
            self.summary.errors += 1
        else:
            self.summary.warnings += 1
        self.summary.problems.append(problem)
        log.debug("%s", problem)

    def _crawl_site(self, crawl_id: int | None) -> str | None:
        if crawl_id is None:
            return None
        from core.catalog.schema import crawls

        with self.engine.connect() as conn:
            site = conn.execute(crawls.select().with_only_columns(crawls.c.site_id)
                                .where(crawls.c.id == crawl_id)).scalar()
        return str(site) if site else None

    def _finish(self, run: _FileRun, path: Path, size: int) -> None:
        now = self.clock()
        with self.engine.begin() as conn:
            scope = (captures.c.crawl_id == run.state.crawl_id if run.state.crawl_id is not None
                     else captures.c.warc_file == str(run.path))
            result = removals.check_unlinked(
                conn, crawl_key=run.crawl_key, dropped=removals.dropped_links(conn, scope),
                captured=removals.captured_surts(conn, scope), at=removals.crawl_time(conn, scope) or now,
                after_crawls=int(self.settings.removed_after_crawls),
            )
            self.summary.removed += result
            save_progress(conn, run.state, resume_offset=size if run.resume else 0, records=run.records,
                          size=size, problems=run.state.problems, status="indexed", indexed_at=now)

    # ---------------------------------------------------------------- batches

    def _commit(self, run: _FileRun, batch: list[CaptureInfo], problems: list[RecordProblem],
                reader: WarcReader | ReadAhead) -> None:
        path = str(run.path)
        with self.engine.connect() as conn:
            done = captures_store.existing_offsets(conn, path, [i.record.offset for i in batch])
            todo = [info for info in batch if info.record.offset not in done]
            states = versions.latest_versions(conn, [i.surt for i in todo])
            digests = [i.digest for i in todo] + [d for v in states.values() for d in (v.payload_digest, v.last_digest)]
            known = findings_store.ids_for_digests(conn, digests)
            self.planner.texts.fetch(todo, states)
            steps = [self.planner.safe_plan(conn, info, states.get(info.surt), known, problems) for info in todo]
            compare_links(conn, steps)
        for info in batch:  # extracted: the payloads are not needed any more
            info.record.payload = b""
        with self.engine.begin() as conn:
            captures_store.insert_captures(conn, [s.info for s in steps], run.state.crawl_id)
            writes = BatchWrites()
            for step in steps:
                self.applier.apply(conn, step, writes, self._purged)
            # the search documents are written in a thread while this one writes the catalog rows
            # (both drivers wait for I/O and SQLite without holding the GIL); the catalog commits
            # only once the search backend has them
            search = run.search_writer.submit(self.loader.flush)
            writes.flush(conn)
            # a page and the file it links are often in one batch: the file's incident finds its page now
            incidents.find_linking_pages(conn, [(s.info.site_id, s.info.url) for s in steps if s.extraction])
            self.summary.documents += search.result()
            save_progress(conn, run.state, resume_offset=0 if reader.decompressed else run.resume,
                          records=run.records, size=run.state.size,
                          problems=merge_problems(run.state.problems, problems))
        self.summary.captures += len(steps)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the garbage collector less often during an index run (see BULK_GC_THRESHOLD); the
    process's own thresholds are restored afterwards.  Measured on bench/index.py: ~10% less CPU."""
    before = gc.get_threshold()
    gc.set_threshold(*BULK_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@dataclass
class _FileRun:
    state: WarcFileState
    path: Path  # absolute: captures.warc_file, what replay and diffs open
    crawl_key: str
    records: int
    resume: int
    search_writer: ThreadPoolExecutor  # writes search documents while the catalog rows are written
    rendered: dict[str, int] = field(default_factory=dict)  # indexer.rendered: URL → its rendered DOM


def index_paths(
    paths: Sequence[str | Path], config: Config, engine: Engine, search: SearchBackend, *,
    crawl_id: int | None = None, progress: bool = False, scan: ScanFunction | None = None,
    max_attempts: int | None = None,
) -> IndexSummary:
    """Index WARC/ARC files or folders (the service loop's entry point); resumable and idempotent."""
    indexer = Indexer(config, engine, search, scan=scan, progress=progress, max_attempts=max_attempts)
    return indexer.index_paths(paths, crawl_id=crawl_id)


__all__ = ["IndexSummary", "Indexer", "discover", "index_paths"]
