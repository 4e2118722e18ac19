"""Rendered crawling with real headless Chromium (Debian's ``chromium``) against the agency site."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.job import CrawlJob
from crawler.render_rules import needs_render, urls_in_json
from crawler.run import run_crawl
from spillwatch.demo.agency_site import AgencySite
from tests.crawler.conftest import fast_job, read_records, warcio_check
from tests.crawler.script_site import (
    API,
    CHROMIUM,
    NOTES,
    ROSTER,
    STATS,
    STATS_PAGE,
    Beacon,
    hostile_page,
    need_chromium,
    script_site,
)

pytestmark = pytest.mark.browser


def _job(out: Path, seed: str, render: str, **extra: Any) -> CrawlJob:
    # no sitemaps: the agency site lists every path there, and these documents must be found by the page
    return fast_job(out, [seed], render=render, chromium_path=CHROMIUM, render_page_timeout=15.0, sitemaps=False,
                    download_timeout=5.0, **extra)


def test_plain_crawl_does_not_see_the_scripted_release(tmp_path: Path) -> None:
    with AgencySite() as site:
        script_site(site)
        manifest = run_crawl(_job(tmp_path, f"http://localhost:{site.port}/", "plain"))
        assert site.requests_for(ROSTER) == []
        assert site.requests_for(API) == []
    assert manifest.status == "finished"


def test_rendered_crawl_archives_json_follows_documents_and_writes_dom_and_screenshot(tmp_path: Path) -> None:
    need_chromium()
    with AgencySite() as site:
        script_site(site)
        seed = f"http://localhost:{site.port}/"
        manifest = run_crawl(_job(tmp_path, seed, "browser"))
        assert len(site.requests_for(ROSTER)) == 1, "the XLSX linked from the rendered DOM was not fetched"
        assert len(site.requests_for(NOTES)) == 1, "the document named in the JSON answer was not fetched"
        stats_fetches = site.requests_for(STATS)
    assert manifest.status == "finished", manifest.reason
    assert len(stats_fetches) == 1, "the browser must be served the page Scrapy fetched, not fetch it again"
    records = read_records(manifest.warc_files)
    by = {(r.type, r.uri): r for r in records}
    api = by[("response", f"http://localhost:{site.port}{API}")]
    assert json.loads(api.payload)["releases"][1]["url"] == ROSTER
    assert ("request", f"http://localhost:{site.port}{API}") in by
    dom = by[("resource", f"urn:rendered-dom:{seed}statistics/")]
    assert dom.warc["Content-Type"].startswith("text/html")
    assert b'href="/statistics/releases/detainee-roster.xlsx"' in dom.payload
    shot = by[("resource", f"urn:screenshot:{seed}statistics/")]
    assert shot.warc["Content-Type"] == "image/png" and shot.payload.startswith(b"\x89PNG\r\n\x1a\n")
    assert ("response", f"http://localhost:{site.port}{ROSTER}") in by
    # the page itself is recorded once, as fetched (its list still empty), not as rendered
    pages = [r for r in records if r.type == "response" and r.uri == f"{seed}statistics/"]
    assert len(pages) == 1 and b'<ul id="releases"></ul>' in pages[0].payload
    check = warcio_check(manifest.warc_files)
    assert check.returncode == 0, check.stdout + check.stderr
    assert manifest.pages >= 5


def test_auto_renders_only_pages_with_scripts_and_little_text() -> None:
    assert needs_render("auto", STATS_PAGE.encode(), "text/html")
    long_page = f"<html><body><p>{'Annual report text. ' * 100}</p><script>x()</script></body></html>"
    assert not needs_render("auto", long_page.encode(), "text/html")
    assert not needs_render("auto", b"<html><body><p>Short page, no scripts.</p></body></html>", "text/html")
    assert not needs_render("auto", b"{}", "application/json")
    assert needs_render("browser", b"<html><body>plenty of text</body></html>", "text/html")
    assert not needs_render("plain", STATS_PAGE.encode(), "text/html")


def test_urls_in_json_takes_links_not_free_text() -> None:
    body = json.dumps({"a": ["/files/roster.xlsx", "see /files/x.pdf for more", "/about/", "https://x.example/p",
                             {"deep": "./r/data.csv"}], "n": 3}).encode()
    assert urls_in_json(body, "https://agency.example/stats/") == [
        "https://agency.example/files/roster.xlsx", "https://x.example/p", "https://agency.example/stats/r/data.csv"]
    assert urls_in_json(b"not json", "https://agency.example/") == []


def test_browser_requests_to_private_and_metadata_addresses_are_refused(tmp_path: Path) -> None:
    need_chromium()
    with Beacon() as other, AgencySite() as site:
        hostile_page(site, other.port)
        seed = f"http://localhost:{site.port}/hostile/"
        manifest = run_crawl(_job(tmp_path, seed, "browser", max_depth=0))
        assert other.hits == [], f"a rendered page reached another local server: {other.hits}"
        assert len(site.requests_for("/hop")) == 1  # the redirect itself is on the seed host
    assert manifest.status == "finished", manifest.reason
    log = Path(manifest.log_file).read_text()
    for path in ("/img", "/fetch", "/redirected"):
        assert f"browser request http://127.0.0.1:{other.port}{path}: 127.0.0.1 resolves to 127.0.0.1, " \
               "a loopback address; refused by the egress guard" in log, path
    for path in ("img", "fetch"):
        assert f"browser request http://169.254.169.254/latest/meta-data/{path}: 169.254.169.254 resolves to " \
               "169.254.169.254, a cloud-metadata or carrier-grade NAT address; refused" in log, path
    assert manifest.egress_denied >= 5
    assert "/huge.png: the browser's answer is larger than max_response_size (1000000 bytes)" in log
    records = read_records(manifest.warc_files)
    assert any(r.uri == f"urn:screenshot:{seed}" for r in records)
    assert not any("169.254.169.254" in r.uri or f"127.0.0.1:{other.port}" in r.uri or r.uri.endswith("/huge.png")
                   for r in records if r.type == "response")


def test_browser_memory_limit_closes_the_crawl_cleanly(tmp_path: Path) -> None:
    need_chromium()
    with AgencySite() as site:
        script_site(site)
        # below what the crawl process and a started Chromium need together: the limit trips at its first
        # check, and the crawl still closes cleanly (no .open file left, a manifest with the reason)
        job = _job(tmp_path, f"http://localhost:{site.port}/", "browser", render_memory_limit=128 * 2**20)
        manifest = run_crawl(job)
    assert manifest.status == "finished" and manifest.reason == "browser_memory_exceeded", manifest.reason
    assert "more than render_memory_limit (128 MiB); closing the crawl cleanly" in Path(manifest.log_file).read_text()
    assert not list(job.warc_dir.glob("*.open"))
    if manifest.warc_files:  # records written before the first check must be whole
        check = warcio_check(manifest.warc_files)
        assert check.returncode == 0, check.stdout + check.stderr


def test_render_mode_is_checked_in_the_config_file() -> None:
    from core.config import parse_config_text

    text = ("sites:\n  - id: agency\n    seeds: [https://agency.example/]\n    render: chrome\n"
            "    watch_pages:\n      - url: https://agency.example/stats/\n        render: sometimes\n")
    _parsed, _raw, _lines, problems = parse_config_text(text, "spillwatch.yml")
    assert "spillwatch.yml:4: sites[0].render: unknown render mode 'chrome'; expected one of: 'plain', 'auto', " \
           "'browser'" in problems
    assert any(p.startswith("spillwatch.yml:7: sites[0].watch_pages[0].render: unknown render mode 'sometimes'")
               for p in problems), problems


def test_a_watch_page_can_be_rendered_when_its_site_is_not(tmp_path: Path) -> None:
    from core.config import Site, WatchPage
    from core.settings import resolve
    from crawler.job import job_for_site, job_for_urls

    site = Site(id="agency", seeds=["https://agency.example/"], watch_pages=[
        WatchPage(url="https://agency.example/stats/", render="browser")])
    settings = resolve({}, {}, {"chromium_path": "/opt/chromium"})
    assert job_for_site(site, settings, tmp_path).render == "plain"
    watch = job_for_urls(site, ["https://agency.example/stats/"], settings, tmp_path)
    assert watch.render == "browser" and watch.chromium_path == "/opt/chromium"
    assert job_for_urls(site, ["https://agency.example/files/x.xlsx"], settings, tmp_path).render == "plain"


def test_cli_crawl_url_with_render(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from spillwatch.cli import main

    need_chromium()
    with AgencySite() as site:
        script_site(site)
        code = main(["--data-dir", str(tmp_path / "data"), "--set", f"chromium_path={CHROMIUM}", "--set",
                     "download_delay=0", "crawl", "--url", f"http://localhost:{site.port}{STATS}", "--out",
                     str(tmp_path / "out"), "--max-pages", "50", "--render", "browser", "--allow-private-addresses"])
        assert len(site.requests_for(ROSTER)) == 1
    assert code == 0, capsys.readouterr()
    warcs = sorted((tmp_path / "out" / "warcs").glob("*.warc.gz"))
    assert any(r.uri.startswith("urn:screenshot:") for r in read_records(warcs))
