"""Scanning with the matcher during an index run: each content (by its SHA-256) is scanned once per
run, or taken from the read-ahead process's scan of it."""

from __future__ import annotations

import logging

from core.models import Finding, Table
from indexer.extract import Extraction, ScanFunction, scan_into, tables_text

# the index run's lines keep the logger name they had when the run was one module
log = logging.getLogger("indexer.pipeline")

SCAN_CACHE_ENTRIES = 1_000


class ScanCache:
    """The matcher (``scan``; None: no scanning) and its results of this run, per content."""

    def __init__(self, scan: ScanFunction | None) -> None:
        self.scan = scan
        self._scanned: dict[str, tuple[list[Table], list[Finding]]] = {}

    def scan_once(self, extraction: Extraction, payload: bytes, url: str,
                  ahead: tuple[list[Table], list[Finding], list[str]] | None = None) -> None:
        """Matcher results for this content, scanned once per run (``ahead``: the read-ahead
        process's scan of it)."""
        cached = self._scanned.get(extraction.content_sha256)
        if cached is None and ahead is not None:
            tables, findings, errors = ahead
            extraction.errors.extend(errors)
            for error in errors:
                log.info("%s: %s", url, error)
            cached = self._cache(extraction.content_sha256, tables, findings)
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
        self._cache(extraction.content_sha256, extraction.tables, extraction.findings)

    def _cache(self, sha256: str, tables: list[Table],
               findings: list[Finding]) -> tuple[list[Table], list[Finding]]:
        if len(self._scanned) >= SCAN_CACHE_ENTRIES:
            self._scanned.clear()
        self._scanned[sha256] = (tables, findings)
        return tables, findings
