"""The read-ahead process (indexer/readahead.py): the same catalog and search documents as reading in
one process, the same records and problems from every corpus file, and a fallback when it dies."""

from __future__ import annotations

import csv
import gzip
import io
import json
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bench.index import generate
from core.catalog import open_catalog, schema
from core.config import Config
from indexer.errors import RecordProblem
from indexer.pipeline import Indexer
from indexer.readahead import ReadAhead
from indexer.search import open_search
from indexer.warc_reader import CAPTURE_TYPES, WarcReader, WarcRecord
from matcher.scan import scan_bytes
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.warc_builder import write_warc

TABLES = (schema.captures, schema.versions, schema.changes, schema.links, schema.findings)
VOLATILE = {"created_at", "updated_at", "indexed_at"}  # when the run happened, not what it found


@pytest.fixture(scope="module")
def two_crawls(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two crawls of a synthetic agency site in one WARC: new, changed, timestamp-only and revisited
    pages, CSV/XLSX/PDF/JSON documents, pages with tables."""
    path = tmp_path_factory.mktemp("warc") / "two-crawls.warc.gz"
    generate(path, pages=240, documents=40, table_share=0.25, seed=3)
    return path


@pytest.fixture(scope="module")
def rosters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A person-level CSV and a page showing the same people in an HTML table (synthetic)."""
    table = list(csv.reader(io.StringIO(detainee_csv(seed=11).decode())))
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in table[1:])
    page = ("<html><head><title>Detention roster</title></head><body><table><tr>"
            + "".join(f"<th>{h}</th>" for h in table[0]) + f"</tr>{cells}</table></body></html>").encode()
    when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    return write_warc(tmp_path_factory.mktemp("warc") / "rosters.warc.gz", [
        ("http://agency.example/docs/roster.csv", 200, "text/csv", detainee_csv(seed=11), when),
        ("http://agency.example/roster.html", 200, "text/html; charset=utf-8", page, when),
    ])


def index_into(data_dir: Path, paths: list[Path], make_settings: Callable[..., Any], read_ahead: str,
               **indexer_args: Any) -> tuple[dict[str, list[dict[str, Any]]], list[tuple[Any, ...]], Any]:
    """Index ``paths`` into a fresh SQLite catalog and search index; their rows, ids left out."""
    config = Config(settings=make_settings(data_dir=str(data_dir), index_read_ahead_size=read_ahead))
    engine = open_catalog(config.settings)
    search = open_search(config.settings)
    try:
        summary = Indexer(config, engine, search,
                          **indexer_args).index_paths(paths)
        with engine.connect() as conn:
            catalog = {table.name: [{k: v for k, v in row.items() if k not in VOLATILE}
                                    for row in conn.execute(select(table).order_by(table.c.id)).mappings()]
                       for table in TABLES}
    finally:
        search.close()
        engine.dispose()
    with sqlite3.connect(data_dir / "search.sqlite3") as db:
        documents = db.execute("SELECT id, url, title, text, severity, capture_id, extra FROM search_docs "
                               "ORDER BY id").fetchall()
    return catalog, documents, summary


@pytest.mark.parametrize("scan", ["ahead", "in the indexer"])
def test_read_ahead_writes_what_one_process_writes(two_crawls: Path, rosters: Path, tmp_path: Path,
                                                   make_settings, scan: str) -> None:
    # a scan function passed in (the service's capped scanner) is never run ahead: the payloads go
    # to the indexer, which scans them itself
    args = {} if scan == "ahead" else {"scan": scan_bytes}
    paths = [two_crawls, rosters]
    one, one_docs, one_summary = index_into(tmp_path / "one", paths, make_settings, "0", **args)
    two, two_docs, two_summary = index_into(tmp_path / "two", paths, make_settings, "1", **args)
    assert one_summary.captures == two_summary.captures == 562
    assert one_summary.changed > 0 and one_summary.unchanged > 0 and one_summary.findings > 0
    assert {k: v for k, v in two_summary.to_dict().items() if k != "seconds"} == \
        {k: v for k, v in one_summary.to_dict().items() if k != "seconds"}
    for table in one:
        assert two[table] == one[table], table
    assert two_docs == one_docs
    assert any(json.loads(extra)["tables"] for *_rest, extra in two_docs)


def test_read_ahead_of_the_corpus(corpus: Path, tmp_path: Path, make_settings) -> None:
    """Every real WARC/ARC, broken ones included: the same rows and problems either way."""
    files = sorted(p for p in corpus.iterdir() if p.is_file())
    one, one_docs, one_summary = index_into(tmp_path / "one", files, make_settings, "0")
    two, two_docs, two_summary = index_into(tmp_path / "two", files, make_settings, "1")
    assert [p.to_dict() for p in two_summary.problems] == [p.to_dict() for p in one_summary.problems]
    assert two_summary.errors == 1 and two_summary.captures == 27
    for table in one:
        assert two[table] == one[table], table
    assert two_docs == one_docs


def _items(reader: Any) -> list[tuple[Any, ...]]:
    """What the indexer reads of each item (of requests, warcinfo and metadata: only where they end)."""
    return [("problem", i.offset, i.message) if isinstance(i, RecordProblem)
            else ("record", i.offset, i.length, i.rec_type) if i.rec_type not in CAPTURE_TYPES
            else ("record", i.offset, i.length, i.rec_type, i.url, i.date, i.status, i.payload_digest, i.truncated)
            for i in reader]


@pytest.mark.parametrize("readers", [1, 3])
def test_the_same_records_as_the_reader(corpus: Path, two_crawls: Path, readers: int) -> None:
    # three processes taking 4 KiB segments in turn: every file is cut many times, broken ones too
    for path in [two_crawls, *sorted(p for p in corpus.iterdir() if p.is_file())]:
        with ReadAhead(path, readers=readers, segment_bytes=4096) as ahead:
            assert _items(ahead) == _items(WarcReader(path)), path.name


def test_a_cut_inside_a_stored_record_is_noticed(tmp_path: Path, caplog) -> None:
    """An uncompressed WARC whose text payload holds a WARC record: a cut there would start a
    segment inside the payload.  The segment before stops elsewhere, so the rest is read here."""
    inner = (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://inner.example/\r\n"
             b"WARC-Date: 2020-01-01T00:00:00Z\r\nContent-Length: 2\r\n\r\nhi\r\n\r\n")
    filler = b"".join(b"line %d of an archived text file\n" % n for n in range(3000))
    when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    path = write_warc(tmp_path / "plain.warc", [
        ("http://agency.example/a.txt", 200, "text/plain", filler + inner + filler, when),
        ("http://agency.example/b.html", 200, "text/html", b"<p>after</p>", when),
    ], gzip=False)
    expected = _items(WarcReader(path))
    assert [i[4] for i in expected if i[0] == "record" and len(i) > 4] == [
        "http://agency.example/a.txt", "http://agency.example/b.html"]
    with caplog.at_level("INFO", logger="indexer.readahead"), \
            ReadAhead(path, readers=2, segment_bytes=len(filler) // 2) as ahead:
        assert _items(ahead) == expected
    assert "starts at" in caplog.text and "reading on in this process" in caplog.text


def test_a_dead_read_ahead_process_is_replaced_by_reading_here(two_crawls: Path, caplog) -> None:
    expected = _items(WarcReader(two_crawls))
    got: list[tuple[Any, ...]] = []
    # small chunks and one chunk queued: the process is far from the end of the file when killed
    with ReadAhead(two_crawls, chunk_records=10, queue_chunks=1) as ahead:
        for n, item in enumerate(ahead):
            got.extend(_items([item]))
            if n == 100:  # killed mid-file: the rest comes from a reader in this process
                ahead._processes[0].kill()
                ahead._processes[0].join(10)
    assert got == expected
    assert "the read-ahead process died" in caplog.text


def test_a_dead_read_ahead_process_in_a_one_stream_gzip_file(corpus: Path, caplog) -> None:
    """Its offsets are positions in the decompressed data: the file is read again from the start
    here, without what was already received."""
    path = corpus / "warcio__example-bad-non-chunked.warc.gz"
    expected = _items(WarcReader(path))
    assert len(expected) > 4 and "one gzip stream" in expected[0][2]  # before any record
    got: list[tuple[Any, ...]] = []
    with ReadAhead(path, chunk_records=1, queue_chunks=1) as ahead:
        for n, item in enumerate(ahead):
            got.extend(_items([item]))
            if n == 2:
                ahead._processes[0].kill()
                ahead._processes[0].join(10)
    assert got == expected
    assert "the read-ahead process died" in caplog.text


def test_a_member_of_several_records_in_a_later_segment(tmp_path: Path, caplog) -> None:
    """One gzip member per record, then one member holding several: the reader of that segment
    would read the whole file again decompressed; the records still come once each, in order."""
    when = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    pages = [(f"http://agency.example/p{n}.html", 200, "text/html", b"<p>%d</p>" % n + b" " * 3000, when)
             for n in range(40)]
    head = write_warc(tmp_path / "head.warc.gz", pages[:30])
    tail = write_warc(tmp_path / "tail.warc", pages[30:], gzip=False)
    path = tmp_path / "mixed.warc.gz"
    path.write_bytes(head.read_bytes() + gzip.compress(tail.read_bytes()))
    expected = _items(WarcReader(path))
    assert any(i[0] == "problem" and "one gzip stream" in i[2] for i in expected)
    with ReadAhead(path, readers=2, segment_bytes=path.stat().st_size // 3) as ahead:
        assert _items(ahead) == expected
    assert "holds a gzip member of several records" in caplog.text


def test_forks_when_alone_and_spawns_beside_other_threads(two_crawls: Path) -> None:
    # alone: a fresh interpreter (this test process runs the services' output threads)
    alone = subprocess.run([sys.executable, "-c", "from indexer.readahead import ReadAhead; "
                            f"print(ReadAhead({str(two_crawls)!r})._context.get_start_method())"],
                           capture_output=True, text=True, check=True, cwd=Path(__file__).parents[2])
    assert alone.stdout.strip() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        with ReadAhead(two_crawls) as ahead:
            assert ahead._context.get_start_method() == "spawn"
            records = [i for i in ahead if isinstance(i, WarcRecord)]
    finally:
        stop.set()
    prepared = [r for r in records if r.prepared is not None]
    assert prepared and all(r.prepared.extraction.text for r in prepared if r.url.endswith(".html"))
