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
"""

from __future__ import annotations

import gc
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, insert
from sqlalchemy.exc import SQLAlchemyError

from core.catalog import incidents
from core.catalog.schema import captures, changes
from core.config import Config
from core.errors import ServiceUnavailable
from core.models import Finding, Table
from core.timestamps import as_utc
from indexer import captures_store, findings_store, links, media_types, removals, versions, visual_change
from indexer.errors import IndexingError, RecordProblem
from indexer.extract import Extraction, ScanFunction, extract, matcher_scan, scan_into, tables_text
from indexer.extract_html import Link
from indexer.links import LinkRow, LinkValues
from indexer.loader import Loader, build_document, document_id
from indexer.parse_errors import is_bad_input
from indexer.progress import Progress
from indexer.purge import purged_digests
from indexer.readahead import BULK_GC_THRESHOLD, Prepared, ReadAhead
from indexer.records import CaptureInfo, SiteResolver, capture_info, clean_text, is_indexable_url
from indexer.rendered import rendered_doms, use_rendered_dom
from indexer.search import SearchBackend
from indexer.surt import surt_key
from indexer.wacz import WACZ_SUFFIX, WaczError, is_wacz, source_mtime, source_size, split_member, wacz_members
from indexer.warc_files import (
    WARC_SUFFIXES,
    FileReplaced,
    WarcFileState,
    check_unchanged,
    merge_problems,
    open_file,
    record_failure,
    save_progress,
    start_attempt,
)
from indexer.warc_reader import CAPTURE_TYPES, WarcReader, WarcRecord, read_record_at

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
BATCH_BYTES = 64 * 2**20  # payloads held in memory per batch (a batch is cut early past this)
TEXT_CACHE_ENTRIES = 256
MAX_DROPPED_LINKS = 500
SCAN_CACHE_ENTRIES = 1_000


@dataclass
class IndexSummary:
    """What an index run did (the CLI prints it; the service loop logs it)."""

    files: int = 0
    files_skipped: int = 0
    files_failed: int = 0  # files that could not be read or whose run stopped (see problems)
    records: int = 0
    captures: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    reappeared: int = 0
    documents_linked: int = 0
    findings: int = 0
    documents: int = 0
    errors: int = 0
    warnings: int = 0
    seconds: float = 0.0
    problems: list[RecordProblem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


@dataclass
class Step:
    """What one capture does to the catalog (planned before the write transaction)."""

    info: CaptureInfo
    kind: str  # new | changed | unchanged | same | removed | reappeared | none
    state: versions.VersionState | None = None
    extraction: Extraction | None = None
    significance: float = 0.0
    pixels: float | None = None  # share of the screenshot's pixels changed (indexer.visual_change)
    links: list[Link] = field(default_factory=list)
    store_links: bool = False
    link_values: list[LinkValues] | None = None  # what is stored of ``links``, when already made
    new_documents: list[Link] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # link targets the page no longer has
    known_findings: list[tuple[int, str]] = field(default_factory=list)
    compare_links: bool = False  # new_documents and dropped still to compute (batched)


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


def _size(path: Path) -> int:
    """The file's (or WACZ member's) size; 0 when it vanished meanwhile (then reported when its turn
    comes)."""
    try:
        return source_size(path)
    except OSError:
        return 0


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
        self._texts: OrderedDict[str, str] = OrderedDict()
        self._scanned: dict[str, tuple[list[Table], list[Finding]]] = {}
        self._batch_texts: dict[str, str] = {}  # previous versions' texts from the search backend
        self._purged: set[str] = set()  # payload digests removed by `spillwatch purge`: never indexed again
        self.summary = IndexSummary()

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
        total = sum(_size(p) for p in files)
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
        name = exc.__class__.__name__
        if isinstance(exc, FileReplaced):
            problem = RecordProblem(str(path), 0, str(exc), exc.hint)
        elif is_bad_input(exc):
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else " ".join(str(exc).split())[:200]
            problem = RecordProblem(str(path), offset, f"cannot read the file: {name}: {detail or name}",
                                    "check that it exists, that this user may read it and that it is a "
                                    f"WARC/ARC file (`warcio check {path}`), then index it again")
        else:
            # the exception text may quote archived content: its type goes into the report and the
            # log line, the traceback only into the debug log
            log.error("%s: indexing stopped by an internal error (%s); the traceback is logged at level debug",
                      path, name)
            log.debug("indexing %s failed", path, exc_info=True)
            problem = RecordProblem(str(path), offset, f"indexing stopped by an internal error ({name}): a bug "
                                    "in Spillwatch, not necessarily in the file; the other files were indexed",
                                    "please report it with the output of `spillwatch --set log_level=debug "
                                    f"index {path}`")
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
            self._fetch_previous_texts(todo, states)
            steps = [self._safe_plan(conn, info, states.get(info.surt), known, problems) for info in todo]
            self._compare_links(conn, steps)
        for info in batch:  # extracted: the payloads are not needed any more
            info.record.payload = b""
        with self.engine.begin() as conn:
            captures_store.insert_captures(conn, [s.info for s in steps], run.state.crawl_id)
            writes = _Writes()
            for step in steps:
                self._apply(conn, run, step, writes)
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

    def _safe_plan(self, conn: Connection, info: CaptureInfo, state: versions.VersionState | None,
                   known: dict[str, list[tuple[int, str]]], problems: list[RecordProblem]) -> Step:
        """:meth:`_plan`, turning a bug met on one record into a problem report for that record (the
        capture is still recorded, without extraction) so that it never stops the run."""
        try:
            return self._plan(conn, info, state, known)
        except Exception as exc:  # reported per record below; the traceback goes to the debug log
            # the exception text may quote archived content: its type goes into the report, the
            # traceback only into the debug log
            log.debug("indexing %s failed", info.url, exc_info=True)
            problem = RecordProblem(
                info.record.path, info.record.offset,
                f"indexing {info.url} failed: {exc.__class__.__name__} (a bug; the capture is recorded "
                "without text, links or findings)",
                "please report it with the output of `spillwatch --set log_level=debug index` on this file",
                skipped=False)
            problems.append(problem)
            self._count_problem(problem)
            info.refers_to_capture_id = None
            return Step(info, "none", state)

    def _plan(self, conn: Connection, info: CaptureInfo, state: versions.VersionState | None,
              known: dict[str, list[tuple[int, str]]]) -> Step:
        record = info.record
        original: tuple[int, str, int] | None = None
        if (record.rec_type == "revisit" and state is not None and info.digest == state.payload_digest
                and not state.first_is_revisit
                and (not record.refers_to_uri or record.refers_to_uri == record.url
                     or surt_key(record.refers_to_uri) == info.surt)):
            # the usual revisit: this URL's current version holds the payload
            info.refers_to_capture_id = state.first_capture_id
            original = (state.first_capture_id, state.text_file, state.text_offset)
        elif record.rec_type == "revisit":
            original = captures_store.find_original(conn, info.digest, record.refers_to_uri, record.url,
                                                    record.date)
            info.refers_to_capture_id = original[0] if original else None
        if info.holds_content:
            if state is not None and state.removed_at is None and state.same_content(info.digest):
                info.media_type_sniffed = state.last_sniffed
                info.title = state.last_title
                return Step(info, "same", state, known_findings=known.get(info.digest, []))
            prepared = record.prepared if record.rec_type != "revisit" else None
            if prepared is not None:  # sniffed and extracted by the read-ahead process
                payload, content_type = record.payload, record.content_type
                info.media_type_sniffed = prepared.sniffed
            else:
                payload, content_type = self._payload(record, original)
                info.media_type_sniffed = media_types.sniff(payload, record.url)
            kind = "new" if state is None else ("reappeared" if state.removed_at is not None else "changed")
            step = Step(info, kind, state, known_findings=known.get(info.digest, []))
            self._extract(conn, step, payload, content_type, known, prepared)
            return step
        if info.not_modified and state is not None and state.removed_at is None:
            return Step(info, "same", state, known_findings=known.get(state.last_digest, []))
        if info.is_gone and state is not None and state.removed_at is None:
            return Step(info, "removed", state)
        return Step(info, "none", state)

    def _payload(self, record: WarcRecord, original: tuple[int, str, int] | None) -> tuple[bytes, str]:
        """The payload of a capture: its own, or that of the record a revisit refers to."""
        if record.rec_type == "revisit":
            if original is None:
                return b"", record.content_type
            where = (original[1], original[2])
        elif record.payload_dropped:  # the read-ahead process did not send it: read the record again
            where = (record.path, record.offset)
        else:
            return record.payload, record.content_type
        try:
            source = read_record_at(where[0], where[1], int(self.settings.index_max_payload))
        except LookupError as exc:
            log.warning("%s: the record holding its payload is unreadable: %s", record.url, exc)
            return b"", record.content_type
        return source.payload, source.content_type or record.content_type

    def _extract(self, conn: Connection, step: Step, payload: bytes, content_type: str,
                 known: dict[str, list[tuple[int, str]]], prepared: Prepared | None = None) -> None:
        info = step.info
        if prepared is not None:
            extraction, has_table = prepared.extraction, prepared.has_table
        else:
            extraction = extract(payload, info.url, content_type, info.media_type_sniffed)
            has_table = b"<table" in payload.lower()
        is_html = extraction.media_type in media_types.HTML_TYPES
        scanned = prepared.scan if prepared is not None else None
        if not is_html:  # a document: any change of its bytes is scanned; its text comes from its tables
            self._scan(extraction, payload, info.url, scanned)
        if step.kind == "changed" and step.state is not None:
            step.significance = versions.significance(self._previous_text(step.state), extraction.text)
            if step.significance < float(self.settings.change_threshold):  # a rendered page: pixels too
                step.pixels = self.visual.share_since(step.state, info.record)
                if visual_change.significant(step.pixels, float(self.settings.visual_change_threshold)):
                    step.significance = max(step.significance, step.pixels or 0.0)  # the page's change: its picture
                else:
                    step.kind = "unchanged"
                    # the version's findings stay exposed through this capture
                    step.known_findings = step.known_findings or known.get(step.state.payload_digest, [])
        if is_html and step.kind != "unchanged" and has_table:
            # the matcher reads a page's <table>s; a page whose text hardly changed holds the tables
            # already scanned
            self._scan(extraction, payload, info.url, scanned)
        step.extraction = extraction
        info.title = extraction.title
        self._remember(document_id(info.surt, info.digest), extraction.text)
        if is_html:
            if prepared is not None:  # the read-ahead process sent the stored form of the links
                step.link_values = prepared.link_values
                step.links = ([Link(url, text) for url, _surt, text in prepared.link_values]
                              if step.state is not None else [])
            else:
                step.links = extraction.links
            step.store_links = True
            # a URL without a version had no page content before, hence no links; the others' links
            # are read for the whole batch at once (_compare_links)
            step.compare_links = step.state is not None

    @staticmethod
    def _compare_links(conn: Connection, steps: list[Step]) -> None:
        """New document links and dropped links of the batch's pages, against their current links
        (one capture per URL per batch: no step changes another's previous links)."""
        pending = [step for step in steps if step.compare_links]
        before = links.previous_links_many(conn, [step.info.surt for step in pending])
        for step in pending:
            before_links = before[step.info.surt]
            step.new_documents = links.new_document_links(before_links, step.links)
            if before_links is not None:
                now_targets = {link.url for link in step.links}
                step.dropped = sorted(before_links - now_targets)

    def _scan(self, extraction: Extraction, payload: bytes, url: str,
              ahead: tuple[list[Table], list[Finding], list[str]] | None = None) -> None:
        """Matcher results for this content, scanned once per run (``ahead``: the read-ahead
        process's scan of it)."""
        cached = self._scanned.get(extraction.content_sha256)
        if cached is None and ahead is not None:
            tables, findings, errors = ahead
            extraction.errors.extend(errors)
            for error in errors:
                log.info("%s: %s", url, error)
            cached = self._cache_scan(extraction.content_sha256, tables, findings)
        if cached is not None:
            extraction.tables, extraction.findings = cached
            if not extraction.text and extraction.tables:
                extraction.text = tables_text(extraction.tables)
            return
        if self.scan is None:
            return
        scan_into(extraction, payload, url, self.scan)
        for error in extraction.errors:
            # matcher messages name the file and what to do, never a cell value
            log.info("%s: %s", url, error)
        self._cache_scan(extraction.content_sha256, extraction.tables, extraction.findings)

    def _cache_scan(self, sha256: str, tables: list[Table],
                    findings: list[Finding]) -> tuple[list[Table], list[Finding]]:
        if len(self._scanned) >= SCAN_CACHE_ENTRIES:
            self._scanned.clear()
        self._scanned[sha256] = (tables, findings)
        return tables, findings

    def _fetch_previous_texts(self, todo: list[CaptureInfo], states: dict[str, versions.VersionState]) -> None:
        """The texts of the versions this batch's captures may change, from their search documents
        (one request) rather than by reading and extracting their WARC records again one by one."""
        wanted: set[str] = set()
        for info in todo:
            state = states.get(info.surt)
            if (state is not None and info.holds_content and state.removed_at is None
                    and not state.same_content(info.digest)):
                key = document_id(state.surt, state.payload_digest)
                if key not in self._texts:
                    wanted.add(key)
        self._batch_texts = self.loader.backend.texts(wanted) if wanted else {}

    def _previous_text(self, state: versions.VersionState) -> str:
        key = document_id(state.surt, state.payload_digest)
        if key in self._texts:
            return self._texts[key]
        if key in self._batch_texts:  # the search document holds the text extracted then
            return self._batch_texts[key]
        try:
            record = read_record_at(state.text_file, state.text_offset, int(self.settings.index_max_payload))
        except LookupError as exc:
            log.warning("previous version of %s unreadable (%s); change significance taken as 1", state.surt, exc)
            return ""
        previous = extract(record.payload, record.url, record.content_type,
                           media_types.sniff(record.payload, record.url), text_only=True)
        if previous.media_type not in media_types.HTML_TYPES:
            self._scan(previous, record.payload, record.url)
        self._remember(key, previous.text)
        return previous.text

    def _remember(self, key: str, text: str) -> None:
        self._texts[key] = text
        self._texts.move_to_end(key)
        while len(self._texts) > TEXT_CACHE_ENTRIES:
            self._texts.popitem(last=False)

    # ----------------------------------------------------------------- writes

    def _apply(self, conn: Connection, run: _FileRun, step: Step, writes: _Writes) -> None:
        info = step.info
        assert info.id is not None
        at = as_utc(info.captured_at)
        state = step.state
        if step.kind == "none":
            return
        if step.kind in ("same", "unchanged"):
            assert state is not None
            writes.touches.append({"b_id": state.id, "b_capture": info.id, "b_seen": at})
            if step.known_findings:
                findings_store.seen_again(conn, [fid for fid, _sev in step.known_findings], at)
        elif step.kind == "removed":
            assert state is not None
            versions.mark_removed(conn, state.id, at)
            findings_store.content_removed(conn, {state.payload_digest, state.last_digest}, info.surt, at)
            writes.change(info, "removed", 1.0, state.last_capture_id,
                          {"reason": f"http {info.status}", "status": info.status})
            self.summary.removed += 1
        else:  # new, changed, reappeared
            writes.versions.append(versions.version_row(
                surt=info.surt, url=info.url, site_id=info.site_id, digest=info.digest, capture_id=info.id,
                seen=at, previous_id=state.id if state else None))
        if step.kind in ("new", "changed", "reappeared", "unchanged"):
            significance = 1.0 if step.kind in ("new", "reappeared") else step.significance
            details: dict[str, Any] = {"payload_digest": info.digest, "media_type": info.media_type_sniffed}
            if step.kind == "unchanged":
                details["reason"] = "insignificant"
            if step.pixels is not None:
                details.update(visual_change.details(step.pixels, step.kind))
            if step.dropped:  # read back by the end-of-file removal check (crash-safe)
                details["links_dropped"] = step.dropped[:MAX_DROPPED_LINKS]
            writes.change(info, step.kind, significance, state.last_capture_id if state else None, details)
            setattr(self.summary, step.kind, getattr(self.summary, step.kind) + 1)
        if step.store_links:
            values = step.link_values if step.link_values is not None else links.link_values(step.links)
            capture_id = info.id
            writes.links.extend([(capture_id, *value) for value in values])
        for link in step.new_documents:
            writes.change(info, "new_document_linked", 1.0, None,
                          {"page_url": info.url, "anchor_text": link.text}, url=link.url)
            self.summary.documents_linked += 1
        if step.extraction is not None:
            self._findings_and_document(conn, step, at)

    def _findings_and_document(self, conn: Connection, step: Step, at: datetime) -> None:
        info, extraction = step.info, step.extraction
        assert extraction is not None and info.id is not None
        severities = [sev for _fid, sev in step.known_findings]
        if extraction.findings:
            stored = findings_store.store(
                conn, extraction.findings, content_sha256=extraction.content_sha256, capture_id=info.id,
                url=info.url, payload_digest=info.digest, site_id=info.site_id, seen=at, now=self.clock(),
                table_digests=(
                    {t.locator: findings_store.table_digest(t) for t in extraction.tables if t.locator}
                    if extraction.media_type in media_types.HTML_TYPES else None),
            )
            self.summary.findings += sum(1 for s in stored if s.created)
            severities.extend(s.severity for s in stored)
        elif step.known_findings:
            findings_store.seen_again(conn, [fid for fid, _ in step.known_findings], at)
        if info.digest in self._purged:  # a purged payload found again: its text is not indexed
            return
        self.loader.add(build_document(
            surt=info.surt, payload_digest=info.digest, url=info.url, site=info.search_site,
            media_type=extraction.media_type, captured_at=at, title=extraction.title, text=extraction.text,
            capture_id=info.id, severity=findings_store.worst_severity(severities),
            extra={"record_type": info.record.rec_type, "status": info.status,
                   "tables": len(extraction.tables),
                   "truncated": info.record.truncated or bool(info.record.warc_truncated)},
            has_tables=bool(extraction.tables), cells_masked=extraction.viewer_text,
        ))


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
class _Writes:
    """Rows of one batch written with one statement per table (executemany)."""

    versions: list[dict[str, Any]] = field(default_factory=list)
    touches: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    links: list[LinkRow] = field(default_factory=list)

    def change(self, info: CaptureInfo, kind: str, significance: float, previous_capture_id: int | None,
               details: dict[str, Any], url: str | None = None) -> None:
        target = url or info.url
        self.changes.append({
            # the url is cut to fit the unique index (changes are keyed by SURT anyway)
            "surt": surt_key(target) if url else info.surt, "url": clean_text(target[:links.MAX_URL_CHARS]),
            "site_id": info.site_id, "kind": kind,
            "significance": round(significance, 4), "capture_id": info.id,
            "previous_capture_id": previous_capture_id, "detected_at": as_utc(info.captured_at), "details": details,
        })

    def flush(self, conn: Connection) -> None:
        if self.versions:
            conn.execute(insert(versions.versions), self.versions)
        versions.touch_versions(conn, self.touches)
        if self.changes:
            conn.execute(insert(changes), self.changes)
        links.insert_links(conn, self.links)


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
