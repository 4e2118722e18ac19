"""A file replaced under an indexed path is refused with a message (issue 12 item 5): its captures
point into the old bytes, and reading on from the old resume offset read the middle of another
file (0 records, no word).  A file that grew is still read on."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import captures, warc_files
from indexer.warc_files import sync_folder
from spillwatch.cli import main
from tests.indexer.warc_builder import write_warc

DAY = datetime(2026, 5, 1, tzinfo=UTC)


def page(n: int) -> tuple[str, int, str, bytes, datetime]:
    return (f"http://agency.example/{n}.html", 200, "text/html",
            f"<html><body><p>page {n} of the agency</p></body></html>".encode(), DAY)


def test_a_replaced_file_is_refused_a_grown_one_read_on(tmp_path: Path, make_settings, capsys) -> None:
    data = str(tmp_path / "data")
    path = write_warc(tmp_path / "crawl.warc.gz", [page(1), page(2)])
    assert main(["--data-dir", data, "index", "--no-progress", str(path)]) == 0
    # the same name, other content (another crawl written over it)
    write_warc(path, [page(n) for n in range(10, 20)])
    capsys.readouterr()
    assert main(["--data-dir", data, "index", "--no-progress", str(path)]) == 1
    out = capsys.readouterr()
    assert "1 failed" in out.out
    assert "the file was replaced by different content after it was indexed" in out.err
    assert "crawl-2.warc.gz" in out.err  # what to do: index it under a name of its own
    engine = open_catalog(make_settings())
    with engine.connect() as conn:
        row = conn.execute(select(warc_files).where(warc_files.c.path == str(path))).mappings().one()
        urls = set(conn.execute(select(captures.c.url)).scalars())
    assert row["status"] == "failed" and "replaced" in row["failure"]
    assert urls == {"http://agency.example/1.html", "http://agency.example/2.html"}

    grown = write_warc(tmp_path / "growing.warc.gz", [page(30)])
    assert main(["--data-dir", data, "index", "--no-progress", str(grown)]) == 0
    more = write_warc(tmp_path / "more.warc.gz", [page(31)]).read_bytes()
    with grown.open("ab") as fh:  # appended by a crawler still writing it
        fh.write(more)
    assert main(["--data-dir", data, "index", "--no-progress", str(grown)]) == 0
    with engine.connect() as conn:
        assert {"http://agency.example/30.html", "http://agency.example/31.html"} <= set(
            conn.execute(select(captures.c.url)).scalars())
    engine.dispose()


def test_files_dropped_into_a_watched_folder_become_pending(tmp_path: Path, make_settings) -> None:
    folder = tmp_path / "warcs"
    folder.mkdir()
    engine = open_catalog(make_settings())
    write_warc(folder / "wget-1.warc.gz", [page(1)])
    (folder / "still-written.warc.gz.open").write_bytes(b"")
    with engine.begin() as conn:
        assert sync_folder(conn, folder) == 1
        assert sync_folder(conn, folder) == 0  # known now
        rows = conn.execute(select(warc_files.c.path, warc_files.c.status)).all()
    assert rows == [(str(folder / "wget-1.warc.gz"), "pending")]
    engine.dispose()
