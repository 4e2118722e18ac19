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

        manifest = crawl_site(self.config, "agency", catalog=self.engine, download_delay=0.0, max_pages=40)
        assert manifest.status == "finished", manifest.reason
        self._index(manifest)
        return list(manifest.warc_files)

    def fetch_and_index(self, urls: list[str]) -> list[str]:
        """The watch path: exactly these URLs fetched (a burst), archived and indexed."""
        from crawler.run import fetch_urls

        manifest = fetch_urls(self.config, "agency", urls, catalog=self.engine)
        assert manifest.status == "finished", manifest.reason
        self._index(manifest)
        return list(manifest.warc_files)

    def _index(self, manifest: Any) -> None:
        from indexer.pipeline import Indexer
        from indexer.search import open_search

        search = open_search(self.config.settings)
        try:
            Indexer(self.config, self.engine, search).index_paths(manifest.warc_files, crawl_id=manifest.crawl_id)
        finally:
            search.close()


@pytest.fixture
def agency_site() -> Iterator[AgencySite]:
    with AgencySite() as site:
        yield site


def make_crawled(agency_site: AgencySite, settings: Settings) -> Crawled:
    site = Site(id="agency", name="Agency", seeds=[agency_site.url("/")], allow_private_addresses=True,
                obey_robots=False, sitemaps=False, max_depth=3, disclosure_contact="mailto:foia@agency.example")
    return Crawled(Config(settings=settings, sites=[site]), open_catalog(settings), agency_site)


@pytest.fixture
def crawled(agency_site: AgencySite, make_settings: Callable[..., Settings]) -> Iterator[Crawled]:
    result = make_crawled(agency_site, make_settings(download_delay="0", search_backend="sqlite"))
    yield result
    result.engine.dispose()


def roster(rows: int = 60) -> bytes:
    """A synthetic detainee roster (Faker): names, birth dates, citizenship, A-numbers."""
    import csv
    import io

    from faker import Faker

    fake = Faker(["en_US", "es_MX"])
    Faker.seed(1128)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Last Name", "First Name", "Date of Birth", "Country of Citizenship", "A-Number", "Facility"])
    for _ in range(rows):
        writer.writerow([fake.last_name(), fake.first_name(),
                         fake.date_of_birth(minimum_age=18, maximum_age=70).isoformat(), fake.country(),
                         f"A{fake.random_number(digits=9, fix_len=True)}", "Harbor County Processing Center"])
    return buffer.getvalue().encode()


def as_dicts(rows: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in rows]
