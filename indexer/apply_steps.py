"""Applying a batch's planned steps inside its write transaction: versions, changes and links as
rows written once per table (:class:`BatchWrites`), findings and their events, and the search
documents handed to the loader."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from core.catalog.schema import changes
from core.timestamps import as_utc
from indexer import findings_store, links, media_types, versions, visual_change
from indexer.links import LinkRow
from indexer.loader import Loader, build_document
from indexer.records import CaptureInfo, clean_text
from indexer.steps import Step
from indexer.summary import IndexSummary
from indexer.surt import surt_key

MAX_DROPPED_LINKS = 500


@dataclass
class BatchWrites:
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


class StepApplier:
    """Applies steps, counting what they did in the run's ``summary`` and adding their search
    documents to ``loader``."""

    def __init__(self, summary: IndexSummary, loader: Loader, clock: Callable[[], datetime]) -> None:
        self.summary = summary
        self.loader = loader
        self.clock = clock

    def apply(self, conn: Connection, step: Step, writes: BatchWrites, purged: set[str]) -> None:
        """``purged``: payload digests removed by `spillwatch purge`, whose text is never indexed again."""
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
            self._findings_and_document(conn, step, at, purged)

    def _findings_and_document(self, conn: Connection, step: Step, at: datetime, purged: set[str]) -> None:
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
        if info.digest in purged:  # a purged payload found again: its text is not indexed
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
