"""Scope, trap guards and jobs: pure parts, checked as data."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.config import Site
from core.settings import resolve
from crawler.job import CrawlJob, job_adhoc, job_for_site, job_for_urls
from crawler.scope import Scope, link_kind
from crawler.traps import TrapGuard


@pytest.mark.parametrize(("url", "kind"), [
    ("https://a.gov/", "html"),
    ("https://a.gov/stats/", "html"),
    ("https://a.gov/page.aspx?id=3", "html"),
    ("https://a.gov/download?id=3", "html"),
    ("https://a.gov/f/Detainees.XLSX", "xlsx"),
    ("https://a.gov/f/list.tab", "tsv"),
    ("https://a.gov/f/report.pdf", "pdf"),
    ("https://a.gov/f/old-table.xls", "xls"),
    ("https://a.gov/f/data.ods", "ods"),
    ("https://a.gov/logo.png", "skip"),
    ("https://a.gov/app.js", "skip"),
])
def test_link_kind(url: str, kind: str) -> None:
    assert link_kind(url) == kind


def test_scope_rules() -> None:
    scope = Scope(["agency.gov"], include=[r"/(statistics|news)/"], exclude=[r"/news/archive/"],
                  follow_types=["html", "xlsx"])
    assert scope.why_not("https://www.agency.gov/statistics/a.xlsx") is None
    assert scope.why_not("https://agency.gov.evil.com/statistics/") == "offsite"
    assert scope.why_not("https://www.agency.gov/about/") == "not_included"
    assert scope.why_not("https://www.agency.gov/news/archive/1") == "excluded"
    assert scope.why_not("https://www.agency.gov/statistics/a.pdf") == "type"
    assert scope.why_not("ftp://agency.gov/statistics/") == "scheme"
    assert scope.why_not("https://www.agency.gov/", seed=True) is None


def test_trap_guard() -> None:
    guard = TrapGuard(max_url_length=60, max_repeated_segments=2, max_query_variants=3)
    assert guard.check("https://a.gov/" + "x" * 60) == "url_length"
    assert guard.check("https://a.gov/a/b/a/b/a/") == "repeated_segments"
    assert guard.check("https://a.gov/a/b/a/b/") is None
    months = [guard.check(f"https://a.gov/cal?m={m}") for m in range(1, 6)]
    assert months == [None, None, None, "query_variants", "query_variants"]
    assert guard.check("https://a.gov/cal?m=1") is None  # a variant already seen stays allowed
    assert guard.tripped["query_variants"] == 2


def test_jobs_from_site_urls_and_adhoc(tmp_path: Path) -> None:
    settings = resolve({"download_delay": "2s", "contact_url": "https://ngo.example/crawler"})
    site = Site(id="agency", seeds=["https://www.agency.gov/"], download_delay="5s", max_pages=50)
    job = job_for_site(site, settings, tmp_path)
    assert job.download_delay == 5.0 and job.max_pages == 50 and job.allowed_domains == ["www.agency.gov"]
    assert "https://ngo.example/crawler" in job.user_agent and job.user_agent.startswith("Spillwatch")
    assert job.name.startswith("spillwatch-agency-")
    assert CrawlJob.from_json(job.to_json()) == job
    burst = job_for_urls(site, ["https://www.agency.gov/a.xlsx", "https://www.agency.gov/b.csv"], settings,
                         tmp_path)
    assert burst.max_depth == 0 and burst.kind == "watch" and not burst.sitemaps and burst.max_pages == 2
    adhoc = job_adhoc("http://127.0.0.1:8000/x/", tmp_path, settings, max_pages=7, allow_private=True)
    assert adhoc.kind == "adhoc" and adhoc.site_id is None and adhoc.allow_private
    assert adhoc.scope_hosts == ["127.0.0.1"]
