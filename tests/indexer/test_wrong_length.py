"""A record whose WARC Content-Length is wrong but whose HTTP body is complete (an ARC/WARC writer
that counted CRs it stripped) is indexed with a warning (issue 14, failure 4)."""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog.schema import captures
from indexer.warc_reader import WarcReader, WarcRecord
from tests.indexer.conftest import rows

PAGES = [(f"https://example.org/page{i}", f"<html><body>page number {i} text</body></html>".encode())
         for i in range(3)]


def _records() -> list[bytes]:
    """Each record as plain bytes."""
    out: list[bytes] = []
    for url, body in PAGES:
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=False, warc_version="1.1")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                                      warc_headers_dict={"WARC-Date": "2026-01-01T00:00:00Z"}))
        out.append(buffer.getvalue())
    return out


def _overstate(record: bytes, extra: int) -> bytes:
    """The record with its WARC Content-Length ``extra`` bytes too large."""
    return re.sub(rb"Content-Length: (\d+)\r\n\r\nHTTP", lambda m: b"Content-Length: %d\r\n\r\nHTTP"
                  % (int(m.group(1)) + extra), record, count=1)


def test_plain_file_record_running_into_the_next(make_indexer, catalog, tmp_path: Path) -> None:
    first, second, third = _records()
    warc = tmp_path / "plain.warc"
    warc.write_bytes(first + _overstate(second, 40) + third)
    summary = make_indexer().index_paths([warc])
    assert summary.errors == 0 and summary.warnings == 1, summary.problems
    assert "Content-Length" in summary.problems[0].message and not summary.problems[0].skipped
    assert sorted(r["url"] for r in rows(catalog, captures)) == [url for url, _ in PAGES]
    payloads = {i.url: i.payload for i in WarcReader(warc) if isinstance(i, WarcRecord)}
    assert payloads == dict(PAGES)


def test_gzip_member_shorter_than_its_content_length(make_indexer, catalog, tmp_path: Path) -> None:
    first, second, third = _records()
    warc = tmp_path / "members.warc.gz"
    warc.write_bytes(b"".join(gzip.compress(r) for r in (first, _overstate(second, 40), third)))
    summary = make_indexer().index_paths([warc])
    assert summary.errors == 0 and summary.warnings == 1, summary.problems
    assert sorted(r["url"] for r in rows(catalog, captures)) == [url for url, _ in PAGES]


def test_body_really_cut_short_is_still_skipped(make_indexer, catalog, tmp_path: Path) -> None:
    first, second, _ = _records()
    warc = tmp_path / "cut.warc"
    warc.write_bytes(first + second[:-30])
    summary = make_indexer().index_paths([warc])
    assert summary.errors == 1 and "cut short" in summary.problems[0].message
