"""The project's own crawler's WARCs (two crawls of the live fixture site, the second with revisit
records for unchanged payloads) index into versions, changes and findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.catalog import open_catalog
from core.catalog.schema import captures, changes, findings
from core.config import Config
from indexer.pipeline import Indexer
from indexer.search import open_search
from spillwatch.demo.agency_documents import CSV_TYPE
from spillwatch.demo.agency_site import AgencySite
from tests.indexer.conftest import count, rows
from tests.indexer.test_two_crawls import ABOUT_V2, detainee_csv

crawler_run = pytest.importorskip("crawler.run")


def test_two_crawls_by_the_real_crawler(make_settings, tmp_path: Path) -> None:
    settings = make_settings(download_delay="0s")
    engine = open_catalog(settings)
    search = open_search(settings)
    out = tmp_path / "crawl"
    with AgencySite() as site:
        first = crawler_run.crawl_adhoc(site.url("/"), out, settings, max_pages=50, allow_private=True)
        assert first.warc_files, first.reason
        Indexer(Config(settings=settings), engine, search).index_paths(first.warc_files)
        site.set_page("/about/", ABOUT_V2)
        leak = site.publish("/statistics/releases/detainees-fy2023.csv", detainee_csv(), CSV_TYPE)
        second = crawler_run.crawl_adhoc(site.url("/"), out, settings, max_pages=50, allow_private=True)
        new_files = [p for p in second.warc_files if p not in first.warc_files]
        summary = Indexer(Config(settings=settings), engine, search).index_paths(new_files)
    assert summary.errors == 0, summary.problems
    assert summary.new == 1 and summary.changed >= 1 and summary.findings == 1
    assert [c["kind"] for c in rows(engine, changes, changes.c.url == site.url("/about/"), order=changes.c.id)] \
        == ["new", "changed"]
    assert rows(engine, findings)[0]["url"] == leak
    revisits = rows(engine, captures, captures.c.record_type == "revisit")
    if revisits:  # the crawler writes revisits (or 304s) for unchanged payloads
        assert all(r["refers_to_capture_id"] is not None for r in revisits)
    assert count(engine, captures) > 10
    search.close()
