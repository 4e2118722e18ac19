"""``spillwatch export wacz`` writes a WACZ (py-wacz) that validates, indexes again into the same
captures and that pywb replays (issue 14, failure 5: WACZ out)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from core.catalog.db import create_catalog_engine
from core.catalog.schema import captures, findings
from spillwatch.cli import main
from tests.indexer.conftest import rows
from tests.indexer.test_two_crawls import detainee_csv
from tests.indexer.warc_builder import write_warc

DAY1, DAY2 = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 8, tzinfo=UTC)
HOME = b"<html><head><title>Agency home</title></head><body><p>Statistics office</p></body></html>"

PYWB_CHECK = textwrap.dedent("""
    import os, sys, subprocess
    os.chdir(sys.argv[1])
    manager = os.path.join(os.path.dirname(sys.executable), "wb-manager")
    subprocess.run([manager, "init", "spill"], check=True, capture_output=True)
    open("config.yaml", "w").write("framed_replay: false\\n")
    subprocess.run([manager, "add", "--unpack-wacz", "spill", sys.argv[2]], check=True, capture_output=True)
    from pywb.apps.frontendapp import FrontEndApp
    from werkzeug.test import Client
    response = Client(FrontEndApp()).get("/spill/" + sys.argv[3] + "id_/" + sys.argv[4])
    sys.stdout.buffer.write(response.status.encode() + b"\\n" + response.get_data())
""")


def _catalog(data: Path):
    return create_catalog_engine(f"sqlite:///{data / 'catalog.sqlite3'}")


def test_export_wacz_of_everything_and_of_a_finding(tmp_path: Path, capsys) -> None:
    warcs = tmp_path / "warcs"
    warcs.mkdir()
    write_warc(warcs / "one.warc.gz", [("https://agency.example.gov/", 200, "text/html", HOME, DAY1),
                                       ("https://agency.example.gov/p.csv", 200, "text/csv", detainee_csv(), DAY1)])
    write_warc(warcs / "two.warc", [("https://agency.example.gov/", 200, "text/html", HOME + b" ", DAY2)], gzip=False)
    data = tmp_path / "data"
    assert main(["--data-dir", str(data), "index", "--json", str(warcs)]) == 0
    capsys.readouterr()
    out = tmp_path / "all.wacz"
    assert main(["--data-dir", str(data), "export", "wacz", "-o", str(out), "--title", "Agency"]) == 0
    assert "3 record(s), 3 page(s)" in capsys.readouterr().out
    with zipfile.ZipFile(out) as wacz:
        names = set(wacz.namelist())
        assert {"datapackage.json", "pages/pages.jsonl"} <= names and any(n.startswith("indexes/") for n in names)
        pages = [json.loads(li) for li in wacz.read("pages/pages.jsonl").decode().splitlines()[1:]]
        assert json.loads(wacz.read("datapackage.json"))["title"] == "Agency"
    assert {p["url"] for p in pages} == {"https://agency.example.gov/", "https://agency.example.gov/p.csv"}

    again = tmp_path / "again"
    assert main(["--data-dir", str(again), "index", "--json", str(out)]) == 0
    assert json.loads(capsys.readouterr().out)["errors"] == 0
    assert sorted((r["url"], r["captured_at"]) for r in rows(_catalog(again), captures)) == \
        sorted((r["url"], r["captured_at"]) for r in rows(_catalog(data), captures))

    finding = rows(_catalog(data), findings)[0]["id"]
    one = tmp_path / "finding.wacz"
    assert main(["--data-dir", str(data), "export", "wacz", "-o", str(one), "--finding", str(finding)]) == 0
    assert "1 record(s)" in capsys.readouterr().out
    pywb = tmp_path / "pywb"
    pywb.mkdir()
    shown = subprocess.run([sys.executable, "-c", PYWB_CHECK, str(pywb), str(one), "20260201000000",
                            "https://agency.example.gov/p.csv"], capture_output=True, timeout=300, check=True).stdout
    assert shown.startswith(b"200") and shown.split(b"\n", 1)[1] == detainee_csv()


def test_nothing_selected_is_a_clear_error(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    write_warc(tmp_path / "one.warc.gz", [("https://agency.example.gov/", 200, "text/html", HOME, DAY1)])
    assert main(["--data-dir", str(data), "index", "--json", str(tmp_path / "one.warc.gz")]) == 0
    assert main(["--data-dir", str(data), "export", "wacz", "-o", str(tmp_path / "x.wacz"), "--site", "nope"]) == 2
    assert "no capture matches site nope" in capsys.readouterr().err
