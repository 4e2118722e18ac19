"""Bodies served with Content-Encoding br, zstd, gzip, deflate or a stack of them are decoded for
extraction and scanning (issue 14, failures 1 and 2); a broken or unknown coding is one record's
warning, never an aborted run."""

from __future__ import annotations

import io
import zlib
from datetime import UTC, datetime
from pathlib import Path

import brotlicffi
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from core.catalog import open_catalog
from core.catalog.schema import captures, findings
from core.config import Config
from core.encodings import decode_body
from indexer.errors import RecordProblem
from indexer.pipeline import Indexer
from indexer.search import open_search
from indexer.warc_reader import WarcReader, WarcRecord
from tests.indexer.conftest import count, rows
from tests.indexer.encoded_site import ENCODERS, EncodedSite
from tests.indexer.test_two_crawls import detainee_csv

crawler_run = pytest.importorskip("crawler.run")
HTML = b"<html><head><title>Encoded page</title></head><body><p>zebra giraffe okapi</p></body></html>"


def _write(path: Path, bodies: list[tuple[str, str, bytes, str]]) -> Path:
    """``bodies``: (url, content type, stored body, Content-Encoding) each."""
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for url, content_type, body, coding in bodies:
            headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
            if coding:
                headers.append(("Content-Encoding", coding))
            http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=http,
                warc_headers_dict={"WARC-Date": datetime(2026, 1, 5, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}))
    return path


def _encode(body: bytes, coding: str) -> bytes:
    for token in [t.strip() for t in coding.split(",")]:
        body = ENCODERS[token](body)
    return body


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip", "deflate", "gzip, br", "br, zstd", "x-gzip"])
def test_every_coding_reads_as_the_plain_body(tmp_path: Path, coding: str) -> None:
    warc = _write(tmp_path / "e.warc.gz", [("http://example.org/", "text/html", _encode(HTML, coding.replace(
        "x-gzip", "gzip")), coding)])
    items = list(WarcReader(warc))
    assert [i for i in items if isinstance(i, RecordProblem)] == []
    assert [i.payload for i in items if isinstance(i, WarcRecord)] == [HTML]


def test_raw_deflate_and_several_gzip_members() -> None:
    raw = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert decode_body(raw.compress(HTML) + raw.flush(), "deflate", limit=10**6).body == HTML
    assert decode_body(ENCODERS["gzip"](HTML[:20]) + ENCODERS["gzip"](HTML[20:]), "gzip", limit=10**6).body == HTML


def test_decoding_stops_at_the_limit_and_at_a_bomb() -> None:
    zeros = zstandard.ZstdCompressor().compress(b"\0" * 50_000_000)
    bomb = decode_body(zeros, "zstd", limit=200 * 2**20)
    assert bomb.truncated and "decompression bomb" in bomb.problem and len(bomb.body) < 50_000_000
    cut = decode_body(brotlicffi.compress(HTML * 100), "br", limit=100)
    assert cut.body == (HTML * 100)[:100] and cut.truncated and not cut.problem


def test_broken_and_unknown_codings_are_record_warnings(make_indexer, catalog, tmp_path: Path) -> None:
    damaged = bytearray(brotlicffi.compress(b" ".join(b"word%d" % i for i in range(60_000))))
    damaged[len(damaged) // 2: len(damaged) // 2 + 40] = b"\xaa" * 40
    warc = _write(tmp_path / "bad.warc.gz", [
        ("http://example.org/broken", "text/plain", bytes(damaged), "br"),
        ("http://example.org/unknown", "text/plain", b"compressed somehow", "lzma-custom"),
        ("http://example.org/mislabelled", "text/html", HTML, "gzip"),
        ("http://example.org/fine", "text/html", _encode(HTML, "zstd"), "zstd"),
    ])
    summary = make_indexer().index_paths([warc])
    messages = [p.message for p in summary.problems]
    assert summary.errors == 0 and summary.warnings == 3, messages
    assert any("br data of the body is broken after" in m for m in messages)
    assert any("unknown Content-Encoding 'lzma-custom'" in m for m in messages)
    assert any("is not gzip-encoded; indexed as stored" in m for m in messages)
    assert count(catalog, captures) == 4


def _crawl_and_index(coding: str, make_settings, tmp_path: Path) -> list[tuple]:
    """Crawl the site with the project's crawler into a catalog of its own; its findings."""
    name = (coding or "plain").replace(", ", "-")
    settings = make_settings(download_delay="0s", data_dir=str(tmp_path / name / "data"))
    engine, search = open_catalog(settings), open_search(settings)
    with EncodedSite(coding) as site:
        manifest = crawler_run.crawl_adhoc(site.url + "/", tmp_path / name / "crawl", settings, max_pages=20,
                                           allow_private=True)
    assert manifest.warc_files, manifest.reason
    summary = Indexer(Config(settings=settings), engine, search).index_paths(manifest.warc_files)
    search.close()
    assert summary.errors == 0 and summary.warnings == 0, summary.problems
    assert count(engine, captures, captures.c.status == 200) == 3
    return sorted((r["url"].split("/", 3)[-1], r["kind"], r["severity"], r["rows"]) for r in rows(engine, findings))


@pytest.mark.parametrize("coding", ["br", "zstd", "gzip", "gzip, br"])
def test_encoded_site_gives_the_findings_of_the_plain_site(make_settings, tmp_path: Path, coding: str) -> None:
    plain = _crawl_and_index("", make_settings, tmp_path)
    assert plain and plain[0][1:3] == ("person_table", "critical")
    encoded = _crawl_and_index(coding, make_settings, tmp_path)
    assert encoded == plain


def test_detainee_csv_is_found_when_zstd_encoded(make_indexer, catalog, tmp_path: Path) -> None:
    warc = _write(tmp_path / "z.warc.gz", [("http://example.org/people.csv", "text/csv",
                                            _encode(detainee_csv(), "zstd"), "zstd")])
    make_indexer().index_paths([warc])
    assert [r["severity"] for r in rows(catalog, findings)] == ["critical"]
