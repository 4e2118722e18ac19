"""WARC files registered by the crawler (status pending, crawl id, maybe a relative path)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from core.catalog.schema import captures, crawls, warc_files
from indexer.pipeline import discover
from tests.indexer.conftest import rows
from tests.indexer.warc_builder import write_warc

DAY = datetime(2026, 3, 1, tzinfo=UTC)


def test_crawler_registered_file_is_indexed_under_its_row(make_indexer, catalog, tmp_path: Path,
                                                          monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "crawls").mkdir()
    warc = write_warc(tmp_path / "crawls" / "site-1.warc.gz",
                      [("http://agency.example/", 200, "text/html", b"<title>Home</title><p>Hello</p>", DAY)])
    with catalog.begin() as conn:
        conn.execute(insert(crawls), {"id": 7, "site_id": "agency", "kind": "full", "status": "finished",
                                      "started_at": DAY, "pages": 1, "bytes": 1, "errors": 0, "warc_files": [],
                                      "message": ""})
        conn.execute(insert(warc_files), {"path": "crawls/site-1.warc.gz", "size": warc.stat().st_size,
                                          "crawl_id": 7, "status": "pending", "resume_offset": 0, "records": 0,
                                          "errors": []})
    summary = make_indexer().index_paths([tmp_path / "crawls"])
    assert summary.captures == 1
    (row,) = rows(catalog, warc_files)
    assert row["path"] == "crawls/site-1.warc.gz" and row["status"] == "indexed" and row["records"] == 1
    (capture,) = rows(catalog, captures)
    assert capture["crawl_id"] == 7 and capture["site_id"] == "agency"
    assert capture["warc_file"] == str(warc.resolve())


def test_discover_skips_files_being_written(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.warc.gz", "a/y.warc.gz.open", "a/z.arc", "a/notes.txt", "b.warc"):
        (tmp_path / name).write_bytes(b"")
    found = discover([tmp_path / "a", tmp_path / "b.warc"])
    assert [p.name for p in found] == ["x.warc.gz", "z.arc", "b.warc"]
