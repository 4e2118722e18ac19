"""``spillwatch crawl SITE_ID`` from a config: catalog rows, dedup against catalog captures, and the
watch-page burst API (fetch a given list of URLs now)."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from core.catalog import open_catalog
from core.catalog.schema import captures, crawls, warc_files
from core.config import load_config
from crawler.run import fetch_urls
from spillwatch.cli import main
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import read_records

CSV = "/statistics/releases/fy2022-by-country.csv"


def _config(tmp_path: Path, site: AgencySite) -> Path:
    path = tmp_path / "spillwatch.yml"
    path.write_text(
        "settings:\n"
        f"  data_dir: {tmp_path / 'data'}\n"
        "  download_timeout: 5s\n"
        "sites:\n"
        "  - id: agency\n"
        f"    seeds: ['{site.url('/')}']\n"
        "    allow_private_addresses: true\n"
        "    download_delay: 0\n"
        "    max_pages: 50\n",
        encoding="utf-8")
    return path


def test_site_crawl_uses_catalog_and_records_the_crawl(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    with AgencySite() as site:
        config_path = _config(tmp_path, site)
        config = load_config(config_path, environ={})
        engine = open_catalog(config.settings)
        served = site.lookup(CSV)
        assert served is not None
        digest = "sha1:" + base64.b32encode(hashlib.sha1(served.body).digest()).decode()
        earlier = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        with engine.begin() as connection:  # a capture indexed from some other crawler's WARC
            connection.execute(insert(captures).values(
                site_id="agency", url=site.url(CSV), surt="x", captured_at=earlier, record_type="response",
                status=200, media_type_declared="text/csv", payload_digest=digest, etag=served.etag,
                warc_file="/elsewhere/other-crawler.warc.gz", warc_offset=0, warc_length=10))
            # a crawl whose service was killed mid-way: its row still says running
            stale = tmp_path / "data" / "crawls" / "agency" / "manifests" / "spillwatch-agency-old.json"
            connection.execute(insert(crawls).values(site_id="agency", kind="full", status="running",
                                                     started_at=earlier, manifest_path=str(stale)))
        code = main(["--config", str(config_path), "crawl", "agency"])
        out = capsys.readouterr().out
        assert code == 0, out
        csv_requests = site.requests_for(CSV)
        assert csv_requests and csv_requests[0].headers.get("If-None-Match") == served.etag

        with engine.connect() as connection:
            old, row = connection.execute(select(crawls).order_by(crawls.c.id)).mappings().all()
            files = connection.execute(select(warc_files)).mappings().all()
        assert old["status"] == "failed" and "without finishing" in old["message"]
        assert row["site_id"] == "agency" and row["status"] == "finished" and row["kind"] == "full"
        assert row["pages"] >= 10 and row["bytes"] > 0 and row["finished_at"] is not None
        assert row["warc_files"] and Path(row["manifest_path"]).exists()
        assert [f["path"] for f in files] == row["warc_files"]
        assert {f["status"] for f in files} == {"pending"} and all(f["crawl_id"] == row["id"] for f in files)
        assert str(tmp_path / "data" / "crawls" / "agency" / "warcs") in row["warc_files"][0]

        revisit = [r for r in read_records(row["warc_files"]) if r.uri.endswith(CSV) and r.type == "revisit"]
        assert revisit and revisit[0].status == "304"
        assert revisit[0].warc["WARC-Refers-To-Date"].startswith("2026-01-02T03:04:05")
        assert revisit[0].warc["WARC-Payload-Digest"] == digest

        # watch-page burst: exactly the given URLs, nothing else but robots.txt
        site.clear_requests()
        wanted = [site.url("/statistics/"), site.url("/statistics/releases/fy2022-report.pdf")]
        manifest = fetch_urls(config, "agency", wanted, catalog=engine)
        assert manifest.status == "finished" and manifest.kind == "watch"
        assert {r.path for r in site.requests} == {"/robots.txt", "/statistics/",
                                                    "/statistics/releases/fy2022-report.pdf"}
        with engine.connect() as connection:
            kinds = [k for (k,) in connection.execute(select(crawls.c.kind).order_by(crawls.c.id))]
        assert kinds == ["full", "full", "watch"]
        engine.dispose()
