"""robots.txt policy per site: obeyed by default; a site may opt out, and that is logged."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job


@pytest.mark.parametrize("obey", [True, False])
def test_robots_policy(tmp_path: Path, obey: bool) -> None:
    with AgencySite() as site:
        site.set_page("/private/staff-notes.html", "<html><body>internal</body></html>")
        site.add_link("/", "/private/staff-notes.html", "Staff notes")
        manifest = run_crawl(fast_job(tmp_path, [site.url("/")], obey_robots=obey))
        fetched = bool(site.requests_for("/private/staff-notes.html"))
    assert manifest.status == "finished"
    assert fetched is not obey
    opted_out = "opts out of robots.txt" in Path(manifest.log_file).read_text()
    assert opted_out is not obey
