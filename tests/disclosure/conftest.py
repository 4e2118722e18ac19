"""Fixtures of the disclosure tests: a live agency site crawled by the real crawler into a catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from core.catalog import open_catalog
from core.config import Config, Site
from core.settings import Settings
from spillwatch.demo.agency_site import AgencySite


@dataclass
class Crawled:
    config: Config
    engine: Engine
    site: AgencySite

    def crawl_and_index(self) -> list[str]:
        """A full crawl of the site with the project's crawler, then indexed (SQLite search)."""
        from crawler.run import crawl_site
        from indexer.pipeline import Indexer
        from indexer.search import open_search

        manifest = crawl_site(self.config, "agency", catalog=self.engine, download_delay=0.0, max_pages=40)
        assert manifest.status == "finished", manifest.reason
        search = open_search(self.config.settings)
        try:
            Indexer(self.config, self.engine, search).index_paths(manifest.warc_files, crawl_id=manifest.crawl_id)
        finally:
            search.close()
        return list(manifest.warc_files)


@pytest.fixture
def agency_site() -> Iterator[AgencySite]:
    with AgencySite() as site:
        yield site


@pytest.fixture
def crawled(agency_site: AgencySite, make_settings: Callable[..., Settings]) -> Iterator[Crawled]:
    settings = make_settings(download_delay="0", search_backend="sqlite")
    site = Site(id="agency", name="Agency", seeds=[agency_site.url("/")], allow_private_addresses=True,
                obey_robots=False, sitemaps=False, max_depth=3, disclosure_contact="mailto:foia@agency.example")
    engine = open_catalog(settings)
    yield Crawled(Config(settings=settings, sites=[site]), engine, agency_site)
    engine.dispose()


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]
