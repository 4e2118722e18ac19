"""A second crawl of an unchanged site writes revisit records / records 304s and far fewer bytes;
a changed document is stored whole again.  Driven through the ad-hoc CLI, as a user would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from spillwatch.cli import main
from spillwatch.demo.agency_documents import CSV_TYPE
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import read_records, warcio_check

IDENTICAL = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"


def _crawl(site: AgencySite, out: Path, capsys: pytest.CaptureFixture[str]) -> dict:
    code = main(["--set", "download_delay=0", "--set", "download_timeout=5", "crawl", "--url", site.url("/"),
                 "--out", str(out), "--allow-private-addresses"])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert "finished" in captured.out and "WARC file(s)" in captured.out
    manifest_line = [line for line in captured.out.splitlines() if "manifest:" in line][0]
    return json.loads(Path(manifest_line.split("manifest:", 1)[1].strip()).read_text())


def test_second_crawl_deduplicates(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = b"country,count\n" + b"".join(b"Country %d,%d\n" % (i, i * 7) for i in range(20000))
    with AgencySite() as site:
        site.publish("/statistics/releases/fy2023-by-country.csv", big, CSV_TYPE, link_text="FY2023")
        first = _crawl(site, tmp_path, capsys)
        site.clear_requests()
        second = _crawl(site, tmp_path, capsys)
        conditional = [r for r in site.requests if "If-None-Match" in r.headers]
        site.publish("/statistics/releases/fy2023-by-country.csv", big + b"Country X,1\n", CSV_TYPE)
        third = _crawl(site, tmp_path, capsys)

    assert first["status"] == second["status"] == third["status"] == "finished"
    assert first["revisits"] + first["not_modified"] <= 1  # robots.txt is fetched twice in a crawl
    assert second["pages"] == first["pages"]
    assert second["revisits"] + second["not_modified"] >= first["pages"] - 1
    assert second["bytes"] * 3 < first["bytes"], (first["bytes"], second["bytes"])
    assert conditional, "no conditional requests were sent"

    records = read_records(second["warc_files"])
    revisits = [r for r in records if r.type == "revisit"]
    assert {r.warc["WARC-Profile"] for r in revisits} <= {IDENTICAL, NOT_MODIFIED}
    assert any(r.warc["WARC-Profile"] == NOT_MODIFIED and r.status == "304" for r in revisits)
    # fetched without validators (sitemaps, robots.txt): unchanged payload → identical-payload-digest
    assert any(r.warc["WARC-Profile"] == IDENTICAL and r.uri.endswith("/sitemap.xml") for r in revisits)
    for revisit in revisits:
        assert revisit.warc["WARC-Refers-To-Target-URI"] == revisit.uri
        assert revisit.warc["WARC-Refers-To-Date"] < revisit.warc["WARC-Date"]
        assert revisit.warc["WARC-Payload-Digest"].startswith("sha1:")
        assert revisit.payload == b""
    assert not [r for r in records if r.type == "response" and r.uri.endswith(".csv")]

    changed = [r for r in read_records(third["warc_files"])
               if r.uri.endswith("fy2023-by-country.csv") and r.type != "request"]
    assert [r.type for r in changed] == ["response"]
    assert changed[0].payload.endswith(b"Country X,1\n")
    for manifest in (first, second, third):
        assert warcio_check(manifest["warc_files"]).returncode == 0
    assert (tmp_path / "crawler-state.sqlite3").exists()
