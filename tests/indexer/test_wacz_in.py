"""WACZ files are indexed (issue 14, failure 5): the WARCs inside, offsets into the member, the
package checked against datapackage.json; a bad WACZ is one clear error and the rest is indexed."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from core.catalog.schema import captures, findings
from indexer.warc_reader import read_record_at
from spillwatch.cli import main
from tests.indexer.conftest import rows
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.warc_builder import write_warc

DAY = datetime(2026, 2, 1, tzinfo=UTC)


def make_wacz(tmp_path: Path, name: str = "site") -> tuple[Path, Path]:
    """A WACZ made by py-wacz (the Webrecorder tool) from a WARC with a page and a leaked CSV."""
    warc = write_warc(tmp_path / f"{name}.warc.gz", [
        ("https://agency.example.gov/", 200, "text/html", b"<html><title>Agency</title><body>Home "
         b"<a href='/people.csv'>people</a></body></html>", DAY),
        ("https://agency.example.gov/people.csv", 200, "text/csv", detainee_csv(), DAY),
    ])
    wacz = tmp_path / f"{name}.wacz"
    subprocess.run([sys.executable, "-c", "import sys; from wacz.main import main; sys.exit(main())", "create",
                    "-o", str(wacz), str(warc)], check=True, capture_output=True, cwd=tmp_path)
    return wacz, warc


def test_index_a_wacz_by_name(tmp_path: Path, capsys) -> None:
    wacz, warc = make_wacz(tmp_path)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(wacz)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["captures"] == 2 and summary["errors"] == 0 and summary["findings"] == 1
    from core.catalog.db import create_catalog_engine
    engine = create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}")
    stored = rows(engine, captures)
    assert {r["warc_file"] for r in stored} == {f"{wacz.resolve()}#archive/{warc.name}"}
    # offsets are offsets into the member, which holds the WARC's bytes unchanged
    plain = {r.url: r.offset for r in _records(warc)}
    assert {r["url"]: r["warc_offset"] for r in stored} == plain
    csv = next(r for r in stored if r["url"].endswith(".csv"))
    assert read_record_at(csv["warc_file"], csv["warc_offset"]).payload == detainee_csv()
    assert rows(engine, findings)[0]["severity"] == "critical"


def _records(warc: Path) -> list:
    from indexer.warc_reader import WarcReader, WarcRecord
    return [i for i in WarcReader(warc) if isinstance(i, WarcRecord)]


def test_folder_with_wacz_and_bad_wacz(make_indexer, catalog, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    good, warc = make_wacz(folder)
    warc.unlink()  # only the WACZ holds it now
    (folder / "notzip.wacz").write_bytes(b"this is not a zip file")
    damaged = folder / "damaged.wacz"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("archive/"):
                data = data[:-10] + b"\0" * 10
            out.writestr(info, data)
    write_warc(folder / "other.warc.gz", [("https://other.example.org/", 200, "text/html", b"<p>other</p>", DAY)])
    summary = make_indexer().index_paths([folder])
    messages = sorted(p.message for p in summary.problems)
    assert summary.errors == 2 and len(messages) == 2, messages
    assert "differs from datapackage.json" in messages[0] and "not a readable ZIP file" in messages[1]
    assert all(p.skipped for p in summary.problems)
    assert {r["url"] for r in rows(catalog, captures)} == {"https://agency.example.gov/",
                                                           "https://agency.example.gov/people.csv",
                                                           "https://other.example.org/"}


def test_bad_wacz_named_alone_is_one_clear_error(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "broken.wacz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["--data-dir", str(tmp_path / "data"), "index", "--no-progress", str(bad)]) == 2
    out = capsys.readouterr()
    assert "1 record(s) skipped" in out.out
    assert out.err.count("broken.wacz") == 1 and "not a readable ZIP file" in out.err
