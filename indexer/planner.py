"""Planning a batch: what each capture does to the catalog (a :class:`~indexer.steps.Step`), decided
from its URL's latest version, with its payload extracted, scanned and compared — no transaction
open."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Connection

from core.settings import Settings
from indexer import captures_store, links, media_types, versions, visual_change
from indexer.errors import RecordProblem
from indexer.extract import extract
from indexer.extract_html import Link
from indexer.loader import document_id
from indexer.previous_texts import PreviousTexts
from indexer.readahead import Prepared
from indexer.records import CaptureInfo
from indexer.scan_cache import ScanCache
from indexer.steps import Step
from indexer.surt import surt_key
from indexer.warc_reader import WarcRecord, read_record_at

# the index run's lines keep the logger name they had when the run was one module
log = logging.getLogger("indexer.pipeline")

Known = dict[str, list[tuple[int, str]]]  # payload digest → its findings (id, severity)


class Planner:
    """Plans captures into steps; a bug met on one capture becomes a problem for that capture
    (``count_problem`` adds it to the run's summary)."""

    def __init__(self, settings: Settings, visual: visual_change.VisualChange, scans: ScanCache,
                 texts: PreviousTexts, count_problem: Callable[[RecordProblem], None]) -> None:
        self.settings = settings
        self.visual = visual
        self.scans = scans
        self.texts = texts
        self.count_problem = count_problem

    def safe_plan(self, conn: Connection, info: CaptureInfo, state: versions.VersionState | None,
                  known: Known, problems: list[RecordProblem]) -> Step:
        """:meth:`plan`, turning a bug met on one record into a problem report for that record (the
        capture is still recorded, without extraction) so that it never stops the run."""
        try:
            return self.plan(conn, info, state, known)
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
            self.count_problem(problem)
            info.refers_to_capture_id = None
            return Step(info, "none", state)

    def plan(self, conn: Connection, info: CaptureInfo, state: versions.VersionState | None,
             known: Known) -> Step:
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
            self._extract(step, payload, content_type, known, prepared)
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

    def _extract(self, step: Step, payload: bytes, content_type: str, known: Known,
                 prepared: Prepared | None = None) -> None:
        info = step.info
        if prepared is not None:
            extraction, has_table = prepared.extraction, prepared.has_table
        else:
            extraction = extract(payload, info.url, content_type, info.media_type_sniffed)
            has_table = b"<table" in payload.lower()
        is_html = extraction.media_type in media_types.HTML_TYPES
        scanned = prepared.scan if prepared is not None else None
        if not is_html:  # a document: any change of its bytes is scanned; its text comes from its tables
            self.scans.scan_once(extraction, payload, info.url, scanned)
        if step.kind == "changed" and step.state is not None:
            step.significance = versions.significance(self.texts.text(step.state), extraction.text)
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
            self.scans.scan_once(extraction, payload, info.url, scanned)
        step.extraction = extraction
        info.title = extraction.title
        self.texts.remember(document_id(info.surt, info.digest), extraction.text)
        if is_html:
            if prepared is not None:  # the read-ahead process sent the stored form of the links
                step.link_values = prepared.link_values
                step.links = ([Link(url, text) for url, _surt, text in prepared.link_values]
                              if step.state is not None else [])
            else:
                step.links = extraction.links
            step.store_links = True
            # a URL without a version had no page content before, hence no links; the others' links
            # are read for the whole batch at once (compare_links)
            step.compare_links = step.state is not None


def compare_links(conn: Connection, steps: list[Step]) -> None:
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
