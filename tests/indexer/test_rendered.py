"""A rendered crawl's WARC (real Chromium) indexes the page from its rendered DOM: text, links, the
document listed only by a script, and the person table in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from core.catalog import open_catalog
from core.catalog.schema import captures, changes, findings
from core.catalog.schema import links as links_table
from core.config import Config
from crawler.run import run_crawl
from indexer.pipeline import Indexer
from indexer.search import open_search
from indexer.search.query import SearchQuery
from spillwatch.demo.agency_documents import JSON_TYPE
from spillwatch.demo.agency_site import AgencySite, Resource
from tests.crawler.conftest import fast_job
from tests.crawler.script_site import API, CHROMIUM, ROSTER, STATS, need_chromium, releases_json, script_site
from tests.indexer.conftest import rows

pytestmark = pytest.mark.browser


def _crawl(site: AgencySite, out: Path) -> list[str]:
    job = fast_job(out, [f"http://localhost:{site.port}/"], render="browser", chromium_path=CHROMIUM,
                   sitemaps=False, render_page_timeout=15.0, download_timeout=5.0)
    manifest = run_crawl(job)
    assert manifest.status == "finished", manifest.reason
    return manifest.warc_files


def test_rendered_page_is_indexed_from_its_dom_and_the_listed_roster_is_found(make_settings, tmp_path: Path) -> None:
    need_chromium()
    settings = make_settings(download_delay="0s")
    engine = open_catalog(settings)
    search = open_search(settings)
    with AgencySite() as site:
        script_site(site, roster=False)
        first = _crawl(site, tmp_path / "crawl")
        summary = Indexer(Config(settings=settings), engine, search).index_paths(first)
        assert summary.errors == 0 and summary.findings == 0, summary.problems
        stats_url = f"http://localhost:{site.port}{STATS}"
        [page] = rows(engine, captures, captures.c.url == stats_url)
        assert page["title"] == "Detention statistics"
        # the roster is published: only the JSON the page's script reads names it
        script_site(site, roster=True)
        second = [p for p in _crawl(site, tmp_path / "crawl") if p not in first]
        summary = Indexer(Config(settings=settings), engine, search).index_paths(second)
    assert summary.errors == 0, summary.problems
    roster_url = f"http://localhost:{site.port}{ROSTER}"
    [finding] = rows(engine, findings)
    assert finding["url"] == roster_url and finding["kind"] == "person_table"
    assert finding["severity"] == "critical"
    kinds = [c["kind"] for c in rows(engine, changes, changes.c.url == stats_url, order=changes.c.id)]
    assert kinds == ["new", "changed"], "the rendered list changed; the page as fetched did not"
    with engine.connect() as conn:
        targets = set(conn.execute(select(links_table.c.target_url)).scalars())
    assert roster_url in targets, "the link the script wrote into the DOM is not among the page's links"
    hits = search.search(SearchQuery(text="roster"))
    assert any(hit.url == stats_url for hit in hits.hits), "the rendered text is not searchable"
    search.close()


def test_a_plain_warc_is_indexed_as_before(make_settings, tmp_path: Path) -> None:
    settings = make_settings(download_delay="0s")
    engine = open_catalog(settings)
    search = open_search(settings)
    with AgencySite() as site:
        script_site(site)
        site.set_resource(API, Resource(body=releases_json(("Roster", ROSTER)), content_type=JSON_TYPE))
        manifest = run_crawl(fast_job(tmp_path / "plain", [f"http://localhost:{site.port}/"], sitemaps=False))
        Indexer(Config(settings=settings), engine, search).index_paths(manifest.warc_files)
    assert rows(engine, findings) == []
    search.close()
