"""Write a WACZ of selected captures (a site, a crawl, a time range, a finding's captures) with
py-wacz, the Webrecorder tool: ReplayWeb.page and pywb open the result, ``wacz validate`` passes.

The records of the selected captures (and the originals their revisits refer to) are copied byte
for byte from the WARCs into one new WARC, a ``warcinfo`` record first; a record stored in a plain
WARC becomes one gzip member. py-wacz then writes the CDXJ index, ``pages/pages.jsonl`` (the HTML
pages and the files with findings, from the catalog) and ``datapackage.json`` with every digest.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, select
from warcio.warcwriter import WARCWriter

from core.catalog.schema import captures, findings
from core.errors import ServiceUnavailable
from indexer.cdxj import timestamp14
from indexer.errors import IndexingError
from indexer.record_source import record_bytes

if TYPE_CHECKING:
    from core.warc_store import S3Store

PAGE_TYPES = ("text/html", "application/xhtml+xml")


class ExportError(IndexingError):
    """The WACZ cannot be written (nothing selected, py-wacz failed)."""


@dataclass
class ExportSummary:
    path: Path
    records: int = 0
    pages: int = 0
    skipped: list[str] = field(default_factory=list)


def _with_originals(conn: Connection, rows: list[Any]) -> list[Any]:
    wanted = {r.refers_to_capture_id for r in rows if r.refers_to_capture_id} - {r.id for r in rows}
    if not wanted:
        return rows
    extra = list(conn.execute(select(captures).where(captures.c.id.in_(sorted(wanted)))))
    return rows + extra


def _record_bytes(row: Any, store: S3Store | None) -> bytes:
    """The stored record, as one gzip member (or several, as stored); a record of a plain or whole-file
    gzip WARC becomes one member (indexer.record_source); from the bucket when the file is not here."""
    data = record_bytes(row.warc_file, int(row.warc_offset), int(row.warc_length), store)
    return data if data[:2] == b"\x1f\x8b" else gzip.compress(data)


def _write_warc(path: Path, rows: Iterable[Any], summary: ExportSummary, source: str,
                store: S3Store | None) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record(path.name, {
            "software": "spillwatch export wacz", "format": "WARC File Format 1.1",
            "description": f"captures selected from the Spillwatch catalog: {source}"}))
        seen: set[tuple[str, int]] = set()
        for row in sorted(rows, key=lambda r: (r.captured_at, r.id)):
            key = (str(row.warc_file), int(row.warc_offset))
            if key in seen:
                continue
            seen.add(key)
            try:
                out.write(_record_bytes(row, store))
            except (OSError, ServiceUnavailable) as exc:  # the file gone, or the bucket not answering
                summary.skipped.append(f"{row.url} ({row.warc_file} at {row.warc_offset}): {exc}")
                continue
            summary.records += 1


def _pages(conn: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    with_findings = {r[0] for r in conn.execute(select(findings.c.capture_id).where(
        findings.c.capture_id.in_([r.id for r in rows])))} if rows else set()
    pages: list[dict[str, Any]] = []
    for row in rows:
        if row.record_type == "revisit" or row.status is None or not 200 <= row.status < 300:
            continue
        if (row.media_type_declared or "") in PAGE_TYPES or row.id in with_findings:
            at = row.captured_at if row.captured_at.tzinfo else row.captured_at.replace(tzinfo=UTC)
            pages.append({"url": row.url, "ts": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                          "title": row.title or row.url})
    return pages


def export_wacz(conn: Connection, query: Select[Any], out: Path, *, source: str, title: str = "",
                store: S3Store | None = None) -> ExportSummary:
    """Write ``out`` (a .wacz) holding the captures ``query`` selects; with ``store``
    (``warc_storage: s3://``) records of files not on this machine are read from the bucket by range."""
    rows = _with_originals(conn, list(conn.execute(query)))
    if not rows:
        raise ExportError(f"no capture matches {source}; nothing to export (check the site, crawl or dates)")
    summary = ExportSummary(out)
    with tempfile.TemporaryDirectory(prefix="spillwatch-wacz-") as work:
        folder = Path(work)
        stamp = timestamp14(datetime.now(UTC))
        warc = folder / f"spillwatch-{stamp}.warc.gz"
        _write_warc(warc, rows, summary, source, store)
        pages = _pages(conn, rows)
        summary.pages = len(pages)
        pages_file = folder / "pages.jsonl"
        header = {"format": "json-pages-1.0", "id": "pages", "title": title or source}
        pages_file.write_text("\n".join(json.dumps(p) for p in [header, *pages]) + "\n", encoding="utf-8")
        _run_wacz(["create", "-o", str(out.resolve()), "-p", str(pages_file), "--title", title or source,
                   "--desc", f"Spillwatch export of {source}", str(warc)], folder)
    return summary


def _run_wacz(args: list[str], cwd: Path) -> str:
    """py-wacz's command line, in a child process (it prints and may exit)."""
    command = [sys.executable, "-c", "import sys; from wacz.main import main; sys.exit(main())", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=3600, check=False)
    if done.returncode != 0:
        raise ExportError(f"py-wacz {args[0]} failed (exit {done.returncode}): "
                          f"{(done.stderr or done.stdout).strip()[-500:]}")
    return done.stdout


def validate_wacz(path: Path) -> str:
    """``wacz validate`` of ``path``; raises :class:`ExportError` when it is not valid."""
    out = _run_wacz(["validate", "-f", str(path.resolve())], path.resolve().parent)
    if "valid" not in out.lower() or "not valid" in out.lower():
        raise ExportError(f"{path}: wacz validate: {out.strip()[-500:]}")
    return out
