"""Whole-file gzip WARCs (one gzip stream, not one member per record) and WARC members deflated in a
WACZ are indexed one capture per record, at offsets that read the record back (decompressing from the
start, indexer/record_source.py): capture pages, downloads and WACZ exports get each record, not the
file's first one, and ``spillwatch purge`` rewrites a whole-file gzip with one member per record. The
files are written by warcio and by py-wacz + ``zipfile``."""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from core.catalog.db import create_catalog_engine
from core.catalog.schema import captures, findings
from indexer.errors import RecordProblem
from indexer.record_source import decompressed_offsets, open_record, record_bytes
from indexer.wacz import open_source
from indexer.warc_reader import WarcReader, WarcRecord, read_record_at
from spillwatch.cli import main
from tests.indexer.conftest import rows
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.test_wacz_in import make_wacz
from tests.indexer.warc_builder import write_warc
from web.archive import read_payload

DAY = datetime(2026, 4, 2, tzinfo=UTC)
SITE = "https://agency.example.gov"


def pages() -> list[tuple[str, int, str, bytes, datetime]]:
    return [(f"{SITE}/p{n}.html", 200, "text/html", b"<html><title>Page %d</title><p>%s</p></html>" % (n, b"w " * 900),
             DAY) for n in range(6)] + [(f"{SITE}/people.csv", 200, "text/csv", detainee_csv(), DAY)]


def whole_file_gzip(folder: Path) -> Path:
    """A WARC written by warcio without per-record compression, then gzipped as one stream."""
    plain = write_warc(folder / "plain.warc", pages(), gzip=False)
    path = folder / "whole.warc.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    return path


def deflated(wacz: Path) -> Path:
    """The same WACZ with its WARC members deflated (as a ZIP tool that recompresses everything writes it)."""
    out = wacz.with_name(wacz.stem + "-deflated.wacz")
    with zipfile.ZipFile(wacz) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            method = zipfile.ZIP_DEFLATED if info.filename.startswith("archive/") else info.compress_type
            target.writestr(info.filename, source.read(info), compress_type=method)
    with zipfile.ZipFile(out) as check:
        members = [i for i in check.infolist() if i.filename.startswith("archive/")]
    assert members and all(i.compress_type == zipfile.ZIP_DEFLATED for i in members)
    return out


def test_whole_file_gzip_reads_each_record_at_its_offset(tmp_path: Path) -> None:
    path = whole_file_gzip(tmp_path)
    items = list(WarcReader(path))
    problems = [i for i in items if isinstance(i, RecordProblem)]
    records = [i for i in items if isinstance(i, WarcRecord)]
    # one warning, before any record (the first record is not yielded with warcio's meaningless length)
    assert [p.skipped for p in problems] == [False] and "one gzip stream" in problems[0].message
    assert isinstance(items[0], RecordProblem)
    assert [r.url for r in records] == [p[0] for p in pages()]
    assert all(r.length > 0 for r in records) and len({r.offset for r in records}) == len(records)
    for record, (url, _status, _type, body, _when) in zip(records, pages(), strict=True):
        with open_source(path) as fh:
            size = path.stat().st_size
            assert decompressed_offsets(fh, record.offset, record.length, size) == (record.offset > 0
                                                                                  or record.length > size)
        stored = record_bytes(path, record.offset, record.length)
        assert stored.startswith(b"WARC/1.1\r\n") and url.encode() in stored[:400]
        assert read_record_at(path, record.offset).payload == body
        assert read_payload({"warc_file": str(path), "warc_offset": record.offset}, tmp_path).body == body


def test_per_record_files_are_read_in_place(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "members.warc.gz", pages())
    records = [i for i in WarcReader(path) if isinstance(i, WarcRecord)]
    for record in records:
        with open_source(path) as fh:
            assert not decompressed_offsets(fh, record.offset, record.length, path.stat().st_size)
            fh.seek(record.offset)
            assert record_bytes(path, record.offset, record.length) == fh.read(record.length)
    with open_record(path, records[-1].offset, records[-1].length) as fh:
        assert gzip.decompress(fh.read()).startswith(b"WARC/1.1")


def test_whole_file_gzip_indexes_finds_and_exports(tmp_path: Path, capsys) -> None:
    path = whole_file_gzip(tmp_path)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(path)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["captures"] == 7 and summary["findings"] == 1
    engine = create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}")
    stored = rows(engine, captures, order=captures.c.warc_offset)
    assert len({r["warc_offset"] for r in stored}) == 7
    assert rows(engine, findings)[0]["url"] == f"{SITE}/people.csv"
    out = tmp_path / "out.wacz"
    assert main(["--data-dir", str(data), "export", "wacz", "-o", str(out)]) == 0
    capsys.readouterr()
    # the export holds every record (each re-compressed as one member), and indexes again to the same pages
    again = tmp_path / "again"
    assert main(["--data-dir", str(again), "index", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["captures"] == 7
    bodies = {r["url"]: read_record_at(r["warc_file"], r["warc_offset"]).payload
              for r in rows(create_catalog_engine(f"sqlite:///{again / 'catalog.sqlite3'}"), captures)}
    assert bodies == {url: body for url, _s, _t, body, _w in pages()}


def test_deflated_wacz_member_indexes_per_record(tmp_path: Path, capsys) -> None:
    wacz, warc = make_wacz(tmp_path)
    packed = deflated(wacz)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(packed)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["captures"] == 2 and summary["errors"] == 0 and summary["findings"] == 1
    stored = rows(create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}"), captures)
    plain = {r.url: (r.offset, r.length) for r in WarcReader(warc) if isinstance(r, WarcRecord)}
    # offsets into the member's content, as in the WACZ's own CDXJ and as for a stored member
    assert {r["url"]: (r["warc_offset"], r["warc_length"]) for r in stored} == plain
    for row in stored:
        assert row["warc_file"] == f"{packed.resolve()}#archive/{warc.name}"
        with warc.open("rb") as fh:
            fh.seek(row["warc_offset"])
            assert record_bytes(row["warc_file"], row["warc_offset"], row["warc_length"]) == fh.read(row["warc_length"])
        payload = read_payload(row, tmp_path).body
        assert payload == read_record_at(warc, row["warc_offset"]).payload


def test_purge_rewrites_a_whole_file_gzip_per_record(tmp_path: Path, capsys) -> None:
    path = whole_file_gzip(tmp_path)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(path)]) == 0
    capsys.readouterr()
    engine = create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}")
    finding = rows(engine, findings)[0]
    assert main(["--data-dir", str(data), "purge", str(finding["id"]), "--yes", "--reason", "case closed"]) == 0
    with path.open("rb") as fh:  # now one gzip member per record: warcio iterates it without complaint
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(fh)]
    assert ("metadata", f"{SITE}/people.csv") in kinds and ("response", f"{SITE}/people.csv") not in kinds
    assert detainee_csv()[:40] not in gzip.decompress(path.read_bytes())
    for row in rows(engine, captures):  # the catalog followed the records to their new, seekable offsets
        if row["url"].endswith(".html"):
            with open_source(path) as fh:
                assert not decompressed_offsets(fh, row["warc_offset"], row["warc_length"], path.stat().st_size)
            body = next(b for u, _s, _t, b, _w in pages() if u == row["url"])
            assert read_record_at(path, row["warc_offset"]).payload == body
